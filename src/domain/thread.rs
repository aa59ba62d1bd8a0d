//! A complaint's conversation: the customer's messages, the company's replies and internal
//! notes, in time order. What a sign-off covers is the thread as the executive reads it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::complaint::{hex, signed_text_hash, Complaint};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    #[default]
    Customer,
    Company,
    /// An internal note: never seen by the customer.
    Note,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Customer => "customer",
            Author::Company => "company",
            Author::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Author> {
        match s {
            "customer" => Some(Author::Customer),
            "company" => Some(Author::Company),
            "note" => Some(Author::Note),
            _ => None,
        }
    }
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Message {
    /// The message's own id in the export, when it has one: what tells a message already in the
    /// thread from a new one when a later export is imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub author: Author,
    /// The author's name or handle, as the export gives it.
    pub name: Option<String>,
    /// Unix seconds, UTC; None when the export does not date it.
    pub at: Option<i64>,
    pub channel: Option<String>,
    pub text: String,
}

/// The thread of a complaint as it is read and signed. A complaint imported from a threaded
/// export carries its messages; one imported from a row with a complaint and a response is the
/// customer's message and, when there is one, the company's reply.
pub fn of(c: &Complaint) -> Vec<Message> {
    if !c.messages.is_empty() {
        return c.messages.clone();
    }
    opening_pair(c)
}

/// The two messages a complaint row holds by itself.
pub fn opening_pair(c: &Complaint) -> Vec<Message> {
    let mut out = vec![Message {
        id: None,
        author: Author::Customer,
        name: c.customer.clone(),
        at: Some(c.received_at),
        channel: c.channel.clone(),
        text: c.complaint_text.clone(),
    }];
    if let Some(r) = &c.response_text {
        out.push(Message {
            id: None,
            author: Author::Company,
            name: c.responder.clone(),
            at: c.responded_at,
            channel: c.channel.clone(),
            text: r.clone(),
        });
    }
    out
}

/// Adds messages to a thread, in time order: a message it already holds (the same export id,
/// or for messages without one the same author, time and text) is replaced by the new copy. Messages without a
/// time keep their place after the dated ones.
pub fn merge(into: &mut Vec<Message>, new: Vec<Message>) {
    for m in new {
        let known = into.iter().position(|o| match (&o.id, &m.id) {
            (Some(a), Some(b)) => a == b,
            _ => o.author == m.author && o.at == m.at && o.text == m.text,
        });
        match known {
            // The export's copy of a message it already held is the newer one.
            Some(i) => into[i] = m,
            None => into.push(m),
        }
    }
    into.sort_by_key(|m| m.at.unwrap_or(i64::MAX));
}

/// Number of messages a complaint's thread holds.
pub fn len(c: &Complaint) -> usize {
    if c.messages.is_empty() {
        1 + usize::from(c.response_text.is_some())
    } else {
        c.messages.len()
    }
}

/// The hash a sign-off records for the thread a complaint holds now. A complaint whose thread is
/// the row's own complaint and response keeps the hash of that text it always had (so that
/// every sign-off made before threads existed still covers it); a stored thread is hashed
/// message by message, each field length-prefixed.
pub fn signed_hash(c: &Complaint) -> String {
    if c.messages.is_empty() {
        return signed_text_hash(&c.complaint_text, c.response_text.as_deref());
    }
    hash_messages(&c.messages)
}

/// The canonical hash of a stored thread: who, name, when, channel and text of each message, in
/// order.
pub fn hash_messages(messages: &[Message]) -> String {
    let mut h = Sha256::new();
    h.update(b"thread\0");
    h.update((messages.len() as u64).to_le_bytes());
    let mut put = |s: Option<&str>| match s {
        Some(s) => {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
        None => h.update(u64::MAX.to_le_bytes()),
    };
    for m in messages {
        put(Some(m.author.as_str()));
        put(m.name.as_deref());
        put(m.at.map(|t| t.to_string()).as_deref());
        put(m.channel.as_deref());
        put(Some(&m.text));
    }
    hex(&h.finalize())
}

/// Whether the thread holds a message from the company: a complaint without one has nothing to
/// sign.
pub fn has_company_message(c: &Complaint) -> bool {
    if c.messages.is_empty() {
        c.response_text.is_some()
    } else {
        c.messages.iter().any(|m| m.author == Author::Company)
    }
}

/// Fills the row's summary fields from a thread: the complaint text is the opening customer
/// message, the response the company's messages in order (so that search, reports and the
/// checks that read a complaint's response read all of them), answered at the first of them.
pub fn summarise(c: &mut Complaint) {
    if c.messages.is_empty() {
        return;
    }
    c.messages.sort_by_key(|m| m.at.unwrap_or(i64::MAX));
    if let Some(first) = c.messages.iter().find(|m| m.author == Author::Customer) {
        c.complaint_text = first.text.clone();
        if let Some(at) = first.at {
            c.received_at = at;
        }
        if c.customer.is_none() {
            c.customer = first.name.clone();
        }
    }
    let company: Vec<&Message> = c
        .messages
        .iter()
        .filter(|m| m.author == Author::Company)
        .collect();
    if company.is_empty() {
        c.response_text = None;
        c.responded_at = None;
        c.responder = None;
    } else {
        c.response_text = Some(
            company
                .iter()
                .map(|m| m.text.as_str())
                .collect::<Vec<_>>()
                .join("\n\n"),
        );
        c.responded_at = company[0].at;
        c.responder = company[0].name.clone();
    }
}

/// What the checks read of a thread: how many times the customer wrote before the company first
/// answered, and whether the customer's last message is still unanswered (with its time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Customer messages before the first company message (all of them when none came).
    pub wrote_before_answer: usize,
    /// The time of the customer's last message when no company message follows it.
    pub unanswered_since: Option<i64>,
}

pub fn shape(messages: &[Message]) -> Shape {
    let mut s = Shape::default();
    let mut answered = false;
    for m in messages {
        match m.author {
            Author::Customer => {
                if !answered {
                    s.wrote_before_answer += 1;
                }
                // "Thank you, that's sorted" after an answer closes the conversation: it
                // asks for nothing.
                let closes = answered && s.unanswered_since.is_none() && is_closing(&m.text);
                if s.unanswered_since.is_none() && !closes {
                    s.unanswered_since = m.at.or(Some(i64::MIN));
                }
            }
            Author::Company => {
                answered = true;
                s.unanswered_since = None;
            }
            Author::Note => {}
        }
    }
    if s.unanswered_since == Some(i64::MIN) {
        s.unanswered_since = None;
    }
    s
}

/// A short message of thanks or agreement that asks for nothing more ("Thank you, that's
/// sorted.", "Cheers, all good now"): at most 15 words, no question, and a word of thanks or of
/// the matter being settled.
pub fn is_closing(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "thank",
        "thanks",
        "thx",
        "cheers",
        "sorted",
        "resolved",
        "solved",
        "fixed",
        "perfect",
        "great",
        "brilliant",
        "appreciated",
        "appreciate",
    ];
    let lower = text.to_lowercase();
    if lower.contains('?') || lower.split_whitespace().count() > 15 {
        return false;
    }
    let negated = ["not ", "n't ", "no longer", "still"]
        .iter()
        .any(|n| lower.contains(n));
    !negated
        && lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| WORDS.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(author: Author, at: i64, text: &str) -> Message {
        Message {
            author,
            at: Some(at),
            text: text.into(),
            ..Message::default()
        }
    }

    #[test]
    fn a_row_is_a_thread_of_its_complaint_and_response() {
        let c = Complaint {
            complaint_text: "late".into(),
            response_text: Some("sorry".into()),
            received_at: 10,
            responded_at: Some(20),
            ..Complaint::default()
        };
        let t = of(&c);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].author, Author::Customer);
        assert_eq!(t[1].author, Author::Company);
        assert_eq!(t[1].at, Some(20));
        assert_eq!(len(&c), 2);
        // The hash a pre-thread sign-off recorded still covers it.
        assert_eq!(signed_hash(&c), signed_text_hash("late", Some("sorry")));
    }

    #[test]
    fn a_stored_thread_hash_covers_every_message_and_field() {
        let base = vec![msg(Author::Customer, 1, "a"), msg(Author::Company, 2, "b")];
        let h = hash_messages(&base);
        let mut more = base.clone();
        more.push(msg(Author::Customer, 3, "c"));
        assert_ne!(h, hash_messages(&more));
        let mut renamed = base.clone();
        renamed[1].name = Some("x".into());
        assert_ne!(h, hash_messages(&renamed));
        let mut noted = base.clone();
        noted[1].author = Author::Note;
        assert_ne!(h, hash_messages(&noted));
        let mut moved = base.clone();
        moved[0].text = "ab".into();
        moved[1].text = String::new();
        assert_ne!(h, hash_messages(&moved));
    }

    #[test]
    fn summarise_puts_the_company_messages_in_the_response() {
        let mut c = Complaint {
            messages: vec![
                msg(Author::Company, 30, "second"),
                msg(Author::Customer, 10, "hello"),
                msg(Author::Customer, 15, "anyone?"),
                msg(Author::Company, 20, "first"),
            ],
            ..Complaint::default()
        };
        summarise(&mut c);
        assert_eq!(c.complaint_text, "hello");
        assert_eq!(c.received_at, 10);
        assert_eq!(c.response_text.as_deref(), Some("first\n\nsecond"));
        assert_eq!(c.responded_at, Some(20));
        assert!(has_company_message(&c));
        assert_eq!(len(&c), 4);
    }

    #[test]
    fn the_shape_counts_unanswered_writing() {
        let t = vec![
            msg(Author::Customer, 1, "a"),
            msg(Author::Customer, 2, "b"),
            msg(Author::Note, 3, "n"),
            msg(Author::Customer, 4, "c"),
        ];
        let s = shape(&t);
        assert_eq!(s.wrote_before_answer, 3);
        assert_eq!(s.unanswered_since, Some(1));
        let mut answered = t.clone();
        answered.push(msg(Author::Company, 5, "d"));
        answered.push(msg(Author::Customer, 6, "e"));
        let s = shape(&answered);
        assert_eq!(s.wrote_before_answer, 3);
        assert_eq!(s.unanswered_since, Some(6));
    }

    #[test]
    fn thanks_after_an_answer_asks_for_nothing() {
        let mut t = vec![
            msg(Author::Customer, 1, "my refund?"),
            msg(Author::Company, 2, "refunded today"),
            msg(Author::Customer, 3, "Thank you, that's sorted."),
        ];
        assert_eq!(shape(&t).unanswered_since, None);
        t[2].text = "Thanks, but it's still not there.".into();
        assert_eq!(shape(&t).unanswered_since, Some(3));
        t[2].text = "thanks - when will it arrive?".into();
        assert_eq!(shape(&t).unanswered_since, Some(3));
        // Thanks before anyone answered is still waiting for an answer.
        let early = vec![msg(Author::Customer, 1, "Thanks in advance")];
        assert_eq!(shape(&early).unanswered_since, Some(1));
        assert!(is_closing("Cheers, all good now"));
        assert!(!is_closing("Thanks. It isn't fixed."));
    }

    #[test]
    fn merging_a_later_export_adds_only_new_messages_in_time_order() {
        let mut t = vec![msg(Author::Customer, 1, "a"), msg(Author::Company, 5, "b")];
        let again = t.clone();
        merge(&mut t, again);
        assert_eq!(t.len(), 2);
        let mut later = msg(Author::Customer, 3, "c");
        later.id = Some("9".into());
        merge(&mut t, vec![later.clone(), msg(Author::Company, 5, "b")]);
        assert_eq!(
            t.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            ["a", "c", "b"]
        );
        let mut edited = later;
        edited.text = "c, edited".into();
        merge(&mut t, vec![edited]);
        assert_eq!(t.len(), 3, "a message with a known id is not added again");
        assert_eq!(t[1].text, "c, edited", "the newer copy wins");
    }
}
