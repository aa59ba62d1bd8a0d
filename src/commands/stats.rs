//! `signoff stats`

use crate::domain::text::inert;
use crate::render::time::fmt_time;

use super::Ctx;

pub fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let scope = ctx.visible_divisions()?;
    let mut db = ctx.open_store()?;
    let s = db.stats(scope.as_deref())?;
    if ctx.json {
        return super::out::json(&s);
    }
    crate::out!(
        "{} complaints ({} with a response), {} messages in {}",
        s.complaints,
        s.with_response,
        s.messages,
        db.shown()
    )?;
    let section = |title: &str, rows: &[crate::store::stats::Count]| -> anyhow::Result<()> {
        crate::out!("\n{title}")?;
        let keys: Vec<_> = rows.iter().map(|r| inert(&r.key)).collect();
        let w = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        for (k, r) in keys.iter().zip(rows) {
            crate::out!("  {k:<w$}  {:>8}", r.complaints)?;
        }
        Ok(())
    };
    section("by source", &s.by_source)?;
    section("by division", &s.by_division)?;
    section("by month received", &s.by_month)?;
    if !s.imports.is_empty() {
        crate::out!("\nimports")?;
        for i in &s.imports {
            let when = fmt_time(i.started_at);
            crate::out!(
                "  #{:<4} {when}  {:<10} {:<12} {}  read {}: inserted {}, updated {}, unchanged {}, degraded {}, rejected {}",
                i.id, inert(&i.source), inert(&i.profile), inert(&i.file), i.read, i.inserted, i.updated, i.unchanged, i.degraded, i.rejected
            )?;
        }
    }
    Ok(())
}
