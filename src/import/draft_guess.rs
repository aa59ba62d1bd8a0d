//! The guesses of a draft, field by field: each takes the free column that scores best on its
//! name and values, and says why.

use super::draft::{shown, Guess};
use super::draft_columns::{email, phone, score_0_10, yes_no, Col, DateKit, DATE_FORMATS};
use super::draft_hints::*;
use super::profile::DateOrder;

pub(super) struct Drafting<'c, 'a> {
    pub(super) cols: &'c [Col<'a>],
    pub(super) taken: Vec<bool>,
    pub(super) guesses: Vec<Guess>,
    pub(super) warnings: Vec<String>,
    /// No rows were read: names alone decide.
    pub(super) none: bool,
}

impl<'c, 'a> Drafting<'c, 'a> {
    /// Columns still free to map, in the header's order.
    fn free(&self) -> impl Iterator<Item = &'c Col<'a>> + '_ {
        self.cols.iter().filter(|c| c.usable && !self.taken[c.idx])
    }

    /// The free column scoring highest (the leftmost among equals), if any scores at all.
    fn best(&self, score: impl Fn(&Col) -> Option<i64>) -> Option<&'c Col<'a>> {
        let mut best: Option<(i64, &Col)> = None;
        for c in self.free() {
            if let Some(s) = score(c) {
                if best.is_none_or(|(b, _)| s > b) {
                    best = Some((s, c));
                }
            }
        }
        best.map(|(_, c)| c)
    }

    fn take(&mut self, field: &'static str, col: &Col, why: String) {
        self.taken[col.idx] = true;
        self.guesses.push(Guess {
            field,
            column: col.name.to_string(),
            why,
        });
    }

    pub(super) fn column_of(&self, field: &str) -> Option<&'c Col<'a>> {
        let g = self.guesses.iter().find(|g| g.field == field)?;
        self.cols.iter().find(|c| c.name == g.column)
    }

    /// Content that passes, or no rows to tell.
    fn holds(&self, c: &Col, test: impl Fn(&Col) -> bool) -> bool {
        self.none || test(c)
    }

    pub(super) fn guess_fields(&mut self) {
        self.received_and_responded();
        self.external_id();
        self.texts();
        self.contact();
        self.scores();
        self.by_name_and_values();
    }

    fn received_and_responded(&mut self) {
        let received = self.best(|c| {
            let dated = c.is_date() || (self.none && c.named(RECEIVED));
            dated.then(|| {
                2 * i64::from(c.named(RECEIVED)) - 2 * i64::from(c.named(RESPONDED))
                    + i64::from(c.values.len() == c.rows)
            })
        });
        match received {
            Some(c) => {
                let why = match c.named(RECEIVED) {
                    true => format!("dates such as {}, and the name says received", shown(c.example())),
                    false => format!("dates such as {}", shown(c.example())),
                };
                self.take("received_at", c, why);
            }
            None => self.warnings.push(
                "no column holds dates in a format the draft knows: write the received_at column and its dates.formats by hand".into(),
            ),
        }
        if let Some(c) =
            self.best(|c| ((c.is_date() || self.none) && c.named(RESPONDED)).then_some(0))
        {
            self.take(
                "responded_at",
                c,
                format!(
                    "dates such as {}, and the name says answered",
                    shown(c.example())
                ),
            );
        }
    }

    fn external_id(&mut self) {
        let id_score = |c: &Col| {
            3 * i64::from(c.named(ID)) + 2 * i64::from(c.named(ID_KIND))
                - 3 * i64::from(c.named(PERSON))
        };
        let unique =
            self.best(|c| (c.unique() && !c.long_text() && !c.is_date()).then(|| id_score(c)));
        if let Some(c) = unique {
            let why = format!("unique in the {} rows read", c.rows);
            return self.take("external_id", c, why);
        }
        let named = self.best(|c| (!c.long_text() && !c.is_date()).then(|| id_score(c)));
        if let Some(c) = named {
            if !self.none {
                self.warnings.push(format!(
                    "no column is unique in the rows read; {:?} is the external id, so rows that share one update each other: check it",
                    c.name
                ));
            }
            self.take("external_id", c, "the name looks like an id".into());
        }
    }

    fn texts(&mut self) {
        let complaint = self.best(|c| {
            (self.holds(c, |c| c.long_text()) && !c.named(RESPONSE))
                .then(|| 100_000 * i64::from(c.named(COMPLAINT)) + c.avg_chars as i64)
        });
        let complaint = complaint.or_else(|| {
            let c = self.best(|c| (!c.is_date()).then_some(c.avg_chars as i64))?;
            self.warnings.push(format!(
                "no column holds long free text; {:?} is taken for the complaint: check it",
                c.name
            ));
            Some(c)
        });
        if let Some(c) = complaint {
            let why = format!("free text, {} characters on average", c.avg_chars);
            self.take("complaint", c, why);
        }
        if let Some(c) = self.best(|c| {
            (c.named(RESPONSE) && !c.is_date() && self.holds(c, |c| !c.values.is_empty()))
                .then(|| i64::from(c.long_text()))
        }) {
            self.take("response", c, "the name says it is the reply".into());
        }
    }

    fn contact(&mut self) {
        if let Some(c) = self.best(|c| {
            (self.holds(c, |c| c.mostly(email)) && (!self.none || c.named(CONTACT)))
                .then(|| i64::from(c.named(CONTACT)))
        }) {
            return self.take("contact", c, "e-mail addresses".into());
        }
        if let Some(c) = self.best(|c| (c.named(CONTACT) && c.mostly(phone)).then_some(0)) {
            self.take(
                "contact",
                c,
                "phone numbers, and the name says contact".into(),
            );
        }
    }

    fn scores(&mut self) {
        if let Some(c) = self.best(|c| {
            let high = c
                .values
                .iter()
                .any(|v| v.parse::<f64>().is_ok_and(|n| n > 5.0));
            let named = c.named(RECOMMEND) || (c.named(SCORE) && high);
            (named && self.holds(c, |c| c.all(score_0_10))).then_some(0)
        }) {
            self.take(
                "likelihood",
                c,
                "whole numbers from 0 to 10, and the name says recommend or score".into(),
            );
        }
        if let Some(c) =
            self.best(|c| (c.named(WISH) && self.holds(c, |c| c.all(yes_no))).then_some(0))
        {
            self.take(
                "wants_contact",
                c,
                "yes/no values, and the name says contact".into(),
            );
        }
    }

    fn by_name_and_values(&mut self) {
        let none = self.none;
        let few = move |c: &Col| c.few_values() || none;
        if let Some(c) = self.best(|c| {
            let rank = if c.named(DIVISION) {
                2
            } else {
                i64::from(c.named(DIVISION_WEAK))
            };
            (rank > 0 && few(c) && !c.named(CHANNEL)).then_some(rank)
        }) {
            let why = format!(
                "{} distinct values, such as {}",
                c.distinct,
                shown(c.example())
            );
            self.take("division", c, why);
        }
        let named = |hints: &'static [&'static str], few_only: bool| {
            move |c: &Col| {
                (c.named(hints) && !c.is_date() && !c.long_text() && (!few_only || few(c)))
                    .then_some(0)
            }
        };
        let rest: [(&'static str, &'static [&'static str], bool); 5] = [
            ("channel", CHANNEL, true),
            ("subject", SUBJECT, false),
            ("product", PRODUCT, false),
            ("customer", CUSTOMER, false),
            ("responder", RESPONDER, false),
        ];
        for (field, hints, few_only) in rest {
            if let Some(c) = self.best(named(hints, few_only)) {
                let why = format!("the name, and values such as {}", shown(c.example()));
                self.take(field, c, why);
            }
        }
    }

    /// The formats and order of the mapped date columns.
    pub(super) fn dates(&mut self, kit: &DateKit) -> (Vec<String>, DateOrder, String) {
        let dated: Vec<&Col> = ["received_at", "responded_at"]
            .iter()
            .filter_map(|f| self.column_of(f))
            .filter(|c| c.is_date())
            .collect();
        let mut orders = Vec::new();
        for &c in &dated {
            let formats = c.dates.as_deref().unwrap_or_default();
            match kit.order(c.name, formats, &c.values) {
                Ok(o) => orders.push((o, c)),
                Err(e) => self
                    .warnings
                    .push(format!("{e} (or write dates.order into the profile)")),
            }
        }
        let settled: Vec<DateOrder> = orders
            .iter()
            .map(|(o, _)| *o)
            .filter(|o| *o != DateOrder::Auto)
            .collect();
        let (order, why) = match settled.first() {
            Some(&o) if orders.len() == dated.len() && settled.iter().all(|s| *s == o) => {
                let (first, other) = match o {
                    DateOrder::Dmy => ("day", DateOrder::Mdy),
                    _ => ("month", DateOrder::Dmy),
                };
                // A value that reads in this order only: the one that settles it.
                let telling = orders.iter().find_map(|(_, c)| {
                    let formats = c.dates.as_deref().unwrap_or_default();
                    let v = c.values.iter().find(|v| {
                        kit.kept(formats, &[v], other).is_empty()
                            && !kit.kept(formats, &[v], o).is_empty()
                    })?;
                    Some((*v, c.name))
                });
                let why = match telling {
                    Some((v, col)) => {
                        format!("{first} first: {} in {col:?} reads only that way", shown(v))
                    }
                    None => format!("{first} first"),
                };
                (o, why)
            }
            _ if dated.is_empty() => (DateOrder::Auto, "no date column was found".into()),
            _ => (
                DateOrder::Auto,
                "the importer tells day-first from month-first by the data".into(),
            ),
        };
        let mut used = vec![false; DATE_FORMATS.len()];
        for &c in &dated {
            let formats = c.dates.as_deref().unwrap_or_default();
            for i in kit.kept(formats, &c.values, order) {
                used[i] = true;
            }
        }
        let mut formats: Vec<String> = (0..used.len())
            .filter(|&i| used[i])
            .map(|i| DATE_FORMATS[i].to_string())
            .collect();
        if formats.is_empty() {
            formats = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"].map(String::from).to_vec();
        }
        (formats, order, why)
    }
}
