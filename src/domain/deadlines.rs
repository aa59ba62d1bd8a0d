//! When a flag that time alone can raise would be raised if nothing else changed: a complaint
//! still waiting for its response turns late, a contact request or a thread's last message
//! goes unanswered. The checks keep that moment with each complaint and judge it again once
//! the moment has passed, so that stored flags never wait for a full refresh to catch up with
//! the clock. Each returns None when the verdict no longer depends on the time (it is decided,
//! or only new data can change it), else the first second at which it changes.

use super::flags::Facts;
use super::thread::Shape;

/// The late check ([`super::flags::late`]) of a complaint not yet answered.
pub fn late(f: &Facts, now: i64, target: i64) -> Option<i64> {
    if f.timely.is_some() || f.has_response || f.outcome {
        return None;
    }
    after(f.received_at, target, now)
}

/// The contact check of a complaint row ([`super::flags::contact_ignored`]): judged once its
/// window has passed.
pub fn contact(f: &Facts, now: i64, window: i64) -> Option<i64> {
    if !f.wants_contact {
        return None;
    }
    after(f.received_at, window, now)
}

/// The contact check of a thread ([`super::thread_checks::contact_ignored`]): the customer's
/// last message waits for a reply or a call; a call that came settles it, in time or not.
pub fn thread_contact(shape: &Shape, contacts: &[i64], now: i64, window: i64) -> Option<i64> {
    let since = shape.unanswered_since?;
    if contacts.iter().any(|&t| t >= since) {
        return None;
    }
    after(since, window, now)
}

/// The first second past `window` after `from`, if it is still to come.
fn after(from: i64, window: i64, now: i64) -> Option<i64> {
    let at = from.saturating_add(window).saturating_add(1);
    (now < at).then_some(at)
}

/// The earliest of several deadlines.
pub fn earliest(ds: impl IntoIterator<Item = Option<i64>>) -> Option<i64> {
    ds.into_iter().flatten().min()
}

#[cfg(test)]
mod tests {
    use super::super::flags::{contact_ignored, late as is_late};
    use super::super::thread::{shape, Author, Message};
    use super::super::thread_checks::contact_ignored as thread_ignored;
    use super::*;

    const H: i64 = 3600;

    /// Each deadline is the first moment the rule it stands for gives another verdict.
    #[test]
    fn a_deadline_is_where_the_verdict_turns() {
        let waiting = Facts {
            received_at: 10 * H,
            wants_contact: true,
            ..Facts::default()
        };
        let due = late(&waiting, 11 * H, 48 * H).expect("waiting");
        assert!(is_late(&waiting, due - 1, 48 * H).is_none());
        assert!(is_late(&waiting, due, 48 * H).is_some());
        assert_eq!(
            late(&waiting, due, 48 * H),
            None,
            "decided once it has passed"
        );
        let due = contact(&waiting, 11 * H, 48 * H).expect("window open");
        assert!(contact_ignored(&waiting, due - 1, 48 * H).is_none());
        assert!(contact_ignored(&waiting, due, 48 * H).is_some());
        // An answer, a regulator's verdict or no contact request leave nothing to wait for.
        let answered = Facts {
            has_response: true,
            responded_at: Some(12 * H),
            ..waiting
        };
        assert_eq!(late(&answered, 11 * H, 48 * H), None);
        let judged = Facts {
            timely: Some(true),
            ..waiting
        };
        assert_eq!(late(&judged, 11 * H, 48 * H), None);
        let quiet = Facts {
            wants_contact: false,
            ..waiting
        };
        assert_eq!(contact(&quiet, 11 * H, 48 * H), None);
        assert_eq!(earliest([None, Some(5), Some(3)]), Some(3));
    }

    #[test]
    fn a_thread_waits_on_its_last_unanswered_message() {
        let msg = |author, at| Message {
            author,
            at: Some(at),
            text: "x".into(),
            ..Message::default()
        };
        let t = [
            msg(Author::Customer, 0),
            msg(Author::Company, H),
            msg(Author::Customer, 10 * H),
        ];
        let s = shape(&t);
        let due = thread_contact(&s, &[], 11 * H, 48 * H).expect("waiting");
        assert_eq!(due, 58 * H + 1);
        assert!(thread_ignored(&s, &[], due - 1, 48 * H).is_none());
        assert!(thread_ignored(&s, &[], due, 48 * H).is_some());
        // A call after the message settles it; one before it does not.
        assert_eq!(thread_contact(&s, &[12 * H], 11 * H, 48 * H), None);
        assert_eq!(thread_contact(&s, &[2 * H], 11 * H, 48 * H), Some(due));
    }
}
