//! A customer's complaints across sources, by the normalised key each import stores
//! (`domain::customer`): the repeat check and the list of a customer's other complaints.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::flag_reads::scope_param;
use crate::domain::customer;

/// A repeat found by [`repeats`]: written as a `repeat` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    pub complaint_id: i64,
    pub received_at: i64,
    pub division: String,
    /// Which complaint of the customer's in the window this is (3 = the third).
    pub ordinal: i64,
}

/// The repeats among the complaints of `customers` (None: every customer), with a window of
/// `days`, in complaint order. One customer's complaints are judged together, so a refresh can
/// be limited to the customers an import touched. The others are named when a repeat is read
/// ([`explain`]), not here: a store of regular customers has nearly as many repeats as
/// complaints.
pub fn repeats(
    conn: &Connection,
    days: i64,
    customers: Option<&[String]>,
) -> rusqlite::Result<Vec<Repeat>> {
    let mut scan = RepeatScan::new(days);
    // By the key's number, as the updates for what changed read a customer's complaints
    // (`repeat_update`): two keys of one number (a 63-bit hash) would count as one customer.
    let numbers: Option<Vec<i64>> =
        customers.map(|ks| ks.iter().map(|k| customer::number(k)).collect());
    let numbers = numbers.map(|n| serde_json::to_string(&n).unwrap_or_else(|_| "[]".into()));
    let mut st = conn.prepare_cached(
        "SELECT customer_no, received_at, id FROM complaints
         WHERE customer_no IS NOT NULL
           AND (?1 IS NULL OR customer_no IN (SELECT value FROM json_each(?1)))
         ORDER BY customer_no, received_at, id",
    )?;
    let mut rows = st.query(params![numbers])?;
    while let Some(r) = rows.next()? {
        scan.add(r.get(0)?, r.get(1)?, r.get(2)?);
    }
    let found = scan.finish();
    // Divisions looked up in id order, which walks the table once.
    let mut division = conn.prepare_cached("SELECT division FROM complaints WHERE id = ?1")?;
    let mut out = Vec::with_capacity(found.len());
    for (id, received_at, ordinal) in found {
        out.push(Repeat {
            complaint_id: id,
            received_at,
            division: division.query_row(params![id], |r| r.get(0))?,
            ordinal,
        });
    }
    Ok(out)
}

/// Finds repeats among complaints read in (customer number, received, id) order.
pub(super) struct RepeatScan {
    window: i64,
    key: Option<i64>,
    dated: Vec<(i64, i64)>,
    found: Vec<(i64, i64, i64)>,
}

impl RepeatScan {
    pub(super) fn new(days: i64) -> RepeatScan {
        RepeatScan {
            window: days.saturating_mul(86_400),
            key: None,
            dated: Vec::new(),
            found: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, customer_no: i64, received_at: i64, id: i64) {
        if Some(customer_no) != self.key {
            self.judge();
            self.key = Some(customer_no);
        }
        self.dated.push((received_at, id));
    }

    fn judge(&mut self) {
        for (i, first) in customer::repeats(&self.dated, self.window) {
            let (at, id) = self.dated[i];
            self.found.push((id, at, (i - first + 1) as i64));
        }
        self.dated.clear();
    }

    /// (complaint, received, ordinal) of each repeat, in complaint order.
    pub(super) fn finish(mut self) -> Vec<(i64, i64, i64)> {
        self.judge();
        self.found.sort_unstable_by_key(|f| f.0);
        self.found
    }
}

/// A stored repeat in words: "3rd complaint from this customer in 90 days (T-1, T-2)", naming
/// the customer's complaints in the `days` before it, oldest first.
pub fn explain(
    conn: &Connection,
    complaint_id: i64,
    ordinal: i64,
    days: i64,
) -> rusqlite::Result<String> {
    let mut st = conn.prepare_cached(
        "SELECT o.external_id FROM complaints c
             JOIN customer_links k ON k.customer_no = c.customer_no
             JOIN complaints o ON o.id = k.complaint_id AND o.customer_key = c.customer_key
         WHERE c.id = ?1 AND o.received_at >= c.received_at - ?2
           AND (o.received_at < c.received_at OR (o.received_at = c.received_at AND o.id < c.id))
         ORDER BY o.received_at, o.id LIMIT ?3",
    )?;
    let names = st
        .query_map(
            params![
                complaint_id,
                days.saturating_mul(86_400),
                customer::NAMED_OTHERS as i64
            ],
            |r| r.get::<_, String>(0),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let named: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(customer::explain_repeat(ordinal, days, &named))
}

/// Another complaint of the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Other {
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub division: String,
    pub received_at: i64,
}

/// The customer's complaints other than `except`, the newest first, within `divisions` (None:
/// all), at most `limit`.
pub fn others(
    conn: &Connection,
    key: &str,
    except: i64,
    divisions: Option<&[String]>,
    limit: i64,
) -> rusqlite::Result<Vec<Other>> {
    let mut st = conn.prepare_cached(
        "SELECT c.id, c.source, c.external_id, c.division, c.received_at
         FROM customer_links k JOIN complaints c ON c.id = k.complaint_id
         WHERE k.customer_no = ?5 AND c.customer_key = ?1 AND c.id <> ?2
           AND (?3 IS NULL OR c.division IN (SELECT value FROM json_each(?3)))
         ORDER BY c.received_at DESC, c.id DESC LIMIT ?4",
    )?;
    let no = customer::number(key);
    let rows = st.query_map(
        params![key, except, scope_param(divisions), limit, no],
        |r| {
            Ok(Other {
                id: r.get(0)?,
                source: r.get(1)?,
                external_id: r.get(2)?,
                division: r.get(3)?,
                received_at: r.get(4)?,
            })
        },
    )?;
    rows.collect()
}

/// Links every complaint to its customer again, as a checks refresh does (updates link the
/// complaints they judge: `repeat_update`).
pub fn relink(conn: &Connection) -> rusqlite::Result<()> {
    // Without a WHERE clause SQLite drops the pages wholesale rather than row by row.
    conn.execute_batch(
        "DELETE FROM customer_complaints; DELETE FROM customer_links_recent;
         INSERT INTO customer_complaints
             SELECT customer_no, received_at, id FROM complaints WHERE customer_no IS NOT NULL
             ORDER BY 1, 2, 3;",
    )
}

/// A complaint's customer key, if it has one.
pub fn key_of(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT customer_key FROM complaints WHERE id = ?1")?
        .query_row(params![id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}
