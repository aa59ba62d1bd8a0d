//! A signed letter: the company's response as the executive signed it, her statement, and a
//! short verification code that names the sign-off, so that anyone in the company can check
//! the letter a customer holds against the record that signed it (`signoff verify --code`).

use serde::Serialize;

use super::complaint::Complaint;
use super::decision::{Decision, Kind, Status};
use super::thread::{Author, Message};

/// Crockford's base 32: digits and capitals without I, L, O and U, so that a code read aloud or
/// copied by hand cannot be mistaken.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Twelve symbols: 60 bits of the record's hash, read as three groups of four.
const SYMBOLS: usize = 12;

/// The verification code of the decision whose record hash (hex) is `record_hash`:
/// `7F3K-92QX-MT4B`.
pub fn verification_code(record_hash: &str) -> String {
    let mut bits: u64 = 0;
    for c in record_hash.chars().take(15) {
        bits = (bits << 4) | u64::from(c.to_digit(16).unwrap_or(0));
    }
    let mut out = String::with_capacity(SYMBOLS + 2);
    for i in 0..SYMBOLS {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 5 * (SYMBOLS - 1 - i);
        out.push(char::from(ALPHABET[((bits >> shift) & 31) as usize]));
    }
    out
}

/// A code as someone typed it, in its printed form: case, spaces and dashes do not matter, and
/// the letters a reader may take for digits (O, I, L) count as those digits.
pub fn normalise_code(input: &str) -> Result<String, String> {
    let mut symbols = String::new();
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
            _ => {
                return Err(format!(
                    "{input:?} is not a verification code: it holds {c:?} (a code is 12 digits and \
                     capital letters, like 7F3K-92QX-MT4B)"
                ))
            }
        };
        symbols.push(c);
    }
    if symbols.len() != SYMBOLS {
        return Err(format!(
            "{input:?} is not a verification code: it has {} symbols, and a code has {SYMBOLS} \
             (like 7F3K-92QX-MT4B)",
            symbols.len()
        ));
    }
    Ok(symbols
        .as_bytes()
        .chunks(4)
        .map(|g| String::from_utf8_lossy(g).into_owned())
        .collect::<Vec<_>>()
        .join("-"))
}

/// A Message-ID (in angle brackets) that stays the same however often the message is built:
/// `what` names the kind, `seed` (hex) the record it carries, `domain` the sender's.
pub fn message_id(what: &str, seed: &str, domain: &str) -> String {
    let seed: String = seed.chars().take(32).collect();
    format!("<{seed}.{what}@{domain}>")
}

/// The domain of a sender's address (`Dana Reyes <ceo@example.com>` gives `example.com`); a
/// stand-in that cannot be anyone's when there is none.
pub fn sender_domain(from: &str) -> String {
    let addr = from
        .rsplit_once('<')
        .map_or(from, |(_, a)| a.trim_end_matches('>'));
    match addr.rsplit_once('@') {
        Some((_, d)) if !d.trim().is_empty() => d.trim().to_ascii_lowercase(),
        _ => "signoff.invalid".into(),
    }
}

/// Whether a value is shaped like an e-mail address (`local@domain.tld`, nothing around it).
pub fn is_address(value: &str) -> bool {
    let v = value.trim();
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
}

/// The customer's e-mail address, when the contact (or the customer field) the import read
/// holds one.
pub fn customer_address(c: &Complaint) -> Option<String> {
    [c.contact.as_deref(), c.customer.as_deref()]
        .into_iter()
        .flatten()
        .find(|v| is_address(v))
        .map(|v| v.trim().to_string())
}

/// One message of the company's response, as the letter shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paragraph {
    pub at: Option<i64>,
    pub text: String,
}

/// What a signed complaint's letter says, from the sign-off and the thread it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letter {
    pub external_id: String,
    pub customer: Option<String>,
    /// Where it goes, when the customer left an e-mail address.
    pub to: Option<String>,
    pub received_at: i64,
    pub subject: Option<String>,
    /// The company's messages of the thread, in order, as signed.
    pub response: Vec<Paragraph>,
    /// "I, Dana Reyes, Chief Executive, approve this message."
    pub statement: String,
    pub signer: String,
    pub signer_title: String,
    pub signed_at: i64,
    pub decision_id: i64,
    /// The sign-off's record hash, which the code is read from.
    pub record_hash: String,
    pub code: String,
}

impl Letter {
    /// The e-mail's subject line.
    pub fn title(&self) -> String {
        match &self.subject {
            Some(s) if !s.trim().is_empty() => format!("Re: {} ({})", s.trim(), self.external_id),
            _ => format!("Our response to your complaint {}", self.external_id),
        }
    }

    /// The Message-ID its e-mail carries, at every attempt and from `signoff letter` alike.
    pub fn message_id(&self, domain: &str) -> String {
        message_id("letter", &self.record_hash, domain)
    }
}

/// Why there is no letter for a complaint in this state; None when it is signed.
pub fn refusal(external_id: &str, status: &Status) -> Option<String> {
    Some(match status {
        Status::Signed { .. } => return None,
        Status::Pending => format!("{external_id} is not signed: there is no letter until an executive signs it"),
        Status::SignedTextChanged { .. } => format!(
            "{external_id} was signed, but its conversation changed since: it must be signed again before a letter can go"
        ),
        Status::PushedBack { .. } => format!(
            "{external_id} is pushed back to its division: a letter goes only with a response an executive signed"
        ),
        Status::Answered { .. } => format!(
            "{external_id} was pushed back and its division answered: it waits for an executive to review it again"
        ),
    })
}

/// The letter of a complaint whose sign-off `decision` is in force: its thread's company
/// messages (internal notes and the customer's own words are not the company's response).
pub fn letter(c: &Complaint, thread: &[Message], decision: &Decision) -> Result<Letter, String> {
    if decision.kind != Kind::Approve {
        return Err(format!("decision {} is not a sign-off", decision.id));
    }
    let response: Vec<Paragraph> = thread
        .iter()
        .filter(|m| m.author == Author::Company && !m.text.trim().is_empty())
        .map(|m| Paragraph {
            at: m.at,
            text: m.text.trim().to_string(),
        })
        .collect();
    if response.is_empty() {
        return Err(format!("{} holds no company response", c.external_id));
    }
    Ok(Letter {
        external_id: c.external_id.clone(),
        customer: c.customer.clone().filter(|n| !is_address(n)),
        to: customer_address(c),
        received_at: c.received_at,
        subject: c.subject.clone(),
        response,
        statement: decision.statement.clone().unwrap_or_else(|| {
            super::decision::signature_statement(&decision.actor_name, &decision.actor_title)
        }),
        signer: decision.actor_name.clone(),
        signer_title: decision.actor_title.clone(),
        signed_at: decision.at,
        decision_id: decision.id,
        record_hash: decision.hash.clone(),
        code: verification_code(&decision.hash),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_three_groups_of_unambiguous_symbols() {
        let hash = "f3a9c0de12345678".repeat(4);
        let code = verification_code(&hash);
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        assert!(code
            .chars()
            .all(|c| c == '-' || (ALPHABET.contains(&(c as u8)))));
        assert!(!code.contains(['I', 'L', 'O', 'U']));
        // Another hash, another code; the same hash, the same code.
        assert_ne!(code, verification_code(&"0".repeat(64)));
        assert_eq!(code, verification_code(&hash));
        assert_eq!(verification_code(&"0".repeat(64)), "0000-0000-0000");
    }

    #[test]
    fn a_typed_code_is_read_as_printed() {
        let code = verification_code(&"9e".repeat(32));
        assert_eq!(normalise_code(&code.to_lowercase()), Ok(code.clone()));
        assert_eq!(
            normalise_code(&code.replace('-', " ")),
            Ok(code.clone()),
            "spaces for dashes"
        );
        assert_eq!(
            normalise_code("oooo-iiii-llll"),
            Ok("0000-1111-1111".into())
        );
        assert!(normalise_code("7F3K-92QX").is_err());
        assert!(
            normalise_code("7F3K-92QX-MT4U").is_err(),
            "U is not a symbol"
        );
    }

    #[test]
    fn message_ids_are_stable_and_use_the_sender_domain() {
        assert_eq!(sender_domain("Dana Reyes <ceo@Example.com>"), "example.com");
        assert_eq!(sender_domain("ceo@acme.example"), "acme.example");
        assert_eq!(sender_domain(""), "signoff.invalid");
        let a = message_id("letter", &"ab".repeat(32), "example.com");
        assert_eq!(a, format!("<{}.letter@example.com>", "ab".repeat(16)));
    }

    #[test]
    fn addresses_are_told_from_phones_and_handles() {
        assert!(is_address(" ana@example.com "));
        assert!(!is_address("+44 7700 900123"));
        assert!(!is_address("@acme"));
        assert!(!is_address("ana@localhost"));
        assert!(!is_address("Ana <ana@example.com>"));
    }

    #[test]
    fn refusals_say_why() {
        assert!(refusal("T-1", &Status::Pending).is_some_and(|r| r.contains("not signed")));
        assert!(refusal(
            "T-1",
            &Status::PushedBack {
                decision: 2,
                due_at: None,
                overdue: false
            }
        )
        .is_some_and(|r| r.contains("pushed back")));
        assert_eq!(
            refusal(
                "T-1",
                &Status::Signed {
                    decision: 1,
                    by: "Dana".into(),
                    at: 0
                }
            ),
            None
        );
    }
}
