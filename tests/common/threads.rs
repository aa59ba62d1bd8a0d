//! A store holding a threaded complaint, written through the store as an importer of threaded
//! exports would write it.

use signoff::domain::thread::{self, Author, Message};
use signoff::domain::Complaint;
use signoff::store::complaints::{begin_import, upsert, ImportMeta};
use signoff::store::Db;

use super::own::sql;

pub const DAY: i64 = 86_400;

/// The thread's last line, which paging must bring into view.
pub const LAST_LINE: &str = "LAST LINE OF THE THREAD";

fn msg(author: Author, name: Option<&str>, at: i64, text: &str) -> Message {
    Message {
        author,
        name: name.map(str::to_string),
        at: Some(at),
        channel: Some("email".into()),
        text: text.into(),
        ..Message::default()
    }
}

/// Twelve messages: three replies, two notes, a customer who chases and is left waiting.
pub fn twelve(start: i64) -> Vec<Message> {
    use Author::*;
    let h = 3600;
    let (sam, jo) = (Some("Sam Lee"), Some("Jo Park"));
    vec![
        msg(
            Customer,
            Some("Ana Ruiz"),
            start,
            "My card was charged twice for the same order.",
        ),
        msg(Note, sam, start + h, "Duplicate capture; refund queued."),
        msg(
            Company,
            sam,
            start + 2 * h + 300,
            "Sorry about that. The second charge will be refunded within 3 days.",
        ),
        msg(Customer, None, start + DAY, "Still no refund."),
        msg(
            Customer,
            None,
            start + DAY + 4 * h,
            "Hello? Is anyone there?",
        ),
        msg(
            Company,
            jo,
            start + DAY + 6 * h,
            "The refund left us today; allow a day for your bank.",
        ),
        msg(
            Customer,
            None,
            start + DAY + 7 * h,
            "Thanks. Can I get it in writing?",
        ),
        msg(
            Note,
            None,
            start + DAY + 8 * h,
            "Letter template sent to the printer.",
        ),
        msg(
            Company,
            jo,
            start + DAY + 9 * h + 1800,
            "A confirmation letter is on its way.",
        ),
        msg(
            Customer,
            None,
            start + 2 * DAY,
            "The letter names the wrong order.",
        ),
        msg(
            Customer,
            None,
            start + 2 * DAY + 3 * h,
            "Please fix the letter.",
        ),
        msg(
            Customer,
            None,
            start + 2 * DAY + 9 * h,
            &format!("Third time asking.\n{LAST_LINE}"),
        ),
    ]
}

/// Writes three complaints received before `now`: T-THREAD (Billing, the twelve messages),
/// T-PLAIN (Support, a complaint and its reply) and T-OPEN (Billing, no reply).
pub fn seed(db: &mut Db, now: i64) {
    let mut own = sql(db);
    let tx = own.transaction().expect("tx");
    let meta = ImportMeta {
        source: "chat",
        profile: "test",
        file_name: "t.json",
        file_size: 0,
        encoding: "utf-8",
        delimiter: "none",
        imported_by: "alex",
        started_at: now,
    };
    let import = begin_import(&tx, &meta).expect("import");
    let mut threaded = Complaint {
        source: "chat".into(),
        external_id: "T-THREAD".into(),
        division: "Billing".into(),
        channel: Some("email".into()),
        subject: Some("Charged twice".into()),
        messages: twelve(now - 3 * DAY),
        ..Complaint::default()
    };
    thread::summarise(&mut threaded);
    let plain = Complaint {
        source: "chat".into(),
        external_id: "T-PLAIN".into(),
        division: "Support".into(),
        received_at: now - 2 * DAY,
        complaint_text: "The app logs me out.".into(),
        response_text: Some("Fixed in 2.3.".into()),
        responded_at: Some(now - DAY),
        ..Complaint::default()
    };
    let open = Complaint {
        source: "chat".into(),
        external_id: "T-OPEN".into(),
        division: "Billing".into(),
        received_at: now - DAY,
        complaint_text: "Nobody answers the phone.".into(),
        ..Complaint::default()
    };
    for (i, c) in [&threaded, &plain, &open].into_iter().enumerate() {
        upsert(
            &tx,
            import,
            c,
            &c.content_hash(),
            "t.json",
            i as u64 + 1,
            now,
        )
        .expect("upsert");
    }
    signoff::store::stats::refresh_division_counts(&tx).expect("counts");
    signoff::store::rule_sets::recount(&tx).expect("rule counts");
    tx.commit().expect("commit");
}
