//! A draw's conditions (`domain::population::Cond`) as WHERE clauses over `complaints c`,
//! assembled from fixed fragments with their bound values.

use rusqlite::types::Value;

use crate::domain::population::{Cond, RuleMatch};
use crate::domain::sample::Filters;

/// A WHERE clause assembled from fixed fragments, with its bound values.
pub(super) struct Where {
    sql: Vec<&'static str>,
    pub(super) values: Vec<Value>,
}

impl Where {
    fn and(&mut self, fragment: &'static str, values: Vec<Value>) {
        self.sql.push(fragment);
        self.values.extend(values);
    }

    pub(super) fn clause(&self) -> String {
        self.sql.join(" AND ")
    }

    /// The condition in SQL over `complaints c`.
    pub(super) fn of(cond: &Cond) -> Where {
        let mut w = Where {
            sql: vec!["1"],
            values: Vec::new(),
        };
        if let Some(f) = cond.filters {
            w.filters(f);
        }
        if let Some((lo, hi)) = cond.ids {
            w.and(
                "c.id BETWEEN ? AND ?",
                vec![Value::Integer(lo), Value::Integer(hi)],
            );
        }
        if let Some(rule) = &cond.rule {
            w.rule(rule, cond.ids);
        }
        if let Some(d) = cond.division {
            w.and("c.division = ?", vec![Value::Text(d.to_string())]);
        }
        if let Some(ids) = cond.among {
            w.and(
                "c.id IN (SELECT value FROM json_each(?))",
                vec![Value::Text(
                    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()),
                )],
            );
        }
        w
    }

    fn filters(&mut self, f: &Filters) {
        if let Some(s) = f.since {
            self.and("c.received_at >= ?", vec![Value::Integer(s)]);
        }
        if let Some(u) = f.until {
            self.and("c.received_at < ?", vec![Value::Integer(u)]);
        }
        let lists: [(&'static str, &Vec<String>); 4] = [
            (
                "c.division IN (SELECT value FROM json_each(?))",
                &f.divisions,
            ),
            ("c.source IN (SELECT value FROM json_each(?))", &f.sources),
            ("c.channel IN (SELECT value FROM json_each(?))", &f.channels),
            ("c.product IN (SELECT value FROM json_each(?))", &f.products),
        ];
        for (fragment, xs) in lists {
            if !xs.is_empty() {
                self.and(fragment, vec![json_list(xs)]);
            }
        }
    }

    /// A rule's condition; `range` narrows a phrase search to an id range, which the search
    /// index can use to skip most of its postings.
    fn rule(&mut self, rule: &RuleMatch, range: Option<(i64, i64)>) {
        match rule {
            RuleMatch::LikelihoodAtMost(max) => {
                self.and("c.likelihood <= ?", vec![Value::Integer(i64::from(*max))])
            }
            RuleMatch::WantsContact => self.and("c.wants_contact = 1", vec![]),
            RuleMatch::Canned => {
                self.and("c.id IN (SELECT complaint_id FROM canned_members)", vec![])
            }
            RuleMatch::Flagged(r) => self.and(
                "c.id IN (SELECT complaint_id FROM complaint_flags WHERE flag = ?)",
                vec![Value::Text(r.name().into())],
            ),
            RuleMatch::Phrases(phrases) => {
                let q = Value::Text(phrase_query(phrases));
                match range {
                    Some((lo, hi)) => self.and(
                        "c.id IN (SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH ? AND rowid BETWEEN ? AND ?)",
                        vec![q, Value::Integer(lo), Value::Integer(hi)],
                    ),
                    None => self.and(
                        "c.id IN (SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH ?)",
                        vec![q],
                    ),
                }
            }
        }
    }
}

fn json_list(xs: &[String]) -> Value {
    Value::Text(serde_json::to_string(xs).unwrap_or_else(|_| "[]".into()))
}

/// An FTS5 query matching any of the phrases in the complaint text.
pub fn phrase_query(phrases: &[String]) -> String {
    let ors: Vec<String> = phrases
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
        .collect();
    format!("complaint_text : ({})", ors.join(" OR "))
}

/// The phrases a [`phrase_query`] was made of (blank ones were left out); None for any other
/// text.
pub fn phrases_of_query(query: &str) -> Option<Vec<String>> {
    let mut rest = query
        .strip_prefix("complaint_text : (")?
        .strip_suffix(')')?;
    let mut phrases = Vec::new();
    while !rest.is_empty() {
        if !phrases.is_empty() {
            rest = rest.strip_prefix(" OR ")?;
        }
        rest = rest.strip_prefix('"')?;
        let mut phrase = String::new();
        loop {
            let at = rest.find('"')?;
            phrase.push_str(&rest[..at]);
            rest = &rest[at + 1..];
            match rest.strip_prefix('"') {
                Some(more) => {
                    phrase.push('"');
                    rest = more;
                }
                None => break,
            }
        }
        phrases.push(phrase);
    }
    Some(phrases)
}

#[cfg(test)]
mod tests {
    use super::{phrase_query, phrases_of_query};

    #[test]
    fn a_phrase_query_gives_back_its_phrases() {
        let phrases: Vec<String> = ["speak to a manager", "say \"no\"", " OR \"", "x"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        let q = phrase_query(&phrases);
        assert_eq!(phrases_of_query(&q), Some(phrases));
        let blank = phrase_query(&["  ".to_string(), "late".to_string()]);
        assert_eq!(phrases_of_query(&blank), Some(vec!["late".to_string()]));
        assert_eq!(phrases_of_query(&phrase_query(&[])), Some(vec![]));
        assert_eq!(phrases_of_query("late OR manager"), None);
        assert_eq!(phrases_of_query("complaint_text : (\"a\" \"b\")"), None);
    }
}
