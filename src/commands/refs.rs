//! Turning a REF (external id, internal id, `source:external-id`, `id:N`) into a complaint, and
//! a CAR id into its CAR, each checked against what the person may see.

use crate::domain::text::inert;
use crate::error::{failed, refused, usage};
use crate::store::cars::Car;
use crate::store::{Backend, Store};

use super::Ctx;

/// The complaint id for a REF, checked against what the person may see.
pub fn resolve(ctx: &Ctx, db: &mut dyn Store, r: &str) -> anyhow::Result<i64> {
    let visible = ctx.visible_divisions()?;
    let id = match (find(db, r), &visible) {
        (Ok(id), _) => id,
        // A store that enforces the divisions itself (PostgreSQL) shows a division head no
        // complaint of another division at all: a refusal, without saying whose it is.
        (Err(_), Some(visible)) if matches!(db.backend(), Backend::Pg(_)) => {
            return Err(refused(format!(
                "no complaint has the id {r:?} among your divisions ({})",
                visible.join(", ")
            )))
        }
        (Err(e), _) => return Err(e),
    };
    if let Some(visible) = visible {
        let division = db.complaint_division(id)?;
        if !visible.iter().any(|d| d == &division) {
            return Err(refused(format!(
                "{r} belongs to {division}, which is not among your divisions ({})",
                visible.join(", ")
            )));
        }
    }
    Ok(id)
}

fn find(db: &mut dyn Store, r: &str) -> anyhow::Result<i64> {
    let r = r.trim();
    if let Some(n) = r.strip_prefix("id:").or_else(|| r.strip_prefix('#')) {
        let id: i64 = n
            .parse()
            .map_err(|_| failed(format!("{r:?}: an internal id is a number")))?;
        return db
            .complaint_exists(id)?
            .ok_or_else(|| failed(format!("no complaint has the internal id {id}")));
    }
    let mut by_external = db.complaints_by_external_id(r)?;
    if by_external.is_empty() {
        if let Some((source, ext)) = r.split_once(':') {
            by_external = db.complaints_by_source_and_external_id(source, ext)?;
        }
    }
    let by_internal = match r.parse::<i64>() {
        Ok(n) => db.complaint_exists(n)?,
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

/// "12" or "CAR-12".
pub fn car_id(s: &str) -> anyhow::Result<i64> {
    let t = s.trim();
    let digits = t
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("car-"))
        .map_or(t, |_| &t[4..]);
    digits
        .parse()
        .map_err(|_| usage(format!("{s:?} is not a CAR id: write 12 or CAR-12")))
}

/// The CAR a CAR id (`12`, `CAR-12`) names, if the person may see it.
pub fn car(ctx: &Ctx, db: &mut dyn Store, raw: &str) -> anyhow::Result<Car> {
    let id = car_id(raw)?;
    let server_scoped = matches!(db.backend(), Backend::Pg(_));
    let car = db.car(id, ctx.now.timestamp())?;
    visible_car(ctx, id, car, server_scoped)
}

/// CAR-`id` as read (None: there is none), if the person may see it. `server_scoped`: the
/// store shows a division head only her divisions' CARs (PostgreSQL), so one she cannot see
/// is refused without saying whose it is.
pub fn visible_car(
    ctx: &Ctx,
    id: i64,
    car: Option<Car>,
    server_scoped: bool,
) -> anyhow::Result<Car> {
    let scope = ctx.visible_divisions()?;
    let car = match (car, &scope) {
        (Some(car), _) => car,
        (None, Some(scope)) if server_scoped => {
            return Err(refused(format!(
                "there is no CAR-{id} among your divisions ({})",
                scope.join(", ")
            )))
        }
        (None, _) => return Err(failed(format!("there is no CAR-{id}"))),
    };
    if let Some(scope) = scope {
        if !scope.contains(&car.division) {
            return Err(refused(format!(
                "CAR-{id} belongs to {}, which is not among your divisions ({})",
                inert(&car.division),
                scope.join(", ")
            )));
        }
    }
    Ok(car)
}
