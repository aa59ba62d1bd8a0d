//! `signoff stats`

use crate::store::stats::stats;

use super::Ctx;

pub fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let scope = ctx.visible_divisions()?;
    let db = ctx.open_db()?;
    let s = stats(&db.conn, scope.as_deref()).map_err(|e| db.err(e))?;
    if ctx.json {
        return ctx.print_json(&s);
    }
    println!(
        "{} complaints ({} with a response) in {}",
        s.complaints,
        s.with_response,
        db.path.display()
    );
    let section = |title: &str, rows: &[crate::store::stats::Count]| {
        println!("\n{title}");
        let w = rows
            .iter()
            .map(|r| r.key.chars().count())
            .max()
            .unwrap_or(0);
        for r in rows {
            println!("  {:<w$}  {:>8}", r.key, r.complaints);
        }
    };
    section("by source", &s.by_source);
    section("by division", &s.by_division);
    section("by month received", &s.by_month);
    if !s.imports.is_empty() {
        println!("\nimports");
        for i in &s.imports {
            let when = chrono::DateTime::from_timestamp(i.started_at, 0)
                .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            println!(
                "  #{:<4} {when}  {:<10} {:<12} {}  read {}: inserted {}, updated {}, unchanged {}, rejected {}",
                i.id, i.source, i.profile, i.file, i.read, i.inserted, i.updated, i.unchanged, i.rejected
            );
        }
    }
    Ok(())
}
