//! Turning a REF (external id, internal id, `source:external-id`, `id:N`) into a complaint.

use crate::error::{failed, refused};
use rusqlite::{params, Connection, OptionalExtension};

use super::Ctx;

/// The complaint id for a REF, checked against what the person may see.
pub fn resolve(ctx: &Ctx, conn: &Connection, r: &str) -> anyhow::Result<i64> {
    let id = find(conn, r)?;
    if let Some(visible) = ctx.visible_divisions()? {
        let division: String = conn.query_row(
            "SELECT division FROM complaints WHERE id = ?1",
            params![id],
            |row| row.get(0),
        )?;
        if !visible.iter().any(|d| d == &division) {
            return Err(refused(format!(
                "{r} belongs to {division}, which is not among your divisions ({})",
                visible.join(", ")
            )));
        }
    }
    Ok(id)
}

fn find(conn: &Connection, r: &str) -> anyhow::Result<i64> {
    let r = r.trim();
    if let Some(n) = r.strip_prefix("id:").or_else(|| r.strip_prefix('#')) {
        let id: i64 = n
            .parse()
            .map_err(|_| failed(format!("{r:?}: an internal id is a number")))?;
        return exists(conn, id)?
            .ok_or_else(|| failed(format!("no complaint has the internal id {id}")));
    }
    let mut by_external: Vec<(i64, String)> = {
        let mut st =
            conn.prepare_cached("SELECT id, source FROM complaints WHERE external_id = ?1")?;
        let rows = st.query_map(params![r], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if by_external.is_empty() {
        if let Some((source, ext)) = r.split_once(':') {
            let mut st = conn.prepare_cached(
                "SELECT id, source FROM complaints WHERE source = ?1 AND external_id = ?2",
            )?;
            let rows = st.query_map(params![source, ext], |row| Ok((row.get(0)?, row.get(1)?)))?;
            by_external = rows.collect::<rusqlite::Result<_>>()?;
        }
    }
    let by_internal = match r.parse::<i64>() {
        Ok(n) => exists(conn, n)?,
        Err(_) => None,
    };
    match (by_external.as_slice(), by_internal) {
        ([], None) => Err(failed(format!("no complaint has the id {r:?}"))),
        ([], Some(id)) => Ok(id),
        ([(id, _)], None) => Ok(*id),
        ([(id, _)], Some(internal)) if *id == internal => Ok(*id),
        ([(id, source)], Some(internal)) => Err(failed(format!(
            "{r} is both the external id of complaint {id} ({source}) and the internal id of \
             complaint {internal}: write {source}:{r} or id:{internal}"
        ))),
        (many, _) => Err(failed(format!(
            "{r} is an external id in several sources: write {}",
            many.iter()
                .map(|(_, s)| format!("{s}:{r}"))
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

fn exists(conn: &Connection, id: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM complaints WHERE id = ?1",
        params![id],
        |r| r.get(0),
    )
    .optional()
}
