//! The conversation in the detail pane: each message under a line that says who wrote it and
//! when, how long each company reply took, and which customer messages were never answered.

use ratatui::style::Style;
use ratatui::text::Line;

use super::Ctx;
use crate::domain::text::inert;
use crate::domain::thread::{Author, Message};
use crate::render::time::fmt_time;

/// What a message's header says besides who wrote it and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Turn {
    /// A company reply: seconds since the customer message it answers.
    pub replied_after: Option<i64>,
    /// A customer message written while an earlier one still waited for a reply.
    pub follow_up: bool,
    /// A customer message after the company's last reply.
    pub unanswered: bool,
}

/// The turns of a thread, message by message. A reply answers the first customer message since
/// the company last wrote: the wait it ends is the one the customer lived through, chasers
/// included. Customer messages are called unanswered only when the thread holds a reply at all;
/// a thread without one says so once, below it.
pub fn turns(messages: &[Message]) -> Vec<Turn> {
    let mut out = vec![Turn::default(); messages.len()];
    let mut waiting: Option<usize> = None;
    for (i, m) in messages.iter().enumerate() {
        match m.author {
            Author::Customer if waiting.is_some() => out[i].follow_up = true,
            Author::Customer => waiting = Some(i),
            Author::Company => {
                if let Some(w) = waiting.take() {
                    out[i].replied_after = match (messages[w].at, m.at) {
                        (Some(asked), Some(answered)) if answered >= asked => {
                            Some(answered - asked)
                        }
                        _ => None,
                    };
                }
            }
            Author::Note => {}
        }
    }
    if let Some(last) = messages.iter().rposition(|m| m.author == Author::Company) {
        for (t, m) in out.iter_mut().zip(messages).skip(last + 1) {
            t.unanswered = m.author == Author::Customer;
        }
    }
    out
}

/// "45 m", "2 h 05 m", "3 d 4 h": to the minute, which is what a reply time is judged by.
pub fn took(secs: i64) -> String {
    let m = secs.max(0) / 60;
    match m {
        0 => "under a minute".into(),
        m if m < 60 => format!("{m} m"),
        m if m < 48 * 60 => format!("{} h {:02} m", m / 60, m % 60),
        m => format!("{} d {} h", m / (24 * 60), m / 60 % 24),
    }
}

fn who(m: &Message) -> String {
    let name = m.name.as_deref().map(|n| inert(n).into_owned());
    match (m.author, name) {
        (Author::Customer, _) => "Customer".into(),
        (Author::Company, Some(n)) => n,
        (Author::Company, None) => "Company".into(),
        (Author::Note, Some(n)) => format!("Internal note · {n}"),
        (Author::Note, None) => "Internal note".into(),
    }
}

fn header(m: &Message, t: Turn, home_channel: Option<&str>) -> String {
    let mut parts = vec![who(m), m.at.map_or_else(|| "undated".into(), fmt_time)];
    // The complaint's own channel is in the pane's title: only a change of channel is news.
    if let Some(ch) = m.channel.as_deref().filter(|c| Some(*c) != home_channel) {
        parts.push(format!("by {}", inert(ch)));
    }
    if let Some(s) = t.replied_after {
        parts.push(format!("replied after {}", took(s)));
    }
    if t.follow_up {
        parts.push("follow-up".into());
    }
    if t.unanswered {
        parts.push("no reply".into());
    }
    format!("── {}", parts.join(" · "))
}

/// The thread as lines, a blank line between messages and none after the last.
pub fn lines<'a>(messages: &[Message], home_channel: Option<&str>, cx: &Ctx) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    for (i, (m, t)) in messages.iter().zip(turns(messages)).enumerate() {
        if i > 0 {
            out.push(Line::raw(""));
        }
        let (head, body): (Style, Style) = match m.author {
            Author::Customer if t.unanswered => (cx.theme.bad, cx.theme.base),
            Author::Customer => (cx.theme.accent, cx.theme.base),
            Author::Company => (cx.theme.ok, cx.theme.base),
            Author::Note => (cx.theme.dim, cx.theme.dim),
        };
        out.push(Line::styled(header(m, t, home_channel), head));
        for l in inert(&m.text).lines() {
            out.push(Line::styled(l.to_string(), body));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(author: Author, at: i64) -> Message {
        Message {
            author,
            at: Some(at),
            text: "x".into(),
            ..Message::default()
        }
    }

    #[test]
    fn a_reply_is_timed_from_the_first_message_it_answers() {
        use Author::*;
        let t = turns(&[
            msg(Customer, 0),
            msg(Note, 600),
            msg(Customer, 3600),
            msg(Company, 7500),
            msg(Company, 9000),
            msg(Customer, 10_000),
            msg(Company, 10_060),
            msg(Customer, 20_000),
            msg(Customer, 30_000),
        ]);
        let replied: Vec<_> = t.iter().map(|t| t.replied_after).collect();
        assert_eq!(
            replied,
            [
                None,
                None,
                None,
                Some(7500),
                None,
                None,
                Some(60),
                None,
                None
            ]
        );
        let chased: Vec<_> = t.iter().map(|t| t.follow_up).collect();
        assert_eq!(
            chased,
            [false, false, true, false, false, false, false, false, true]
        );
        let open: Vec<_> = t.iter().map(|t| t.unanswered).collect();
        assert_eq!(
            open,
            [false, false, false, false, false, false, false, true, true]
        );
    }

    #[test]
    fn a_thread_without_a_reply_marks_no_message_unanswered() {
        let t = turns(&[msg(Author::Customer, 0), msg(Author::Customer, 5)]);
        assert!(t.iter().all(|t| !t.unanswered));
        assert!(t[1].follow_up);
    }

    #[test]
    fn durations_read_to_the_minute() {
        assert_eq!(took(30), "under a minute");
        assert_eq!(took(45 * 60), "45 m");
        assert_eq!(took(2 * 3600 + 5 * 60 + 59), "2 h 05 m");
        assert_eq!(took(3 * 86_400 + 4 * 3600), "3 d 4 h");
        assert_eq!(took(-5), "under a minute");
    }
}
