//! Complete RFC 5322 / MIME messages, built with lettre: a signed letter (plain text and HTML),
//! an outreach letter and a notification (plain text).

use std::time::{Duration, SystemTime};

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;

use super::deliver::Composed;
use crate::domain::letter::Letter;

/// The header that carries a letter's verification code, for a mail client's filter or a
/// reader who looks.
pub const CODE_HEADER: &str = "X-Signoff-Verification-Code";

/// What every message needs besides its body.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// `Name <address>` or an address.
    pub from: &'a str,
    pub to: &'a str,
    /// Shown beside the address when the recipient has a name.
    pub to_name: Option<&'a str>,
    pub subject: &'a str,
    /// In angle brackets.
    pub message_id: &'a str,
    /// Unix seconds.
    pub date: i64,
}

fn mailbox(what: &str, value: &str) -> Result<Mailbox, String> {
    value
        .trim()
        .parse::<Mailbox>()
        .map_err(|e| format!("{what} {value:?} is not an e-mail address: {e}"))
}

fn builder(e: &Envelope) -> Result<lettre::message::MessageBuilder, String> {
    if e.from.trim().is_empty() {
        return Err(
            "no sender: set [mail] from to the address letters come from (\"Dana Reyes <ceo@example.com>\")"
                .into(),
        );
    }
    let mut to = mailbox("the recipient", e.to)?;
    if let Some(n) = e.to_name.filter(|n| !n.trim().is_empty()) {
        to.name = Some(n.trim().to_string());
    }
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(e.date.max(0) as u64);
    Ok(Message::builder()
        .from(mailbox("[mail] from", e.from)?)
        .to(to)
        .subject(e.subject)
        .message_id(Some(e.message_id.to_string()))
        .date(date))
}

/// A signed letter addressed to its customer: text and HTML alternatives of the same letter,
/// with its verification code in a header too.
pub fn letter(e: &Envelope, l: &Letter) -> Result<Vec<u8>, String> {
    let m = builder(e)?
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(CODE_HEADER),
            l.code.clone(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            crate::render::letter::text(l),
            crate::render::letter::html(l),
        ))
        .map_err(|e| format!("cannot build the letter: {e}"))?;
    Ok(m.formatted())
}

/// A signed letter as the e-mail its customer receives: to the address the import read, from
/// `from`, under the letter's own Message-ID. Refused when the customer left no address.
pub fn signed_letter(l: &Letter, from: &str, date: i64) -> Result<Composed, String> {
    let Some(to) = l.to.clone() else {
        return Err(format!(
            "{}: the customer left no e-mail address; the letter can be printed              (`signoff letter {} --format html`)",
            l.external_id, l.external_id
        ));
    };
    let message_id = l.message_id(&crate::domain::letter::sender_domain(from));
    let title = l.title();
    let e = Envelope {
        from,
        to: &to,
        to_name: l.customer.as_deref(),
        subject: &title,
        message_id: &message_id,
        date,
    };
    let bytes = letter(&e, l)?;
    Ok(Composed {
        to,
        message_id,
        bytes,
    })
}

/// A plain-text message: an outreach letter or a notification.
pub fn plain(e: &Envelope, text: &str) -> Result<Vec<u8>, String> {
    let m = builder(e)?
        .singlepart(SinglePart::plain(text.to_string()))
        .map_err(|e| format!("cannot build the message: {e}"))?;
    Ok(m.formatted())
}

/// An outreach letter's text: her words, then her name and title.
pub fn outreach_text(text: &str, name: &str, title: &str) -> String {
    format!("{}\n\n{name}\n{title}\n", text.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_address_or_no_sender_is_said_plainly() {
        let e = Envelope {
            from: "",
            to: "ana@example.com",
            to_name: None,
            subject: "s",
            message_id: "<a@b>",
            date: 0,
        };
        assert!(plain(&e, "x")
            .expect_err("no sender")
            .contains("[mail] from"));
        let e = Envelope {
            from: "ceo@acme.example",
            to: "not an address",
            ..e
        };
        assert!(plain(&e, "x").expect_err("bad to").contains("recipient"));
        let e = Envelope {
            to: "ana@example.com",
            to_name: Some("Ana Ruiz"),
            ..e
        };
        let bytes = String::from_utf8(plain(&e, "hello").expect("message")).expect("utf-8");
        assert!(bytes.contains("Message-ID: <a@b>"), "{bytes}");
        assert!(
            bytes.contains("To: \"Ana Ruiz\" <ana@example.com>")
                || bytes.contains("To: Ana Ruiz <ana@example.com>"),
            "{bytes}"
        );
        assert!(
            bytes.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"),
            "{bytes}"
        );
    }
}
