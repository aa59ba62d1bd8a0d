//! Near-duplicate replies: MinHash signatures of a normalised text's word shingles, and the
//! locality-sensitive hashing that finds the pairs worth comparing (`canned` uses them).

use super::canned::{hash64, mix};

/// Hashes per MinHash signature: 8 bands of 4, so pairs at 0.8 similarity meet in some band
/// 98.5 % of the time, while pairs below 0.5 rarely do.
pub const HASHES: usize = 32;
const BAND_ROWS: usize = 4;
/// LSH bands per signature.
pub const BANDS: usize = HASHES / BAND_ROWS;

/// The bucket a signature falls in for one band: two texts are compared when they share one.
pub fn band_key(sig: &[u16; HASHES], band: usize) -> u64 {
    sig[band * BAND_ROWS..(band + 1) * BAND_ROWS]
        .iter()
        .fold(0u64, |acc, r| (acc << 16) | u64::from(*r))
}

/// A signature as stored: its hashes in little-endian order.
pub fn sig_bytes(sig: &[u16; HASHES]) -> Vec<u8> {
    sig.iter().flat_map(|h| h.to_le_bytes()).collect()
}

/// A stored signature; None when the bytes are not one.
pub fn sig_from_bytes(bytes: &[u8]) -> Option<[u16; HASHES]> {
    if bytes.len() != HASHES * 2 {
        return None;
    }
    let mut sig = [0u16; HASHES];
    for (h, b) in sig.iter_mut().zip(bytes.chunks_exact(2)) {
        *h = u16::from_le_bytes([b[0], b[1]]);
    }
    Some(sig)
}

/// The MinHash signature of a normalised text's shingles of `k` words. Each position keeps the
/// low 16 bits of its minimum: two different minima then agree by chance once in 65 536.
pub fn signature(normalised: &str, k: usize) -> [u16; HASHES] {
    let words: Vec<u64> = normalised
        .split(' ')
        .map(|w| hash64(w.as_bytes()))
        .collect();
    let k = k.max(1).min(words.len().max(1));
    let mut mins = [u64::MAX; HASHES];
    for win in words.windows(k) {
        let shingle = win.iter().fold(0u64, |acc, w| mix(acc.rotate_left(23) ^ w));
        for (i, m) in mins.iter_mut().enumerate() {
            // Cheap independent permutations: a multiply-add per position, then a mix of the top.
            let v = shingle
                .wrapping_mul(MULS[i])
                .wrapping_add(MULS[HASHES - 1 - i]);
            *m = (*m).min(v ^ (v >> 29));
        }
    }
    mins.map(|m| m as u16)
}

/// Odd constants for the permutations (splitmix64 outputs of 1..=32, forced odd).
const MULS: [u64; HASHES] = {
    let mut out = [0u64; HASHES];
    let mut i = 0;
    while i < HASHES {
        let mut x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out[i] = (x ^ (x >> 31)) | 1;
        i += 1;
    }
    out
};

/// The estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u16; HASHES], b: &[u16; HASHES]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / HASHES as f64
}

/// Clusters of near-duplicate signatures: for each input, the index of its cluster's root.
/// Candidates meet in an LSH band; each is compared with the first and the previous member of
/// its bucket, which finds every cluster whose members are all alike, at linear cost.
pub fn cluster(sigs: &[[u16; HASHES]], threshold: f64) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..sigs.len() as u32).collect();
    fn root(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            let up = parent[parent[i as usize] as usize];
            parent[i as usize] = up;
            i = up;
        }
        i
    }
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(sigs.len());
    for band in 0..BANDS {
        keys.clear();
        for (i, s) in sigs.iter().enumerate() {
            keys.push((band_key(s, band), i as u32));
        }
        keys.sort_unstable();
        for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            let head = run[0].1;
            for pair in run.windows(2) {
                for other in [head, pair[0].1] {
                    let me = pair[1].1;
                    if similarity(&sigs[me as usize], &sigs[other as usize]) >= threshold {
                        let (a, b) = (root(&mut parent, me), root(&mut parent, other));
                        if a != b {
                            parent[a.max(b) as usize] = a.min(b);
                        }
                    }
                }
            }
        }
    }
    (0..sigs.len() as u32)
        .map(|i| root(&mut parent, i))
        .collect()
}

/// For one band, each bucket that some signature falls in, as (key, its first signature's
/// index, its last one's), by key: what a new signature is compared with (see [`cluster`]).
pub fn bucket_ends(sigs: &[[u16; HASHES]], band: usize) -> Vec<(u64, u32, u32)> {
    let mut keys: Vec<(u64, u32)> = sigs
        .iter()
        .enumerate()
        .map(|(i, s)| (band_key(s, band), i as u32))
        .collect();
    keys.sort_unstable();
    keys.chunk_by(|a, b| a.0 == b.0)
        .map(|run| (run[0].0, run[0].1, run[run.len() - 1].1))
        .collect()
}
