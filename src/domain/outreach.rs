//! The executive's own letters to customers: written to one customer about one complaint, sent
//! through the outbox, and shown in that complaint's conversation as a message from the company
//! marked as hers. They are not part of what a sign-off covers: a sign-off vouches for the
//! division's response, and her own letter is hers, recorded with its Message-ID and delivery.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::complaint::hex;
use super::letter::{is_address, message_id};
use super::thread::{Author, Message};

/// Where an outreach letter stands in the outbox, as its conversation shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    Waiting,
    Sent,
    Failed,
}

/// One outreach letter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outreach {
    pub complaint_id: i64,
    pub external_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub author: String,
    pub author_name: String,
    pub author_title: String,
    pub at: i64,
    /// In angle brackets; the conversation's message carries it without them, so that a reply
    /// an export links to it (in-reply-to) joins this conversation.
    pub message_id: String,
}

/// How the conversation names her: "Dana Reyes (Chief Executive)".
pub fn signature_name(name: &str, title: &str) -> String {
    format!("{name} ({title})")
}

/// An outreach letter from `name`, `title` to the customer at `to`, checked: a letter needs
/// words and an address.
pub fn draft(
    complaint_id: i64,
    external_id: &str,
    to: Option<&str>,
    text: &str,
    (author, name, title): (&str, &str, &str),
    at: i64,
    domain: &str,
) -> Result<Outreach, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the letter is empty: write what you want to tell the customer".into());
    }
    let Some(to) = to.filter(|a| is_address(a)) else {
        return Err(format!(
            "{external_id}: the customer left no e-mail address{}, so there is nobody to write to \
             by e-mail",
            to.map(|c| format!(" (contact: {c})")).unwrap_or_default()
        ));
    };
    let mut h = Sha256::new();
    for part in [&complaint_id.to_string(), author, &at.to_string(), text] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    Ok(Outreach {
        complaint_id,
        external_id: external_id.to_string(),
        to: to.trim().to_string(),
        subject: format!("A letter from {name}, {title}"),
        text: text.to_string(),
        author: author.to_string(),
        author_name: name.to_string(),
        author_title: title.to_string(),
        at,
        message_id: message_id("outreach", &hex(&h.finalize()), domain),
    })
}

/// The outreach letter as a message of its conversation: from the company, under her name and
/// title, on the channel "e-mail" with where its delivery stands.
pub fn as_message(
    message_id: &str,
    author_name: &str,
    at: i64,
    text: &str,
    delivery: Delivery,
) -> Message {
    let channel = match delivery {
        Delivery::Sent => "e-mail",
        Delivery::Waiting => "e-mail, waiting in the outbox",
        Delivery::Failed => "e-mail, not delivered",
    };
    Message {
        id: Some(
            message_id
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string(),
        ),
        author: Author::Company,
        name: Some(author_name.to_string()),
        at: Some(at),
        channel: Some(channel.into()),
        text: text.to_string(),
    }
}

/// A conversation with the executive's letters in it, in time order (undated messages last,
/// as a thread keeps them).
pub fn with_letters(mut thread: Vec<Message>, letters: Vec<Message>) -> Vec<Message> {
    thread.extend(letters);
    thread.sort_by_key(|m| m.at.unwrap_or(i64::MAX));
    thread
}

#[cfg(test)]
mod tests {
    use super::*;

    const DANA: (&str, &str, &str) = ("dana", "Dana Reyes", "Chief Executive");

    #[test]
    fn a_letter_needs_words_and_an_address() {
        let ok = draft(
            7,
            "T-1",
            Some("ana@example.com"),
            " Dear Ana ",
            DANA,
            100,
            "acme.example",
        )
        .expect("draft");
        assert_eq!(ok.text, "Dear Ana");
        assert!(ok.message_id.ends_with(".outreach@acme.example>"));
        assert!(draft(7, "T-1", Some("ana@example.com"), "  ", DANA, 100, "d").is_err());
        let e = draft(7, "T-1", Some("+44 7700 900123"), "Hi", DANA, 100, "d").expect_err("phone");
        assert!(e.contains("no e-mail address"), "{e}");
        // Another moment, another letter: another Message-ID.
        let later = draft(
            7,
            "T-1",
            Some("ana@example.com"),
            "Dear Ana",
            DANA,
            101,
            "acme.example",
        );
        assert_ne!(later.expect("draft").message_id, ok.message_id);
    }

    #[test]
    fn in_the_conversation_it_is_hers_and_in_time_order() {
        let m = as_message(
            "<x.outreach@d>",
            &signature_name("Dana Reyes", "Chief Executive"),
            50,
            "Hello",
            Delivery::Sent,
        );
        assert_eq!(m.id.as_deref(), Some("x.outreach@d"));
        assert_eq!(m.author, Author::Company);
        assert_eq!(m.name.as_deref(), Some("Dana Reyes (Chief Executive)"));
        let first = Message {
            at: Some(10),
            text: "complaint".into(),
            ..Message::default()
        };
        let reply = Message {
            at: Some(90),
            text: "thank you".into(),
            ..Message::default()
        };
        let t = with_letters(vec![first, reply], vec![m]);
        assert_eq!(
            t.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            ["complaint", "Hello", "thank you"]
        );
    }
}
