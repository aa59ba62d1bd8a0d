//! The executive review pack on 1 000 000 complaints and 100 000 decisions: budget 1 s. Timed
//! in process (gathering, computing and rendering) and end to end through the binary.
//!
//! cargo bench --bench report   (SIGNOFF_BENCH_ROWS=1000000, SIGNOFF_BENCH_DECISIONS=100000)

#[path = "support/store.rs"]
#[allow(dead_code)]
mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::DateTime;
use signoff::commands::report::gather;
use signoff::commands::Ctx;
use signoff::config::Config;
use signoff::domain::period;
use signoff::render::{html, markdown};
use signoff::store::Db;
use support::{median, peak_rss_mb, report_store, NOW};

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let var = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let rows = var("SIGNOFF_BENCH_ROWS", 1_000_000);
    let decisions = var("SIGNOFF_BENCH_DECISIONS", 100_000);
    let path = report_store(rows, decisions);
    let mut db = Db::open(&path, Duration::from_secs(5)).expect("open store");
    let n: i64 = rusqlite::Connection::open(&path)
        .expect("open")
        .query_row("SELECT count(*) FROM decisions", [], |r| r.get(0))
        .expect("count");
    println!(
        "store: {} ({rows} complaints, {n} decisions)",
        path.display()
    );
    let now = DateTime::from_timestamp(NOW, 0).expect("now");
    let ctx = Ctx {
        cfg: Config::defaults().expect("defaults"),
        config_file: None,
        json: false,
        now,
        clock: std::sync::Arc::new(move || now),
        login: Some("bench".into()),
    };
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>12}",
        "period", "gather", "+html", "+html+md", "binary, html"
    );
    for spec in ["week", "month", "bimonthly"] {
        let (p, stride) = period::parse(spec, now).expect("period");
        let trend = period::trend(&p, stride, 6);
        let (mut g, mut h, mut m) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            let t = Instant::now();
            let pack = db
                .read_report(|r| gather(&ctx, r, None, p.clone(), trend.clone(), "Bench"))
                .expect("gather");
            g.push(t.elapsed());
            std::hint::black_box(html::render(&pack));
            h.push(t.elapsed());
            std::hint::black_box(markdown::render(&pack));
            m.push(t.elapsed());
        }
        let cfg = path.with_extension("toml");
        std::fs::write(
            &cfg,
            "[identity]\ntrust_env_user = true\n[[people]]\nlogin = \"bench\"\nname = \"Bench\"\ntitle = \"CEO\"\nrole = \"executive\"\n",
        )
        .expect("config");
        let bin: Vec<Duration> = (0..3)
            .map(|_| {
                let t = Instant::now();
                let ok = support::clocked_signoff()
                    .arg("--db")
                    .arg(&path)
                    .arg("--config")
                    .arg(&cfg)
                    .env("SIGNOFF_USER", "bench")
                    .args(["report", "--period", spec, "--format", "html"])
                    .stdout(Stdio::null())
                    .status()
                    .expect("run");
                assert!(ok.success());
                t.elapsed()
            })
            .collect();
        println!(
            "{spec:<12} {:>10} {:>10} {:>10} {:>12}",
            ms(median(g)),
            ms(median(h)),
            ms(median(m)),
            ms(median(bin))
        );
    }
    println!("peak RSS of the bench process: {:.1} MB", peak_rss_mb());
}
