//! Gathering a refresh's replies into groups of the same normalised text, for the canned check
//! (`domain::canned`). The groups are the registry of reply texts (`reply_texts`) the store
//! keeps: a refresh starts from the texts already met, in the order first met, and adds the
//! new ones after them, so that a group keeps its id and the clusters come out as the updates
//! for what changed (`canned_update`) leave them.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::flag_judge::ReplyText;
use crate::domain::canned::{self, sig_from_bytes, HASHES};

pub(super) struct Group {
    /// Its id, in the order texts were first met.
    pub(super) seq: i64,
    pub(super) hash: u64,
    pub(super) customers: u32,
    pub(super) words: u32,
    /// The first complaint met with it, and the thread message, when it is one.
    pub(super) example: Option<(i64, Option<u32>)>,
    pub(super) sig: [u16; HASHES],
}

/// (complaint, received_at, division) of the complaint whose replies are placed.
pub(super) type At = (i64, i64, u32);

/// (complaint, group, received_at, division) of a reply placed in a group.
pub(super) type Placed = (i64, u32, i64, u32);

pub(super) struct Grouper {
    pub(super) groups: Vec<Group>,
    ids: HashMap<u64, u32>,
    next_seq: i64,
    shingles: usize,
}

impl Grouper {
    /// Groups that start from the stored texts (`known`, in the order first met).
    pub(super) fn new(known: Vec<Group>, shingles: usize) -> Grouper {
        let ids = known
            .iter()
            .enumerate()
            .map(|(i, g)| (g.hash, i as u32))
            .collect();
        let next_seq = known.last().map_or(1, |g| g.seq + 1);
        Grouper {
            groups: known,
            ids,
            next_seq,
            shingles,
        }
    }

    /// Places a complaint's replies: one customer more in each of their groups.
    pub(super) fn place(&mut self, replies: &mut Vec<Placed>, at: At, texts: &[ReplyText]) {
        let (id, received_at, division) = at;
        for t in texts {
            let g = match self.ids.get(&t.hash) {
                Some(g) => *g,
                None => {
                    self.groups.push(Group {
                        seq: self.next_seq,
                        hash: t.hash,
                        customers: 0,
                        words: t.words,
                        example: None,
                        sig: canned::signature(&t.normalised, self.shingles),
                    });
                    self.next_seq += 1;
                    let g = self.groups.len() as u32 - 1;
                    self.ids.insert(t.hash, g);
                    g
                }
            };
            let group = &mut self.groups[g as usize];
            group.customers += 1;
            group.example.get_or_insert((id, t.example_seq));
            replies.push((id, g, received_at, division));
        }
    }
}

/// The stored texts in the order first met, none of them with a customer yet.
pub(super) fn known(conn: &Connection) -> rusqlite::Result<Vec<Group>> {
    let mut st = conn.prepare("SELECT seq, hash, words, sig FROM reply_texts ORDER BY seq")?;
    let rows = st.query_map(params![], |r| {
        let sig = sig_from_bytes(r.get_ref(3)?.as_blob()?).unwrap_or([0; HASHES]);
        Ok(Group {
            seq: r.get(0)?,
            hash: r.get::<_, i64>(1)? as u64,
            customers: 0,
            words: r.get(2)?,
            example: None,
            sig,
        })
    })?;
    rows.collect()
}
