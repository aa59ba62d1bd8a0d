//! The checks kept up to date for what changed agree with a full refresh. A scripted sequence
//! (an import, a second one adding and changing rows, threaded exports, a re-import that changes
//! nothing, an answer revising a response, a CAR contact, days passing) runs on one store; after
//! each step a copy of the store is refreshed whole as of the same moment, and every table the
//! checks keep must be identical. A second copy rebuilt from nothing (its registry of reply texts
//! forgotten, so its canned groups get other ids) must put the same complaints in the same
//! canned groups, and agree on every other table.

#[path = "common/kept_checks.rs"]
mod kept;
#[path = "common/own.rs"]
mod own;

use own::sql;

use std::path::{Path, PathBuf};
use std::time::Duration;

use signoff::commands::flags::settings;
use signoff::config::{Config, Person};
use signoff::domain::decision::Kind;
use signoff::domain::signing::{SharedSigner, Unsigned};
use signoff::import::run::{import_file, Options};
use signoff::store::cars::{self, NewEvent, Opening};
use signoff::store::{flag_update, Db};

use kept::{agrees_with_refresh, canned_sets};

const DAY: i64 = 86_400;
/// 2026-11-02 00:00 UTC.
const NOV_2: i64 = 1_793_577_600;

/// The sample helpdesk export's rows, header first.
fn helpdesk() -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/helpdesk.csv");
    let mut r = csv::Reader::from_path(path).expect("sample data");
    let mut out = vec![r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect()];
    for rec in r.records() {
        out.push(rec.expect("row").iter().map(String::from).collect());
    }
    out
}

fn write_csv(dir: &Path, name: &str, rows: &[Vec<String>]) -> PathBuf {
    let p = dir.join(name);
    let mut w = csv::Writer::from_path(&p).expect("csv");
    for r in rows {
        w.write_record(r).expect("row");
    }
    w.flush().expect("flush");
    p
}

fn import(db: &mut Db, cfg: &Config, file: &Path, now: i64) {
    let opts = Options {
        profile: None,
        profiles_dir: None,
        source: None,
        encoding: None,
        delimiter: None,
        date_order: None,
        dry_run: false,
        accept_incomplete: false,
        accept_degraded: true,
        allow_unlinked: true,
        rejects: None,
        batch_rows: cfg.import.batch_rows,
        max_field_bytes: cfg.import.max_field_bytes,
        progress: false,
        imported_by: "alex".into(),
        now,
        after_import: signoff::commands::car::after_import(
            cfg,
            "alex",
            now,
            true,
            SharedSigner::default(),
        ),
        write_wait: Duration::ZERO,
    };
    let division = |d: &str| cfg.canonical_division(d).to_string();
    import_file(db, file, &opts, &division).expect("import");
}

fn person(toml: &str) -> Person {
    toml::from_str(toml).expect("person")
}

fn id_of(db: &Db, external: &str) -> i64 {
    sql(db)
        .query_row(
            "SELECT id FROM complaints WHERE external_id = ?1",
            [external],
            |r| r.get(0),
        )
        .expect("id")
}

#[test]
fn updates_for_what_changed_agree_with_a_refresh() {
    let cfg = Config::defaults().expect("defaults");
    let s = settings(&cfg);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = Db::open(&dir.path().join("s.db"), Duration::from_secs(5)).expect("open");
    let all = helpdesk();
    let (header, body) = (all[0].clone(), &all[1..]);
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (created, reply, email, group, replied) = (
        col("Created"),
        col("Public reply"),
        col("Requester email"),
        col("Group"),
        col("Replied"),
    );

    // October's complaints, imported early in November: the newest still within their targets.
    let (mut early, mut late): (Vec<_>, Vec<_>) = body
        .iter()
        .cloned()
        .partition(|r: &Vec<String>| r[created].as_str() < "2026-11");
    // A reply sent to three customers: not yet a template.
    let refund = "Your refund of the duplicate charge has been processed and will reach your \
                  account within five working days.";
    for r in early.iter_mut().skip(40).take(3) {
        r[reply] = refund.into();
    }
    // A customer who wrote three times in October: two repeats.
    let regular = early[50][email].clone();
    for r in early.iter_mut().skip(51).take(2) {
        r[email] = regular.clone();
    }
    let mut first = vec![header.clone()];
    first.extend(early.iter().cloned());
    import(
        &mut db,
        &cfg,
        &write_csv(dir.path(), "oct.csv", &first),
        NOV_2,
    );
    agrees_with_refresh(&db, &s, NOV_2, "first import");

    // November's, with October's rows changed: a canned reply pasted in, a reply withdrawn, a
    // complaint moved to another customer, another day, another division.
    let template = "Thank you for your feedback. Your concern has been noted.";
    // Two more customers get the refund reply: five, so all five are canned now.
    for r in late.iter_mut().take(2) {
        r[reply] = refund.into();
    }
    let mut second = vec![header.clone()];
    second.extend(late.iter().cloned());
    for (i, r) in early.iter().enumerate().take(30) {
        let mut r = r.clone();
        match i % 5 {
            0 => r[reply] = template.into(),
            1 => {
                r[reply].clear();
                r[replied].clear();
            }
            2 => r[email] = early[0][email].clone(),
            3 => r[created] = format!("2026-10-0{} 10:00:00", 1 + i % 9),
            _ => r[group] = "Logistics".into(),
        }
        second.push(r);
    }
    // The third of them moves to another division, still a repeat.
    let mut moved = early[52].clone();
    moved[group] = "Warranty".into();
    second.push(moved);
    let nov = write_csv(dir.path(), "nov.csv", &second);
    let t2 = NOV_2 + 19 * DAY;
    import(&mut db, &cfg, &nov, t2);
    agrees_with_refresh(&db, &s, t2, "second import");

    // Conversations, then the same file again, which changes nothing.
    let t3 = t2 + 6 * 3600;
    for name in ["messages.csv", "social.csv"] {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-data")
            .join(name);
        import(&mut db, &cfg, &p, t3);
    }
    import(&mut db, &cfg, &nov, t3);
    let canned = |db: &Db| {
        canned_sets(&sql(db))
            .keys()
            .any(|t| t.starts_with("your refund"))
    };
    assert!(canned(&db), "five customers got the refund reply");
    agrees_with_refresh(&db, &s, t3, "threads and a re-import");

    // One of them gets another reply: four, and none of them is canned any more.
    let mut changed = late[0].clone();
    changed[reply] = "We have looked again at your bill and the charge was right.".into();
    import(
        &mut db,
        &cfg,
        &write_csv(dir.path(), "fix.csv", &[header.clone(), changed]),
        t3,
    );
    assert!(!canned(&db), "four customers are not enough");
    agrees_with_refresh(&db, &s, t3, "a template no longer sent to enough customers");

    // A division head revises a response that was withdrawn, with the canned template.
    let t4 = t3 + DAY;
    let withdrawn = id_of(&db, &early[1][0]);
    let division: String = sql(&db)
        .query_row(
            "SELECT division FROM complaints WHERE id = ?1",
            [withdrawn],
            |r| r.get(0),
        )
        .expect("division");
    let exec = person("login = 'dana'\nname = 'Dana'\ntitle = 'CEO'\nrole = 'executive'");
    let head = person(&format!(
        "login = 'lee'\nname = 'Lee'\ntitle = 'Head'\nrole = 'division_head'\ndivisions = ['{division}']"
    ));
    let reasons = ["late".to_string()];
    db.push_back(
        &exec.actor(),
        &Unsigned,
        withdrawn,
        &reasons,
        "answer",
        t4 + DAY,
        t4,
    )
    .expect("push back");
    db.answer(
        &head.actor(),
        &Unsigned,
        withdrawn,
        Kind::Revise,
        template,
        t4,
    )
    .expect("revise");
    agrees_with_refresh(&db, &s, t4, "a revised response");

    // A CAR contact for a customer who asked to be contacted and heard nothing.
    let asked: i64 = sql(&db)
        .query_row(
            "SELECT complaint_id FROM complaint_flags WHERE flag = 'contact-ignored'
             ORDER BY complaint_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("an ignored contact request");
    let mut own = sql(&db);
    let tx = own.transaction().expect("tx");
    let opening = Opening {
        complaint_id: asked,
        origin: "manual",
        actor: "dana",
        actor_name: "Dana",
        at: t4,
        due_at: t4 + DAY,
        why: "call back",
    };
    let car = match cars::open(&tx, &opening, &Unsigned).expect("open") {
        Some(id) => id,
        None => {
            cars::for_complaint(&tx, asked, t4)
                .expect("car")
                .expect("one")
                .id
        }
    };
    let step = NewEvent {
        car_id: car,
        complaint_id: asked,
        step: signoff::domain::car::Step::Contact,
        actor: "dana".into(),
        actor_name: "Dana".into(),
        at: t4,
        happened_at: t4 - 3 * DAY,
        due_at: None,
        category: None,
        worked: None,
        text: "called".into(),
    };
    cars::append(&tx, step, &Unsigned).expect("contact");
    assert!(flag_update::touch(&tx, &[asked], t4).expect("touch"));
    tx.commit().expect("commit");
    agrees_with_refresh(&db, &s, t4, "a CAR contact");

    // A week passes with nothing imported: complaints still within their targets then turn
    // late, contact requests go unanswered.
    let t5 = t4 + 8 * DAY;
    let late_before: i64 = sql(&db)
        .query_row(
            "SELECT count(*) FROM complaint_flags WHERE flag = 'late'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert!(db.catch_up_checks(t5).expect("catch up"));
    let late_after: i64 = sql(&db)
        .query_row(
            "SELECT count(*) FROM complaint_flags WHERE flag = 'late'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert!(late_after > late_before, "time alone made complaints late");
    agrees_with_refresh(&db, &s, t5, "a week later");
}
