//! A complaint: the customer's message and the company's response, or the whole conversation
//! (`domain::thread`) when the export gives one.

use sha2::{Digest, Sha256};

/// A complaint as mapped from one source record, before it has a store id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Complaint {
    pub source: String,
    pub external_id: String,
    /// Unix seconds, UTC.
    pub received_at: i64,
    pub channel: Option<String>,
    pub customer: Option<String>,
    pub contact: Option<String>,
    /// The normalised customer identity (`domain::customer`), derived from `customer` and
    /// `contact` at import: not part of the content hash.
    pub customer_key: Option<String>,
    pub division: String,
    pub product: Option<String>,
    pub subject: Option<String>,
    pub complaint_text: String,
    pub response_text: Option<String>,
    /// Unix seconds, UTC.
    pub responded_at: Option<i64>,
    pub responder: Option<String>,
    /// Likelihood to recommend, 0–10.
    pub likelihood: Option<u8>,
    pub wants_contact: Option<bool>,
    /// The complaint text was put together from other fields (a CFPB row's issue and
    /// sub-issue) because the export does not publish the consumer's own words.
    pub text_from_fields: bool,
    /// How the case was closed, as a regulator's portal records it; None when the export says
    /// nothing of it.
    pub outcome: Option<Outcome>,
    /// The conversation when the export gives one (`domain::thread`), in time order; empty when
    /// the complaint text and response above are the whole of it.
    pub messages: Vec<super::thread::Message>,
}

/// A complaint's outcome as a regulator's portal records it (the CFPB's "Company response to
/// consumer", "Company public response", "Timely response?" and "Consumer disputed?"): status
/// fields, never a message the company sent the customer.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Outcome {
    pub response: Option<String>,
    pub public_response: Option<String>,
    pub timely: Option<bool>,
    pub disputed: Option<bool>,
}

impl Outcome {
    /// "Closed with explanation · timely · not disputed".
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(r) = &self.response {
            parts.push(r.clone());
        }
        match self.timely {
            Some(true) => parts.push("timely".into()),
            Some(false) => parts.push("late".into()),
            None => {}
        }
        match self.disputed {
            Some(true) => parts.push("disputed".into()),
            Some(false) => parts.push("not disputed".into()),
            None => {}
        }
        if parts.is_empty() {
            parts.push("recorded without a status".into());
        }
        parts.join(" · ")
    }
}

impl Complaint {
    /// A digest of every mapped field: equal digests mean a re-imported record changed nothing.
    pub fn content_hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        // Length-prefixed fields so that moving text from one field to its neighbour changes the hash.
        let mut put = |tag: u8, s: Option<&str>| {
            h.update([tag]);
            match s {
                Some(s) => {
                    h.update((s.len() as u64).to_le_bytes());
                    h.update(s.as_bytes());
                }
                None => h.update(u64::MAX.to_le_bytes()),
            }
        };
        put(1, Some(&self.source));
        put(2, Some(&self.external_id));
        put(3, Some(&self.received_at.to_string()));
        put(4, self.channel.as_deref());
        put(5, self.customer.as_deref());
        put(6, self.contact.as_deref());
        put(7, Some(&self.division));
        put(8, self.product.as_deref());
        put(9, self.subject.as_deref());
        put(10, Some(&self.complaint_text));
        put(11, self.response_text.as_deref());
        put(12, self.responded_at.map(|t| t.to_string()).as_deref());
        put(13, self.responder.as_deref());
        put(14, self.likelihood.map(|l| l.to_string()).as_deref());
        put(15, self.wants_contact.map(|w| if w { "1" } else { "0" }));
        // Only when set, so that complaints without them keep the digests they always had.
        if self.text_from_fields {
            put(16, Some("1"));
        }
        if let Some(o) = &self.outcome {
            let yes_no = |b: Option<bool>| b.map(|b| if b { "1" } else { "0" });
            put(17, o.response.as_deref());
            put(18, o.public_response.as_deref());
            put(19, yes_no(o.timely));
            put(20, yes_no(o.disputed));
        }
        for m in &self.messages {
            put(21, Some(m.author.as_str()));
            put(22, m.name.as_deref());
            put(23, m.at.map(|t| t.to_string()).as_deref());
            put(24, m.channel.as_deref());
            put(25, Some(&m.text));
            put(26, m.id.as_deref());
        }
        h.finalize().into()
    }
}

/// SHA-256 of the exact complaint and response text a person signs, as lowercase hex.
pub fn signed_text_hash(complaint_text: &str, response_text: Option<&str>) -> String {
    let mut h = Sha256::new();
    h.update(b"complaint\0");
    h.update((complaint_text.len() as u64).to_le_bytes());
    h.update(complaint_text.as_bytes());
    h.update(b"response\0");
    let r = response_text.unwrap_or("");
    h.update((r.len() as u64).to_le_bytes());
    h.update(r.as_bytes());
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_changes_with_any_field() {
        let a = Complaint {
            source: "s".into(),
            external_id: "1".into(),
            division: "Billing".into(),
            complaint_text: "ab".into(),
            ..Default::default()
        };
        let mut b = a.clone();
        assert_eq!(a.content_hash(), b.content_hash());
        b.response_text = Some(String::new());
        assert_ne!(a.content_hash(), b.content_hash());
        let mut c = a.clone();
        c.complaint_text = "a".into();
        c.subject = Some("b".into());
        assert_ne!(a.content_hash(), c.content_hash());
        let mut d = a.clone();
        d.text_from_fields = true;
        assert_ne!(a.content_hash(), d.content_hash());
        let mut e = a.clone();
        e.outcome = Some(Outcome::default());
        assert_ne!(a.content_hash(), e.content_hash());
        let mut f = e.clone();
        f.outcome = Some(Outcome {
            timely: Some(false),
            ..Outcome::default()
        });
        assert_ne!(e.content_hash(), f.content_hash());
    }

    #[test]
    fn an_outcome_reads_as_one_line() {
        let o = Outcome {
            response: Some("Closed with explanation".into()),
            public_response: None,
            timely: Some(true),
            disputed: Some(false),
        };
        assert_eq!(
            o.summary(),
            "Closed with explanation · timely · not disputed"
        );
    }

    #[test]
    fn signed_hash_is_hex_sha256() {
        let h = signed_text_hash("x", Some("y"));
        assert_eq!(h.len(), 64);
        assert_ne!(h, signed_text_hash("x", None));
        assert_ne!(
            signed_text_hash("xy", None),
            signed_text_hash("x", Some("y"))
        );
    }
}
