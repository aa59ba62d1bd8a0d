//! One CSV record → a validated complaint (or a reply to one), or the reason it was rejected.

use csv::ByteRecord;

use super::dates::DateParser;
// The fields a profile can map, in the order of `Field`.
use super::profile::{Column, Profile, FIELD_NAMES as FIELDS};
use crate::domain::text::quoted;
use crate::domain::thread::Author;
use crate::domain::Complaint;

/// A mapped record.
// Almost every record is a complaint, moved along without boxing: a box would be one more
// allocation per row of a large import.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Mapped {
    Complaint(Complaint),
    /// One message of a threaded export (`[link]` or `[thread]` profiles): the row's fields as
    /// a complaint (its id, time, author as customer and text as complaint text), who wrote
    /// it, and the id of the message it answers.
    Message(Box<RowMessage>),
}

#[derive(Debug, Clone)]
pub struct RowMessage {
    pub complaint: Complaint,
    pub author: Author,
    pub reply_to: Option<String>,
}

/// How a threaded export's rows are told apart.
#[derive(Debug, Clone)]
enum Threading {
    /// Rows answer other rows by id; `direction` tells the customer's from the company's.
    Link {
        direction: usize,
        inbound: Vec<String>,
        reply_to: usize,
    },
    /// Rows of one ticket share its id; a column names the author's kind (lower-cased values).
    Ticket {
        column: usize,
        kinds: Vec<(String, Author)>,
    },
}

/// Column positions of one field.
#[derive(Debug, Clone)]
struct Slot {
    name: &'static str,
    header: String,
    idx: Vec<usize>,
    sep: String,
}

/// A field by position in `FIELDS`: looked up per row, so not by name.
#[derive(Debug, Clone, Copy)]
enum Field {
    ExternalId,
    ReceivedAt,
    Complaint,
    Division,
    Channel,
    Customer,
    Contact,
    Product,
    Subject,
    Response,
    RespondedAt,
    Responder,
    Likelihood,
    WantsContact,
    ComplaintFallback,
    OutcomeResponse,
    OutcomePublicResponse,
    OutcomeTimely,
    OutcomeDisputed,
}

impl Field {
    fn name(self) -> &'static str {
        FIELDS[self as usize]
    }
}

/// How one field is filled: from which columns, mapped how, defaulting to what.
#[derive(Debug, Clone, Default)]
struct Rule {
    slot: Option<Slot>,
    values: Option<std::collections::BTreeMap<String, String>>,
    default: Option<String>,
}

/// A record's fields as text.
struct Row<'r> {
    fields: Vec<&'r str>,
    /// Some field holds a CR (to become LF); usually none does, the decoder having made line
    /// breaks LF already.
    cr: bool,
}

pub struct Mapper {
    width: usize,
    header: Vec<String>,
    rules: Vec<Rule>,
    source: String,
    received: DateParser,
    responded: DateParser,
    threading: Option<Threading>,
    ids: super::profile::Ids,
    customer_kind: crate::domain::customer::IdKind,
    /// The import's clock (Unix seconds): no complaint is received after it.
    now: i64,
}

/// 1900-01-01T00:00:00Z.
const EARLIEST_RECEIVED: i64 = -2_208_988_800;

impl Mapper {
    /// `header` is the header record; columns a profile marks optional may be missing.
    pub fn new(
        profile: &Profile,
        header: &[String],
        source: &str,
        received: DateParser,
        responded: DateParser,
    ) -> Mapper {
        // By any name the profile accepts for the column (see `normalize_header`).
        let find = |col: &str| profile.find_column(header, col);
        let slots: Vec<Slot> = profile
            .fields
            .all()
            .into_iter()
            .map(|(name, col)| {
                let idx: Vec<usize> = col.columns().iter().filter_map(|c| find(c)).collect();
                // Messages name the columns as the file writes them.
                let header = if idx.is_empty() {
                    col.columns().join(" + ")
                } else {
                    let written: Vec<&str> = idx
                        .iter()
                        .map(|&i| header[i].trim_start_matches('\u{feff}').trim())
                        .collect();
                    written.join(" + ")
                };
                Slot {
                    name,
                    header,
                    idx,
                    sep: match col {
                        Column::Joined { .. } => col.separator().to_string(),
                        _ if matches!(name, "complaint" | "response") => "\n\n".into(),
                        _ => col.separator().to_string(),
                    },
                }
            })
            .collect();
        let link = profile.link.as_ref().and_then(|l| {
            Some(Threading::Link {
                direction: find(&l.direction)?,
                inbound: l.inbound_values.iter().map(|v| v.to_lowercase()).collect(),
                reply_to: find(&l.reply_to)?,
            })
        });
        let ticket = profile.thread.as_ref().and_then(|t| {
            let lower = |vs: &[String], a: Author| {
                vs.iter()
                    .map(move |v| (v.trim().to_lowercase(), a))
                    .collect::<Vec<_>>()
            };
            let mut kinds = lower(&t.customer_values, Author::Customer);
            kinds.extend(lower(&t.company_values, Author::Company));
            kinds.extend(lower(&t.note_values, Author::Note));
            Some(Threading::Ticket {
                column: find(&t.author_type)?,
                kinds,
            })
        });
        let lower = |m: &std::collections::BTreeMap<String, String>| {
            m.iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v.clone()))
                .collect()
        };
        let rules = FIELDS
            .iter()
            .map(|&name| Rule {
                slot: slots.iter().find(|s| s.name == name).cloned(),
                values: profile.values.get(name).map(lower),
                default: profile.defaults.get(name).cloned(),
            })
            .collect();
        Mapper {
            width: header.len(),
            header: header.to_vec(),
            rules,
            source: source.to_string(),
            received,
            responded,
            threading: link.or(ticket),
            ids: profile.ids,
            customer_kind: profile.customer_id_kind,
            now: i64::MAX - 86_400,
        }
    }

    /// The import's clock: received dates more than a day after it are rejected.
    pub fn with_now(mut self, now: i64) -> Mapper {
        self.now = now;
        self
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    fn rule(&self, f: Field) -> &Rule {
        &self.rules[f as usize]
    }

    /// Writes the text of a field into `out`: its columns' non-empty values joined, then the
    /// value map, then the profile's default; false when there is none. CRLF inside fields
    /// becomes LF, so a re-saved file is not a change. `out` is a buffer to reuse.
    fn text_into(&self, rec: &Row, f: Field, out: &mut String) -> bool {
        let rule = self.rule(f);
        out.clear();
        if let Some(s) = &rule.slot {
            for &i in &s.idx {
                let v = rec.fields[i].trim();
                if v.is_empty() {
                    continue;
                }
                if !out.is_empty() {
                    out.push_str(&s.sep);
                }
                out.push_str(v);
            }
        }
        if out.is_empty() {
            match &rule.default {
                Some(d) => out.push_str(d),
                None => return false,
            }
        } else if let Some(mapped) = rule
            .values
            .as_ref()
            .and_then(|m| m.get(&out.to_lowercase()))
        {
            out.clear();
            out.push_str(mapped);
        }
        if rec.cr && memchr::memchr(b'\r', out.as_bytes()).is_some() {
            *out = out.replace("\r\n", "\n").replace('\r', "\n");
        }
        true
    }

    fn text(&self, rec: &Row, f: Field) -> Option<String> {
        let mut s = String::new();
        self.text_into(rec, f, &mut s).then_some(s)
    }

    /// An optional field, reusing the buffer `slot` may hold.
    fn optional(&self, rec: &Row, f: Field, slot: &mut Option<String>) {
        let mut s = slot.take().unwrap_or_default();
        if self.text_into(rec, f, &mut s) {
            *slot = Some(s);
        }
    }

    fn required(&self, rec: &Row, f: Field, out: &mut String) -> Result<(), String> {
        if self.text_into(rec, f, out) {
            return Ok(());
        }
        Err(format!(
            "field {} (column {:?}) is empty",
            f.name(),
            self.column_of(f)
        ))
    }

    fn column_of(&self, f: Field) -> String {
        self.rule(f)
            .slot
            .as_ref()
            .map(|s| s.header.clone())
            .unwrap_or_else(|| f.name().to_string())
    }

    /// A date field: None when empty, else Unix seconds or the reason it is not a date.
    fn date(&self, rec: &Row, f: Field, parser: &DateParser) -> Result<Option<i64>, String> {
        let rule = self.rule(f);
        // One column, no value map: read the value in place.
        let direct = match &rule.slot {
            Some(s) if s.idx.len() == 1 && rule.values.is_none() => {
                Some(rec.fields[s.idx[0]].trim()).filter(|v| !v.is_empty() && !rec.cr)
            }
            _ => None,
        };
        let owned;
        let v = match direct {
            Some(v) => v,
            None => match self.text(rec, f) {
                Some(v) => {
                    owned = v;
                    owned.as_str()
                }
                None => return Ok(None),
            },
        };
        parser
            .parse(v)
            .map(Some)
            .map_err(|e| format!("column {:?}: {e}", self.column_of(f)))
    }

    /// A received date before 1900 or more than a day ahead of the import's clock is a
    /// mistake in the export, and one that would upset every figure computed by date.
    fn sane_received(&self, t: i64) -> Result<(), String> {
        let shown = || {
            chrono::DateTime::from_timestamp(t, 0)
                .map_or_else(|| t.to_string(), |d| d.format("%Y-%m-%d %H:%M").to_string())
        };
        let why = if t < EARLIEST_RECEIVED {
            "before 1900"
        } else if t > self.now.saturating_add(86_400) {
            "more than a day ahead of now"
        } else {
            return Ok(());
        };
        Err(format!(
            "field received_at (column {:?}): {} UTC is {why}",
            self.column_of(Field::ReceivedAt),
            shown()
        ))
    }

    /// The record's fields as text, or why not. The whole record is checked at once (the
    /// common case), field by field only to name the column at fault.
    fn fields<'r>(&self, rec: &'r ByteRecord) -> Result<Row<'r>, String> {
        let bytes = rec.as_slice();
        let cr = memchr::memchr(b'\r', bytes).is_some();
        if memchr::memchr(0, bytes).is_none() {
            if let Ok(all) = std::str::from_utf8(bytes) {
                let fields: Option<Vec<&str>> = (0..rec.len())
                    .map(|i| {
                        let r = rec.range(i)?;
                        (all.is_char_boundary(r.start) && all.is_char_boundary(r.end))
                            .then(|| &all[r])
                    })
                    .collect();
                if let Some(fields) = fields {
                    return Ok(Row { fields, cr });
                }
            }
        }
        let mut fields = Vec::with_capacity(rec.len());
        for (i, raw) in rec.iter().enumerate() {
            let s = std::str::from_utf8(raw).map_err(|e| {
                format!(
                    "column {}: invalid UTF-8 at byte {}",
                    quoted(&self.header[i]),
                    e.valid_up_to()
                )
            })?;
            if s.contains('\0') {
                return Err(format!(
                    "column {}: contains a NUL byte",
                    quoted(&self.header[i])
                ));
            }
            fields.push(s);
        }
        Ok(Row { fields, cr })
    }

    /// Maps one record; the error is the reject reason, naming the column.
    pub fn map(&self, rec: &ByteRecord) -> Result<Mapped, String> {
        self.map_reusing(rec, Complaint::default())
    }

    /// As [`Mapper::map`], writing the complaint's text into the buffers of `c`, a complaint
    /// that is no longer needed: a large import then allocates little per row.
    pub fn map_reusing(&self, rec: &ByteRecord, spare: Complaint) -> Result<Mapped, String> {
        use Field::*;
        if rec.len() != self.width {
            return Err(format!(
                "expected {} fields as in the header, found {}",
                self.width,
                rec.len()
            ));
        }
        let rec = &self.fields(rec)?;
        // Every field is taken apart here and set below, so none keeps a value of its last row.
        let crate::domain::Complaint {
            mut source,
            mut external_id,
            received_at: _,
            mut channel,
            mut customer,
            mut contact,
            customer_key: _,
            mut division,
            mut product,
            mut subject,
            mut complaint_text,
            mut response_text,
            responded_at: _,
            mut responder,
            likelihood: _,
            wants_contact: _,
            text_from_fields: _,
            outcome: _,
            mut messages,
        } = spare;
        messages.clear();
        self.required(rec, ExternalId, &mut external_id)?;
        self.ids.normalise(&mut external_id);
        let received_at = self.date(rec, ReceivedAt, &self.received)?.ok_or_else(|| {
            format!(
                "field received_at (column {:?}) is empty",
                self.column_of(ReceivedAt)
            )
        })?;
        self.sane_received(received_at)?;
        let text_from_fields = self.complaint_or_fallback(rec, &mut complaint_text)?;
        self.required(rec, Division, &mut division)?;
        let mut v = String::new();
        let likelihood = match self.text_into(rec, Likelihood, &mut v) {
            false => None,
            true => Some(parse_likelihood(&v).ok_or_else(|| {
                format!(
                    "column {:?}: {} is not a whole number from 0 to 10",
                    self.column_of(Likelihood),
                    quoted(&v)
                )
            })?),
        };
        let wants_contact = match self.text_into(rec, WantsContact, &mut v) {
            false => None,
            true => match v.trim().to_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => {
                    return Err(format!(
                        "column {:?}: {} is not yes or no",
                        self.column_of(WantsContact),
                        quoted(&v)
                    ))
                }
            },
        };
        let responded_at = self.date(rec, RespondedAt, &self.responded)?;
        source.clear();
        source.push_str(&self.source);
        self.optional(rec, Channel, &mut channel);
        if let Some(ch) = &mut channel {
            if ch.is_ascii() {
                ch.make_ascii_lowercase();
            } else {
                *ch = ch.to_lowercase();
            }
        }
        self.optional(rec, Customer, &mut customer);
        self.optional(rec, Contact, &mut contact);
        let customer_key = crate::domain::customer::key_of(
            contact.as_deref(),
            customer.as_deref(),
            self.customer_kind,
            &source,
        );
        self.optional(rec, Product, &mut product);
        self.optional(rec, Subject, &mut subject);
        self.optional(rec, Response, &mut response_text);
        self.optional(rec, Responder, &mut responder);
        let c = crate::domain::Complaint {
            source,
            external_id,
            received_at,
            channel,
            customer,
            contact,
            customer_key,
            division,
            product,
            subject,
            complaint_text,
            response_text,
            responded_at,
            responder,
            likelihood,
            wants_contact,
            text_from_fields,
            outcome: self.outcome(rec),
            messages,
        };
        match &self.threading {
            None => Ok(Mapped::Complaint(c)),
            Some(t) => self.message(rec, t, c),
        }
    }

    /// A row of a threaded export: who wrote it, and what it answers.
    fn message(&self, rec: &Row, t: &Threading, c: Complaint) -> Result<Mapped, String> {
        let (author, reply_to) = match t {
            Threading::Link {
                direction,
                inbound,
                reply_to,
            } => {
                let is_inbound = inbound.contains(&rec.fields[*direction].trim().to_lowercase());
                let mut to = rec.fields[*reply_to].to_string();
                self.ids.normalise(&mut to);
                let to = (!to.is_empty()).then_some(to);
                if !is_inbound && to.is_none() {
                    return Err(format!(
                        "a reply (column {:?} is {}) that answers no message: column {:?} is empty",
                        self.header[*direction],
                        quoted(rec.fields[*direction]),
                        self.header[*reply_to]
                    ));
                }
                let author = if is_inbound {
                    Author::Customer
                } else {
                    Author::Company
                };
                (author, to)
            }
            Threading::Ticket { column, kinds } => {
                let v = rec.fields[*column].trim().to_lowercase();
                let Some((_, author)) = kinds.iter().find(|(k, _)| *k == v) else {
                    let known: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
                    return Err(format!(
                        "column {:?}: {} is not an author type the profile knows ({})",
                        self.header[*column],
                        quoted(rec.fields[*column]),
                        known.join(", ")
                    ));
                };
                (*author, None)
            }
        };
        Ok(Mapped::Message(Box::new(RowMessage {
            complaint: c,
            author,
            reply_to,
        })))
    }

    /// The complaint's text, or when it is empty the profile's `complaint_fallback`: true when
    /// the text came from the fallback.
    fn complaint_or_fallback(&self, rec: &Row, out: &mut String) -> Result<bool, String> {
        use Field::*;
        if self.text_into(rec, Complaint, out) {
            return Ok(false);
        }
        if self.rule(ComplaintFallback).slot.is_some()
            || self.rule(ComplaintFallback).default.is_some()
        {
            if self.text_into(rec, ComplaintFallback, out) {
                return Ok(true);
            }
            return Err(format!(
                "field complaint (column {:?}) is empty, and so is its fallback (column {:?})",
                self.column_of(Complaint),
                self.column_of(ComplaintFallback)
            ));
        }
        self.required(rec, Complaint, out).map(|()| false)
    }

    /// The outcome fields; None when the profile maps none or the row leaves them all empty.
    /// Timely and disputed read yes/no (or true/false); any other value (the CFPB's "N/A")
    /// is unknown.
    fn outcome(&self, rec: &Row) -> Option<crate::domain::Outcome> {
        use Field::*;
        let yes_no = |f: Field| {
            self.text(rec, f)
                .and_then(|v| match v.trim().to_lowercase().as_str() {
                    "yes" | "y" | "true" => Some(true),
                    "no" | "n" | "false" => Some(false),
                    _ => None,
                })
        };
        let o = crate::domain::Outcome {
            response: self.text(rec, OutcomeResponse),
            public_response: self.text(rec, OutcomePublicResponse),
            timely: yes_no(OutcomeTimely),
            disputed: yes_no(OutcomeDisputed),
        };
        (o != crate::domain::Outcome::default()).then_some(o)
    }

    /// The values of the date column(s) of a field, for order detection.
    pub fn date_column(&self, name: &str) -> (String, Vec<usize>) {
        match self
            .rules
            .iter()
            .filter_map(|r| r.slot.as_ref())
            .find(|s| s.name == name)
        {
            Some(s) => (s.header.clone(), s.idx.clone()),
            None => (name.to_string(), Vec::new()),
        }
    }

    pub fn parsers(&self) -> (&DateParser, &DateParser) {
        (&self.received, &self.responded)
    }

    pub fn parsers_mut(&mut self) -> (&mut DateParser, &mut DateParser) {
        (&mut self.received, &mut self.responded)
    }
}

fn parse_likelihood(v: &str) -> Option<u8> {
    let v = v.trim();
    let n: f64 = v.parse().ok()?;
    (n.fract() == 0.0 && (0.0..=10.0).contains(&n)).then_some(n as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::profile::resolve;
    use chrono::FixedOffset;

    fn mapper(name: &str, header: &[&str]) -> Mapper {
        let p = resolve(name, None).expect("profile");
        let h: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let dp = || {
            DateParser::new(
                &p.dates.formats,
                FixedOffset::east_opt(0).expect("utc"),
                p.dates.order,
            )
        };
        Mapper::new(&p, &h, &p.source, dp(), dp())
    }

    const HD: &[&str] = &[
        "Ticket ID",
        "Created",
        "Channel",
        "Requester",
        "Requester email",
        "Group",
        "Product",
        "Subject",
        "Description",
        "Public reply",
        "Replied",
        "Assignee",
        "Likelihood to recommend",
        "Wants contact",
    ];

    fn rec(fields: &[&str]) -> ByteRecord {
        ByteRecord::from(fields.to_vec())
    }

    #[test]
    fn helpdesk_row_maps() {
        let m = mapper("helpdesk", HD);
        let r = rec(&[
            "T-1",
            "2026-11-20 09:14:00",
            "E-mail",
            "Ann",
            "a@x",
            "Billing",
            "Card",
            "Billed twice",
            "Twice!\r\nReally.",
            "Sorry",
            "2026-11-21 10:00:00",
            "Agent 17",
            "2",
            "Yes",
        ]);
        let Ok(Mapped::Complaint(c)) = m.map(&r) else {
            panic!("not mapped")
        };
        assert_eq!(c.external_id, "T-1");
        assert_eq!(c.channel.as_deref(), Some("email"));
        assert_eq!(c.complaint_text, "Twice!\nReally.");
        assert_eq!(c.likelihood, Some(2));
        assert_eq!(c.wants_contact, Some(true));
        assert_eq!(c.responded_at, Some(c.received_at + 24 * 3600 + 46 * 60));
    }

    #[test]
    fn rejects_name_the_column() {
        let m = mapper("helpdesk", HD);
        let mut f = vec![
            "T-1",
            "2026-11-20 09:14:00",
            "",
            "Ann",
            "",
            "Billing",
            "",
            "",
            "Text",
            "",
            "",
            "",
            "11",
            "",
        ];
        let e = m.map(&rec(&f)).expect_err("11");
        assert!(e.contains("Likelihood to recommend"), "{e}");
        f[12] = "";
        f[1] = "yesterday";
        let e = m.map(&rec(&f)).expect_err("date");
        assert!(e.contains("Created") && e.contains("yesterday"), "{e}");
        f[1] = "2026-11-20";
        f[0] = " ";
        let e = m.map(&rec(&f)).expect_err("id");
        assert!(e.contains("Ticket ID"), "{e}");
        let e = m.map(&rec(&f[..5])).expect_err("ragged");
        assert!(e.contains("expected 14 fields"), "{e}");
    }

    #[test]
    fn social_replies_are_told_from_messages() {
        let h = [
            "tweet_id",
            "author_id",
            "inbound",
            "created_at",
            "text",
            "response_tweet_id",
            "in_response_to_tweet_id",
        ];
        let m = mapper("social", &h);
        let inbound = rec(&[
            "1",
            "115712",
            "True",
            "Wed Oct 11 06:55:44 +0000 2017",
            "@AcmeCare help",
            "2",
            "",
        ]);
        let reply = rec(&[
            "2",
            "AcmeCare",
            "False",
            "Wed Oct 11 07:00:00 +0000 2017",
            "We can help",
            "",
            "1",
        ]);
        let Ok(Mapped::Message(c)) = m.map(&inbound) else {
            panic!("inbound")
        };
        assert_eq!(c.author, Author::Customer);
        assert_eq!(c.reply_to, None);
        assert_eq!(c.complaint.division, "Support");
        assert_eq!(c.complaint.channel.as_deref(), Some("social"));
        let Ok(Mapped::Message(r)) = m.map(&reply) else {
            panic!("reply")
        };
        assert_eq!(r.author, Author::Company);
        assert_eq!(
            (r.complaint.external_id.as_str(), r.reply_to.as_deref()),
            ("2", Some("1"))
        );
        assert_eq!(r.complaint.customer.as_deref(), Some("AcmeCare"));
        // As pandas writes them.
        let mut f: Vec<&str> = vec![
            "2.0",
            "AcmeCare",
            "False",
            "Wed Oct 11 07:00:00 +0000 2017",
            "We can help",
            "",
            "1.0",
        ];
        let Ok(Mapped::Message(r)) = m.map(&rec(&f)) else {
            panic!("pandas reply")
        };
        assert_eq!(
            (r.complaint.external_id.as_str(), r.reply_to.as_deref()),
            ("2", Some("1"))
        );
        f[6] = "1.5";
        let Ok(Mapped::Message(r)) = m.map(&rec(&f)) else {
            panic!("odd reply")
        };
        assert_eq!(
            r.reply_to.as_deref(),
            Some("1.5"),
            "only whole numbers lose .0"
        );
    }
}
