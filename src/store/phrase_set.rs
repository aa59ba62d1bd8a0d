//! A phrase rule's matches as both stores keep them (`phrase_rule_sets`): a bitmap of complaint
//! ids, bit `id % 8` of byte `id / 8`, with the number of ids it holds.

use crate::domain::population::IdSet;

/// The complaints a phrase rule matched, as a set of ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhraseSet {
    pub matches: u64,
    bits: Vec<u8>,
}

impl PhraseSet {
    /// A set as a store keeps it: its count and its bitmap.
    pub fn from_stored(matches: i64, bits: Vec<u8>) -> PhraseSet {
        PhraseSet {
            matches: matches.max(0) as u64,
            bits,
        }
    }

    /// The bitmap, as a store keeps it.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    pub fn contains(&self, id: i64) -> bool {
        usize::try_from(id).is_ok_and(|i| {
            self.bits
                .get(i / 8)
                .is_some_and(|b| b & (1u8 << (i % 8)) != 0)
        })
    }

    /// The ids, ascending.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.bits.iter().enumerate().flat_map(|(byte, b)| {
            (0..8)
                .filter(move |bit| b & (1u8 << bit) != 0)
                .map(move |bit| (byte * 8 + bit) as i64)
        })
    }

    pub fn insert(&mut self, id: i64) {
        let Ok(i) = usize::try_from(id) else {
            return;
        };
        if self.bits.len() <= i / 8 {
            self.bits.resize(i / 8 + 1, 0);
        }
        let bit = 1u8 << (i % 8);
        if self.bits[i / 8] & bit == 0 {
            self.bits[i / 8] |= bit;
            self.matches += 1;
        }
    }

    pub fn remove(&mut self, id: i64) {
        if self.contains(id) {
            let i = id as usize;
            self.bits[i / 8] &= !(1u8 << (i % 8));
            self.matches -= 1;
        }
    }
}

impl FromIterator<i64> for PhraseSet {
    fn from_iter<I: IntoIterator<Item = i64>>(ids: I) -> PhraseSet {
        let mut set = PhraseSet::default();
        for id in ids {
            set.insert(id);
        }
        set
    }
}

impl IdSet for PhraseSet {
    fn contains(&self, id: i64) -> bool {
        PhraseSet::contains(self, id)
    }
    fn size(&self) -> u64 {
        self.matches
    }
}

#[cfg(test)]
mod tests {
    use super::PhraseSet;

    #[test]
    fn ids_go_in_and_out_and_are_kept_as_a_bitmap() {
        let mut set: PhraseSet = [3, 9, 9, 64].into_iter().collect();
        assert_eq!(set.matches, 3);
        assert_eq!(set.bits(), &[0b0000_1000, 0b0000_0010, 0, 0, 0, 0, 0, 0, 1]);
        set.remove(9);
        set.remove(10);
        set.insert(-1);
        assert_eq!(set.ids().collect::<Vec<_>>(), vec![3, 64]);
        let again = PhraseSet::from_stored(set.matches as i64, set.bits().to_vec());
        assert_eq!(again, set);
        assert!(again.contains(64) && !again.contains(9) && !again.contains(1000));
    }
}
