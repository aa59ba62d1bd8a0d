//! The checks that read a stored thread rather than its row. A row holds one customer message
//! and the first reply, so it can only say whether that first message was answered; a thread
//! says whether the customer's latest words were, and how often they had to write before anyone
//! did.

use super::flags::duration;
use super::thread::{Author, Message, Shape};

/// The note of a contact-ignored flag judged on a thread: its value is then how long the
/// customer's last message waited, not how long the first reply took.
pub const LAST_MESSAGE: &str = "last-message";

/// Contact ignored in a thread: the customer's last message (the first of those no company
/// message follows) has waited more than `window` seconds, and no call (`contacts`, the CAR
/// contacts' times) came within it. Any message the customer writes in a thread asks for an
/// answer, so no contact request is needed. A slow first reply does not count once the last
/// message was answered: the late check judges the first reply. Returns how long the message
/// waited, to the call when one came late, else to `now`.
pub fn contact_ignored(shape: &Shape, contacts: &[i64], now: i64, window: i64) -> Option<i64> {
    let since = shape.unanswered_since?;
    let call = contacts.iter().copied().filter(|&t| t >= since).min();
    let waited = call.unwrap_or(now) - since;
    (waited > window).then_some(waited)
}

/// The customer wrote at least `min` times before the first company message, or as many with
/// none yet. One message is never "writing again", so a threshold below 2 is taken as 2: a
/// complaint row, one message long, can never raise it.
pub fn unanswered_writing(shape: &Shape, min: u32) -> Option<usize> {
    let n = shape.wrote_before_answer;
    (n >= min.max(2) as usize).then_some(n)
}

/// The company's messages of a thread, each a reply of its own to the canned check, with their
/// place in the thread.
pub fn company_replies(messages: &[Message]) -> impl Iterator<Item = (usize, &Message)> {
    messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.author == Author::Company && !m.text.trim().is_empty())
}

/// A thread's contact-ignored flag in words.
pub fn explain_contact_ignored(waited: Option<i64>, contact_secs: i64) -> String {
    let target = contact_secs / 3600;
    match waited {
        Some(w) => format!(
            "the customer's last message went {} without a reply or call; the target is {target} h",
            duration(w)
        ),
        None => format!("the customer's last message got no reply or call within {target} h"),
    }
}

/// The unanswered-writing flag in words; `n` is the number of messages.
pub fn explain_unanswered_writing(n: Option<i64>) -> String {
    format!("wrote {} times before anyone answered", n.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::super::thread::shape;
    use super::*;

    const H: i64 = 3600;

    fn msg(author: Author, at: i64) -> Message {
        Message {
            author,
            at: Some(at),
            text: format!("{} at {at}", author.as_str()),
            ..Message::default()
        }
    }

    #[test]
    fn an_unanswered_follow_up_is_judged_from_its_own_time() {
        // Answered within an hour, then the customer wrote again at 10 h and heard nothing.
        let t = [
            msg(Author::Customer, 0),
            msg(Author::Company, H),
            msg(Author::Customer, 10 * H),
        ];
        let s = shape(&t);
        assert_eq!(contact_ignored(&s, &[], 57 * H, 48 * H), None);
        assert_eq!(contact_ignored(&s, &[], 59 * H, 48 * H), Some(49 * H));
        // A call after the follow-up answers it; one before it does not.
        assert_eq!(contact_ignored(&s, &[12 * H], 99 * H, 48 * H), None);
        assert_eq!(contact_ignored(&s, &[2 * H], 99 * H, 48 * H), Some(89 * H));
        // A call that came, but late.
        assert_eq!(
            contact_ignored(&s, &[2 * H, 70 * H], 99 * H, 48 * H),
            Some(60 * H)
        );
    }

    #[test]
    fn a_thread_whose_last_message_was_answered_is_not_ignored() {
        // The first reply took four days: late, but the customer's last message was answered.
        let t = [
            msg(Author::Customer, 0),
            msg(Author::Company, 96 * H),
            msg(Author::Customer, 97 * H),
            msg(Author::Note, 98 * H),
            msg(Author::Company, 99 * H),
        ];
        assert_eq!(contact_ignored(&shape(&t), &[], 999 * H, 48 * H), None);
        // An internal note is no answer.
        let noted = [msg(Author::Customer, 0), msg(Author::Note, H)];
        assert_eq!(
            contact_ignored(&shape(&noted), &[], 49 * H, 48 * H),
            Some(49 * H)
        );
    }

    #[test]
    fn writing_again_before_an_answer_counts_from_the_threshold() {
        let mut t = vec![
            msg(Author::Customer, 0),
            msg(Author::Customer, H),
            msg(Author::Note, 2 * H),
        ];
        assert_eq!(unanswered_writing(&shape(&t), 3), None);
        t.push(msg(Author::Customer, 3 * H));
        assert_eq!(unanswered_writing(&shape(&t), 3), Some(3));
        // Messages after the first answer are not counted.
        t.push(msg(Author::Company, 4 * H));
        t.push(msg(Author::Customer, 5 * H));
        assert_eq!(unanswered_writing(&shape(&t), 3), Some(3));
        assert_eq!(unanswered_writing(&shape(&t), 4), None);
        // A single message never counts, whatever the threshold.
        assert_eq!(unanswered_writing(&shape(&t[..1]), 0), None);
        assert_eq!(unanswered_writing(&shape(&t[..2]), 0), Some(2));
    }

    #[test]
    fn each_company_message_is_a_reply() {
        let mut t = vec![
            msg(Author::Customer, 0),
            msg(Author::Company, 1),
            msg(Author::Note, 2),
            msg(Author::Company, 3),
        ];
        t.push(Message {
            text: " ".into(),
            ..msg(Author::Company, 4)
        });
        let at: Vec<usize> = company_replies(&t).map(|(i, _)| i).collect();
        assert_eq!(at, [1, 3]);
    }

    #[test]
    fn explanations_name_the_count_and_the_wait() {
        assert_eq!(
            explain_unanswered_writing(Some(3)),
            "wrote 3 times before anyone answered"
        );
        assert_eq!(
            explain_contact_ignored(Some(60 * H), 48 * H),
            "the customer's last message went 2.5 days without a reply or call; the target is 48 h"
        );
    }
}
