//! One CSV record → a validated complaint (or a reply to one), or the reason it was rejected.

use csv::ByteRecord;

use super::dates::DateParser;
use super::profile::{normalize_header, Column, Profile};
use crate::domain::Complaint;

/// A mapped record.
#[derive(Debug, Clone)]
pub enum Mapped {
    Complaint(Complaint),
    /// A company reply that answers another row (linked exports).
    Reply(Reply),
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub id: String,
    pub reply_to: String,
    pub at: i64,
    pub author: Option<String>,
    pub text: String,
}

/// Column positions of one field.
#[derive(Debug, Clone)]
struct Slot {
    name: &'static str,
    header: String,
    idx: Vec<usize>,
    sep: String,
}

pub struct Mapper {
    width: usize,
    header: Vec<String>,
    slots: Vec<Slot>,
    source: String,
    received: DateParser,
    responded: DateParser,
    values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    defaults: std::collections::BTreeMap<String, String>,
    link: Option<(usize, Vec<String>, usize)>,
}

impl Mapper {
    /// `header` is the header record; columns a profile marks optional may be missing.
    pub fn new(
        profile: &Profile,
        header: &[String],
        source: &str,
        received: DateParser,
        responded: DateParser,
    ) -> Mapper {
        let find = |col: &str| {
            let want = normalize_header(col);
            header.iter().position(|h| normalize_header(h) == want)
        };
        let slots = profile
            .fields
            .all()
            .into_iter()
            .map(|(name, col)| Slot {
                name,
                header: col.columns().join(" + "),
                idx: col.columns().iter().filter_map(|c| find(c)).collect(),
                sep: match col {
                    Column::Joined { .. } => col.separator().to_string(),
                    _ if matches!(name, "complaint" | "response") => "\n\n".into(),
                    _ => col.separator().to_string(),
                },
            })
            .collect();
        let link = profile.link.as_ref().and_then(|l| {
            Some((
                find(&l.direction)?,
                l.inbound_values.iter().map(|v| v.to_lowercase()).collect(),
                find(&l.reply_to)?,
            ))
        });
        let lower = |m: &std::collections::BTreeMap<String, String>| {
            m.iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v.clone()))
                .collect()
        };
        Mapper {
            width: header.len(),
            header: header.to_vec(),
            slots,
            source: source.to_string(),
            received,
            responded,
            values: profile
                .values
                .iter()
                .map(|(k, m)| (k.clone(), lower(m)))
                .collect(),
            defaults: profile.defaults.clone(),
            link,
        }
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    fn slot(&self, name: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.name == name)
    }

    /// The text of a field: its columns' non-empty values joined, then the value map, then the
    /// profile's default. CRLF inside fields becomes LF, so a re-saved file is not a change.
    fn text(&self, rec: &[&str], name: &str) -> Option<String> {
        let joined = self.slot(name).and_then(|s| {
            let parts: Vec<&str> = s
                .idx
                .iter()
                .map(|&i| rec[i].trim())
                .filter(|v| !v.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(&s.sep))
        });
        let v = match joined {
            Some(v) => match self.values.get(name).and_then(|m| m.get(&v.to_lowercase())) {
                Some(mapped) => mapped.clone(),
                None => v,
            },
            None => self.defaults.get(name)?.clone(),
        };
        Some(if v.contains('\r') {
            v.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            v
        })
    }

    fn column_of(&self, name: &str) -> String {
        self.slot(name)
            .map(|s| s.header.clone())
            .unwrap_or_else(|| name.to_string())
    }

    fn required(&self, rec: &[&str], name: &str) -> Result<String, String> {
        self.text(rec, name)
            .ok_or_else(|| format!("field {name} (column {:?}) is empty", self.column_of(name)))
    }

    /// Maps one record; the error is the reject reason, naming the column.
    pub fn map(&self, rec: &ByteRecord) -> Result<Mapped, String> {
        if rec.len() != self.width {
            return Err(format!(
                "expected {} fields as in the header, found {}",
                self.width,
                rec.len()
            ));
        }
        let mut fields: Vec<&str> = Vec::with_capacity(rec.len());
        for (i, raw) in rec.iter().enumerate() {
            let s = std::str::from_utf8(raw).map_err(|e| {
                format!(
                    "column {:?}: invalid UTF-8 at byte {}",
                    self.header[i],
                    e.valid_up_to()
                )
            })?;
            if s.contains('\0') {
                return Err(format!("column {:?}: contains a NUL byte", self.header[i]));
            }
            fields.push(s);
        }
        let rec = &fields[..];
        let external_id = self.required(rec, "external_id")?;
        let date = |parser: &DateParser, name: &str| -> Result<Option<i64>, String> {
            match self.text(rec, name) {
                None => Ok(None),
                Some(v) => parser
                    .parse(&v)
                    .map(Some)
                    .map_err(|e| format!("column {:?}: {e}", self.column_of(name))),
            }
        };
        let received_at = date(&self.received, "received_at")?.ok_or_else(|| {
            format!(
                "field received_at (column {:?}) is empty",
                self.column_of("received_at")
            )
        })?;
        let text = self.required(rec, "complaint")?;
        if let Some((dir, inbound, reply_to)) = &self.link {
            let is_inbound = inbound.contains(&rec[*dir].trim().to_lowercase());
            if !is_inbound {
                let to = rec[*reply_to].trim();
                if to.is_empty() {
                    return Err(format!(
                        "a reply (column {:?} is {:?}) that answers no message: column {:?} is empty",
                        self.header[*dir], rec[*dir], self.header[*reply_to]
                    ));
                }
                return Ok(Mapped::Reply(Reply {
                    id: external_id,
                    reply_to: to.to_string(),
                    at: received_at,
                    author: self.text(rec, "customer"),
                    text,
                }));
            }
        }
        let division = self.required(rec, "division")?;
        let likelihood = match self.text(rec, "likelihood") {
            None => None,
            Some(v) => Some(parse_likelihood(&v).ok_or_else(|| {
                format!(
                    "column {:?}: {v:?} is not a whole number from 0 to 10",
                    self.column_of("likelihood")
                )
            })?),
        };
        let wants_contact = match self.text(rec, "wants_contact") {
            None => None,
            Some(v) => match v.trim().to_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => {
                    return Err(format!(
                        "column {:?}: {v:?} is not yes or no",
                        self.column_of("wants_contact")
                    ))
                }
            },
        };
        let responded_at = date(&self.responded, "responded_at")?;
        Ok(Mapped::Complaint(Complaint {
            source: self.source.clone(),
            external_id,
            received_at,
            channel: self.text(rec, "channel").map(|c| c.to_lowercase()),
            customer: self.text(rec, "customer"),
            contact: self.text(rec, "contact"),
            division,
            product: self.text(rec, "product"),
            subject: self.text(rec, "subject"),
            complaint_text: text,
            response_text: self.text(rec, "response"),
            responded_at,
            responder: self.text(rec, "responder"),
            likelihood,
            wants_contact,
        }))
    }

    /// The values of the date column(s) of a field, for order detection.
    pub fn date_column(&self, name: &str) -> (String, Vec<usize>) {
        match self.slot(name) {
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
        let Ok(Mapped::Complaint(c)) = m.map(&inbound) else {
            panic!("inbound")
        };
        assert_eq!(c.division, "Support");
        assert_eq!(c.channel.as_deref(), Some("social"));
        let Ok(Mapped::Reply(r)) = m.map(&reply) else {
            panic!("reply")
        };
        assert_eq!((r.id.as_str(), r.reply_to.as_str()), ("2", "1"));
    }
}
