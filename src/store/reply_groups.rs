//! Gathering a refresh's replies into groups of the same normalised text, for the canned check
//! (`domain::canned`). A complaint row's response is one reply; a stored thread's company
//! messages are a reply each, since a template pasted into the third answer of a conversation
//! is as canned as one sent alone, and the joined text of several answers matches no template.

use std::collections::HashMap;

use super::thread_scan::Thread;
use crate::domain::canned::{self, Normaliser, Settings, HASHES};
use crate::domain::thread_checks;

pub(super) struct Group {
    pub(super) customers: u32,
    pub(super) words: u32,
    pub(super) example: i64,
    /// The example's message, when it is one of a thread's company messages.
    pub(super) example_seq: Option<u32>,
    pub(super) sig: [u16; HASHES],
}

/// (complaint, received_at, division) of the complaint whose replies are placed.
pub(super) type At = (i64, i64, u32);

/// (complaint, group, received_at, division) of a reply placed in a group.
pub(super) type Placed = (i64, u32, i64, u32);

pub(super) struct Grouper<'s> {
    normaliser: Normaliser,
    ids: HashMap<u64, u32>,
    s: &'s Settings,
}

impl<'s> Grouper<'s> {
    pub(super) fn new(s: &'s Settings) -> Grouper<'s> {
        Grouper {
            normaliser: Normaliser::new(&s.greetings),
            ids: HashMap::new(),
            s,
        }
    }

    /// A complaint row's response, `names` being its customer's and responder's.
    pub(super) fn row(
        &mut self,
        groups: &mut Vec<Group>,
        replies: &mut Vec<Placed>,
        (id, received_at, division): At,
        text: &str,
        names: [&str; 2],
    ) {
        if let Some(g) = self.place(groups, text, &names, (id, None)) {
            groups[g as usize].customers += 1;
            replies.push((id, g, received_at, division));
        }
    }

    /// Each company message of a thread. A complaint counts once in a group however many of
    /// its messages fall in it: the group's count is of customers, not of messages.
    pub(super) fn thread(
        &mut self,
        groups: &mut Vec<Group>,
        replies: &mut Vec<Placed>,
        (id, received_at, division): At,
        thread: &Thread,
        [customer, responder]: [&str; 2],
    ) {
        let mut placed: Vec<u32> = Vec::new();
        for (i, m) in thread_checks::company_replies(&thread.messages) {
            let names = [customer, m.name.as_deref().unwrap_or(responder)];
            let example = (id, Some(thread.seqs[i]));
            let Some(g) = self.place(groups, &m.text, &names, example) else {
                continue;
            };
            if !placed.contains(&g) {
                placed.push(g);
                groups[g as usize].customers += 1;
                replies.push((id, g, received_at, division));
            }
        }
    }

    /// The group of a reply long enough to judge, made with this example when its text is new.
    fn place(
        &mut self,
        groups: &mut Vec<Group>,
        text: &str,
        names: &[&str; 2],
        (example, example_seq): (i64, Option<u32>),
    ) -> Option<u32> {
        let (norm, words) = self.normaliser.normalise(text, names);
        if words < self.s.min_words {
            return None;
        }
        let shingles = self.s.shingle_words;
        let g = self
            .ids
            .entry(canned::hash64(norm.as_bytes()))
            .or_insert_with(|| {
                groups.push(Group {
                    customers: 0,
                    words,
                    example,
                    example_seq,
                    sig: canned::signature(&norm, shingles),
                });
                groups.len() as u32 - 1
            });
        Some(*g)
    }
}
