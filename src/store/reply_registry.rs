//! The registry of reply texts as an update changes it: a new normalised text gets the next
//! id, its MinHash signature and a place in the LSH buckets, and is compared with the first and
//! the last text of each bucket it falls in, as `domain::canned::cluster` compares every text
//! when a refresh clusters them in the order first met. So one new reply costs a few key
//! lookups, not a clustering of the whole store, and ends in the cluster a refresh would give it.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::flag_judge::ReplyText;
use super::flags::CheckSettings;
use crate::domain::canned::{self, band_key, sig_bytes, sig_from_bytes, similarity, BANDS, HASHES};

pub(super) struct Registry<'c> {
    conn: &'c Connection,
    s: &'c CheckSettings,
    next_seq: Option<i64>,
    /// Each cluster an update touched, with its customers before the update.
    pub(super) before: HashMap<i64, i64>,
    /// Clusters merged into another: (the larger root, the smaller one it joined).
    pub(super) merged: Vec<(i64, i64)>,
    /// Texts whose customers changed.
    pub(super) changed: Vec<i64>,
    /// Customers to add to each text, written by [`Registry::settle`].
    pending: HashMap<i64, i64>,
    /// Texts looked up already, by hash.
    seqs: HashMap<u64, i64>,
}

impl<'c> Registry<'c> {
    pub(super) fn new(conn: &'c Connection, s: &'c CheckSettings) -> Registry<'c> {
        Registry {
            conn,
            s,
            next_seq: None,
            before: HashMap::new(),
            merged: Vec::new(),
            changed: Vec::new(),
            pending: HashMap::new(),
            seqs: HashMap::new(),
        }
    }

    /// The id of a text, registered now when it is new.
    pub(super) fn seq_of(&mut self, t: &ReplyText) -> rusqlite::Result<i64> {
        if let Some(seq) = self.seqs.get(&t.hash) {
            return Ok(*seq);
        }
        let seq = self.lookup_or_add(t)?;
        self.seqs.insert(t.hash, seq);
        Ok(seq)
    }

    fn lookup_or_add(&mut self, t: &ReplyText) -> rusqlite::Result<i64> {
        let known: Option<i64> = self
            .conn
            .prepare_cached("SELECT seq FROM reply_texts WHERE hash = ?1")?
            .query_row(params![t.hash as i64], |r| r.get(0))
            .optional()?;
        if let Some(seq) = known {
            return Ok(seq);
        }
        let seq = match self.next_seq {
            Some(n) => n,
            None => self.conn.query_row(
                "SELECT coalesce(max(seq), 0) + 1 FROM reply_texts",
                [],
                |r| r.get(0),
            )?,
        };
        self.next_seq = Some(seq + 1);
        let sig = canned::signature(&t.normalised, self.s.canned.shingle_words);
        self.conn
            .prepare_cached(
                "INSERT INTO reply_texts (seq, hash, words, sig, cluster, customers)
                 VALUES (?1, ?2, ?3, ?4, ?1, 0)",
            )?
            .execute(params![seq, t.hash as i64, t.words, sig_bytes(&sig)])?;
        self.conn
            .prepare_cached("INSERT INTO reply_clusters (root, customers) VALUES (?1, 0)")?
            .execute(params![seq])?;
        self.before.insert(seq, 0);
        self.place(seq, &sig)?;
        Ok(seq)
    }

    /// Puts a new text (the last one met) in its buckets, joining it to the clusters of the
    /// texts it is like.
    fn place(&mut self, seq: i64, sig: &[u16; HASHES]) -> rusqlite::Result<()> {
        for band in 0..BANDS {
            let key = band_key(sig, band) as i64;
            let ends: Option<(i64, i64)> = self
                .conn
                .prepare_cached(
                    "SELECT head, last FROM reply_buckets WHERE band = ?1 AND key = ?2",
                )?
                .query_row(params![band as i64, key], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((head, last)) = ends else {
                self.conn
                    .prepare_cached(
                        "INSERT INTO reply_buckets (band, key, head, last) VALUES (?1, ?2, ?3, ?3)",
                    )?
                    .execute(params![band as i64, key, seq])?;
                continue;
            };
            for other in [head, last] {
                if similarity(sig, &self.sig(other)?) >= self.s.canned.near_threshold {
                    self.join(seq, other)?;
                }
            }
            self.conn
                .prepare_cached("UPDATE reply_buckets SET last = ?3 WHERE band = ?1 AND key = ?2")?
                .execute(params![band as i64, key, seq])?;
        }
        Ok(())
    }

    fn sig(&self, seq: i64) -> rusqlite::Result<[u16; HASHES]> {
        self.conn
            .prepare_cached("SELECT sig FROM reply_texts WHERE seq = ?1")?
            .query_row(params![seq], |r| {
                Ok(sig_from_bytes(r.get_ref(0)?.as_blob()?).unwrap_or([0; HASHES]))
            })
    }

    /// The cluster a text is in: the smallest id linked to it.
    pub(super) fn root(&self, seq: i64) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached("SELECT cluster FROM reply_texts WHERE seq = ?1")?
            .query_row(params![seq], |r| r.get(0))
    }

    /// A cluster's customers.
    pub(super) fn total(&self, root: i64) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached("SELECT customers FROM reply_clusters WHERE root = ?1")?
            .query_row(params![root], |r| r.get(0))
    }

    fn note(&mut self, root: i64) -> rusqlite::Result<()> {
        if !self.before.contains_key(&root) {
            let total = self.total(root)?;
            self.before.insert(root, total);
        }
        Ok(())
    }

    /// Merges two texts' clusters under the smaller root.
    fn join(&mut self, a: i64, b: i64) -> rusqlite::Result<()> {
        let (ra, rb) = (self.root(a)?, self.root(b)?);
        if ra == rb {
            return Ok(());
        }
        self.note(ra)?;
        self.note(rb)?;
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        let moved = self.total(hi)?;
        self.conn
            .prepare_cached("UPDATE reply_texts SET cluster = ?1 WHERE cluster = ?2")?
            .execute(params![lo, hi])?;
        self.conn
            .prepare_cached("UPDATE reply_clusters SET customers = customers + ?2 WHERE root = ?1")?
            .execute(params![lo, moved])?;
        self.conn
            .prepare_cached("DELETE FROM reply_clusters WHERE root = ?1")?
            .execute(params![hi])?;
        self.merged.push((hi, lo));
        Ok(())
    }

    /// Adds `n` customers (negative: takes them out) to a text and its cluster, once
    /// [`Registry::settle`] writes them.
    pub(super) fn add_customers(&mut self, seq: i64, n: i64) {
        *self.pending.entry(seq).or_default() += n;
        self.changed.push(seq);
    }

    /// Writes the customers added, each text's and its cluster's once. A cluster merged in the
    /// meantime moved its count with it; what was added since goes to the one it joined.
    pub(super) fn settle(&mut self) -> rusqlite::Result<()> {
        let mut pending: Vec<(i64, i64)> = self.pending.drain().filter(|p| p.1 != 0).collect();
        pending.sort_unstable();
        for (seq, n) in pending {
            let root = self.root(seq)?;
            self.note(root)?;
            self.conn
                .prepare_cached("UPDATE reply_texts SET customers = customers + ?2 WHERE seq = ?1")?
                .execute(params![seq, n])?;
            self.conn
                .prepare_cached(
                    "UPDATE reply_clusters SET customers = customers + ?2 WHERE root = ?1",
                )?
                .execute(params![root, n])?;
        }
        self.changed.sort_unstable();
        self.changed.dedup();
        Ok(())
    }

    /// The root a cluster touched by this update ended under.
    pub(super) fn resolved(&self, mut root: i64) -> i64 {
        while let Some(&(_, lo)) = self.merged.iter().find(|(hi, _)| *hi == root) {
            root = lo;
        }
        root
    }

    /// A text's customers.
    pub(super) fn customers(&self, seq: i64) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached("SELECT customers FROM reply_texts WHERE seq = ?1")?
            .query_row(params![seq], |r| r.get(0))
    }
}
