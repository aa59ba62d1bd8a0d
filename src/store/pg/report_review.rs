//! The review pack's questions about the decisions (`store::report_review`), answered from the
//! PostgreSQL store's report transaction. Decisions and sample items are read with their
//! complaint's division, so a division head's scope costs no lookup per complaint.

use std::collections::{HashMap, HashSet};

use crate::domain::decision::{Decision, Kind};
use crate::store::report_review::{DecisionRow, ReviewSource, SampleRow};
use crate::store::StoreError;

use super::report::Reader;

impl ReviewSource for Reader<'_> {
    type Error = StoreError;

    fn division(&mut self, complaint_id: i64) -> Result<Option<String>, StoreError> {
        let rows = self.query(
            "SELECT division FROM complaints WHERE id = $1",
            &[&complaint_id],
        )?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn sampled_among(&mut self, ids: &[i64]) -> Result<HashSet<i64>, StoreError> {
        let rows = self.query(
            "SELECT DISTINCT complaint_id FROM sample_items WHERE complaint_id = ANY($1)",
            &[&ids],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn retracted(&mut self) -> Result<HashSet<i64>, StoreError> {
        let rows = self.query(
            "SELECT retracts FROM decisions WHERE retracts IS NOT NULL",
            &[],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn decisions_made(&mut self, start: i64, end: i64) -> Result<Vec<DecisionRow>, StoreError> {
        let rows = self.query(
            "SELECT d.id, d.complaint_id, d.kind, d.at, d.reasons, c.division
             FROM decisions d JOIN complaints c ON c.id = d.complaint_id
             WHERE d.at >= $1 AND d.at < $2 ORDER BY d.id",
            &[&start, &end],
        )?;
        Ok(rows
            .iter()
            .map(|r| DecisionRow {
                id: r.get(0),
                complaint_id: r.get(1),
                kind: r.get(2),
                at: r.get(3),
                reasons: r.get(4),
                division: r.get(5),
            })
            .collect())
    }

    fn samples_drawn(&mut self, start: i64, end: i64) -> Result<Vec<SampleRow>, StoreError> {
        let rows = self.query(
            "SELECT s.id, s.label, s.population, s.confidence, si.complaint_id, si.reason,
                 s.strata, c.division
             FROM samples s JOIN sample_items si ON si.sample_id = s.id
                 JOIN complaints c ON c.id = si.complaint_id
             WHERE s.drawn_at >= $1 AND s.drawn_at < $2 ORDER BY s.id, si.position",
            &[&start, &end],
        )?;
        rows.iter()
            .map(|r| {
                let sample_id: i64 = r.get(0);
                let strata: Option<String> = r.get(6);
                let strata = strata
                    .map(|s| serde_json::from_str(&s))
                    .transpose()
                    .map_err(|e| self.said(format!("sample {sample_id}: its strata: {e}")))?;
                Ok(SampleRow {
                    sample_id,
                    label: r.get(1),
                    population: r.get(2),
                    confidence: r.get(3),
                    strata,
                    complaint_id: r.get(4),
                    reason: r.get(5),
                    division: r.get(7),
                })
            })
            .collect()
    }

    fn decisions_of(&mut self, ids: &[i64]) -> Result<HashMap<i64, Vec<Decision>>, StoreError> {
        let rows = self.query(
            "SELECT id, complaint_id, sample_id, kind, actor, actor_name, actor_title, at, reasons,
                 due_at, retracts, text_hash
             FROM decisions WHERE complaint_id = ANY($1)
             ORDER BY complaint_id, id",
            &[&ids],
        )?;
        let mut out: HashMap<i64, Vec<Decision>> = HashMap::new();
        for r in rows {
            let kind: String = r.get(3);
            let d = Decision {
                id: r.get(0),
                complaint_id: r.get(1),
                sample_id: r.get(2),
                kind: Kind::parse(&kind).unwrap_or(Kind::Retract),
                actor: r.get(4),
                actor_name: r.get(5),
                actor_title: r.get(6),
                at: r.get(7),
                statement: None,
                reasons: r.get(8),
                note: None,
                due_at: r.get(9),
                body: None,
                retracts: r.get(10),
                text_hash: r.get(11),
                prev_hash: String::new(),
                hash: String::new(),
                signature: None,
            };
            out.entry(d.complaint_id).or_default().push(d);
        }
        Ok(out)
    }

    fn text_hashes(&mut self, ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
        let hashes = super::text::text_hashes(&mut self.tx, ids).map_err(|e| self.fail(e))?;
        match ids.iter().find(|id| !hashes.contains_key(id)) {
            Some(id) => Err(self.said(format!(
                "complaint {id} is not in the store, or not yours to see"
            ))),
            None => Ok(hashes),
        }
    }
}
