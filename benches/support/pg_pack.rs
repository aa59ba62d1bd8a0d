//! The review pack on the PostgreSQL store, for `pg_load`: a year of weekly samples and their
//! decisions (as `benches/report.rs` has on SQLite), then the pack gathered and rendered as the
//! executive and as a division head, each connected as their own login under row-level
//! security.

use std::time::Instant;

use signoff::commands::report::gather;
use signoff::commands::Ctx;
use signoff::config::Config;
use signoff::domain::period;
use signoff::domain::sample::{Filters, Plan, Spec, Strata};
use signoff::render::html;
use signoff::store::pg::PgStore;

const WEEK: i64 = 7 * 86_400;

/// Adds 52 weekly samples ending at `now` with about `decisions` decisions on their items, as
/// the store's owner (a superuser): written in bulk with the triggers set aside for the
/// session, so the chain's links are not real, which the pack does not read.
pub fn add_decisions(owner_url: &str, now: i64, decisions: u64) -> u64 {
    let mut c = postgres::Client::connect(owner_url, postgres::NoTls).expect("connect");
    let mut tx = c.transaction().expect("tx");
    tx.batch_execute("SET LOCAL session_replication_role = replica")
        .expect("replica");
    let first: i64 = tx
        .query_one("SELECT coalesce(max(id), 0) + 1 FROM samples", &[])
        .expect("next sample")
        .get(0);
    let per_week = (decisions / 52 + 1) as i64;
    for w in 0..52i64 {
        let id = first + w;
        let start = now - (52 - w) * WEEK;
        let end = start + WEEK;
        let drawn_at = end - 3600;
        let spec = Spec {
            plan: Plan::Size {
                n: per_week as u64,
                confidence: 95.0,
            },
            filters: Filters {
                since: Some(start),
                until: Some(end),
                ..Default::default()
            },
            includes: vec![],
            strata: Strata::None,
            detractor_max: 6,
            manager_phrases: vec![],
            negative_phrases: vec![],
        };
        tx.execute(
            "INSERT INTO samples (id, label, drawn_by, drawn_at, spec, seed, population,
                 fingerprint, confidence)
             VALUES ($1, $2, 'bench', $3, $4, '1', $5::bigint * 10, 'bench', 95.0)",
            &[
                &id,
                &format!("week {w}"),
                &drawn_at,
                &serde_json::to_string(&spec).expect("spec"),
                &per_week,
            ],
        )
        .expect("sample");
        tx.execute(
            "INSERT INTO sample_items (sample_id, position, complaint_id, reason)
             SELECT $1, (row_number() OVER (ORDER BY id) - 1)::int, id, 'random'
             FROM (SELECT id FROM complaints WHERE received_at >= $2 AND received_at < $3
                   ORDER BY id LIMIT $4) c",
            &[&id, &start, &end, &per_week],
        )
        .expect("items");
        // One in ten pushed back, one in three of those answered a day later; the rest signed.
        tx.execute(
            "INSERT INTO decisions (complaint_id, sample_id, kind, actor, actor_name, actor_title,
                 at, reasons, note, due_at, body, text_hash, prev_hash, hash)
             SELECT complaint_id, sample_id, kind, 'signoff_bench_exec', 'Bench', 'Chief Executive',
                 at, reasons, note, due_at, body, md5(complaint_id::text), '', md5(random()::text)
             FROM (
                 SELECT si.complaint_id, si.sample_id, si.position, 0 AS n,
                     CASE WHEN si.position % 10 = 0 THEN 'push_back' ELSE 'approve' END AS kind,
                     $2::bigint + si.position AS at,
                     CASE WHEN si.position % 10 = 0 THEN 'canned,late' END AS reasons,
                     CASE WHEN si.position % 10 = 0 THEN 'Call back' END AS note,
                     CASE WHEN si.position % 10 = 0 THEN $2::bigint + si.position + 432000 END AS due_at,
                     NULL AS body
                 FROM sample_items si WHERE si.sample_id = $1
                 UNION ALL
                 SELECT si.complaint_id, si.sample_id, si.position, 1, 'corrective_action',
                     $2::bigint + 86400, NULL, NULL, NULL, 'Fixed'
                 FROM sample_items si WHERE si.sample_id = $1 AND si.position % 30 = 0
             ) d ORDER BY at, position, n",
            &[&id, &drawn_at],
        )
        .expect("decisions");
    }
    tx.commit().expect("commit");
    c.batch_execute("ANALYZE samples; ANALYZE sample_items; ANALYZE decisions")
        .expect("analyze");
    let n: i64 = c
        .query_one("SELECT count(*) FROM decisions", &[])
        .expect("count")
        .get(0);
    n as u64
}

/// Milliseconds to gather the pack and then to render it as HTML: medians of 5, per period.
pub struct Timing {
    pub who: &'static str,
    pub period: &'static str,
    pub gather: f64,
    pub html: f64,
}

/// The pack for the week, the month and two months up to `now`, as the login of `url`, over
/// `divisions` (None: all it may see).
pub fn measure(
    who: &'static str,
    url: &str,
    divisions: Option<Vec<String>>,
    now: i64,
) -> Vec<Timing> {
    let now = chrono::DateTime::from_timestamp(now, 0).expect("now");
    let ctx = Ctx {
        cfg: Config::defaults().expect("defaults"),
        config_file: None,
        json: false,
        now,
        clock: std::sync::Arc::new(move || now),
        login: Some("bench".into()),
    };
    let mut store = PgStore::connect(url).expect("connect");
    let mut out = Vec::new();
    for spec in ["week", "month", "bimonthly"] {
        let (p, stride) = period::parse(spec, now).expect("period");
        let trend = period::trend(&p, stride, ctx.cfg.report.trend_periods);
        let (mut g, mut h) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            let t = Instant::now();
            let pack = store
                .read_report(|r| {
                    gather(
                        &ctx,
                        r,
                        divisions.as_deref(),
                        p.clone(),
                        trend.clone(),
                        "Bench",
                    )
                })
                .expect("gather");
            g.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(html::render(&pack));
            h.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        out.push(Timing {
            who,
            period: spec,
            gather: super::median_ms(g),
            html: super::median_ms(h),
        });
    }
    out
}
