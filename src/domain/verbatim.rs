//! Choosing the complaints worth reading in full: those where the most went wrong.

use super::flags::Flag;

/// A complaint of the period with what is known against it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    pub complaint_id: i64,
    pub received_at: i64,
    pub flags: Vec<Flag>,
    pub pushed_back: bool,
    pub car_overdue: bool,
    pub likelihood: Option<u8>,
}

impl Candidate {
    /// Weights: an executive's push-back and the failures customers feel most (an ignored
    /// request, a refused escalation, an overdue call-back) count double.
    pub fn score(&self) -> u32 {
        let flag = |f: &Flag| match f {
            Flag::ContactIgnored | Flag::EscalationRefused => 2,
            Flag::Canned | Flag::Late | Flag::Repeat | Flag::UnansweredWriting => 1,
        };
        3 * u32::from(self.pushed_back)
            + 2 * u32::from(self.car_overdue)
            + self.flags.iter().map(flag).sum::<u32>()
            + u32::from(self.likelihood.is_some_and(|l| l <= 3))
    }

    /// Why it was chosen, in words.
    pub fn why(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.pushed_back {
            out.push("pushed back this period".to_string());
        }
        if self.car_overdue {
            out.push("call-back overdue".to_string());
        }
        out.extend(self.flags.iter().map(|f| f.label().to_string()));
        if let Some(l) = self.likelihood.filter(|l| *l <= 3) {
            out.push(format!("likelihood to recommend {l}/10"));
        }
        out
    }
}

/// The `n` candidates worth reading first: highest score, then least likely to recommend, then
/// newest. Deterministic, so a pack regenerated from the same store quotes the same complaints.
pub fn pick(mut cands: Vec<Candidate>, n: usize) -> Vec<Candidate> {
    cands.retain(|c| c.score() > 0);
    // Keys computed once: on a busy store there are a hundred thousand candidates.
    cands.sort_by_cached_key(|c| {
        (
            std::cmp::Reverse(c.score()),
            c.likelihood.unwrap_or(11),
            std::cmp::Reverse(c.received_at),
            c.complaint_id,
        )
    });
    cands.truncate(n);
    cands
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, flags: Vec<Flag>, pushed_back: bool, likelihood: Option<u8>) -> Candidate {
        Candidate {
            complaint_id: id,
            received_at: id,
            flags,
            pushed_back,
            car_overdue: false,
            likelihood,
        }
    }

    #[test]
    fn the_worst_come_first() {
        let picked = pick(
            vec![
                c(1, vec![Flag::Late], false, Some(9)),
                c(2, vec![Flag::Canned, Flag::ContactIgnored], true, Some(2)),
                c(3, vec![Flag::Late], false, Some(1)),
                c(4, vec![], false, Some(8)),
                c(5, vec![Flag::Late], false, None),
            ],
            3,
        );
        let ids: Vec<i64> = picked.iter().map(|p| p.complaint_id).collect();
        assert_eq!(
            ids,
            [2, 3, 1],
            "a score of 1 with a known 9/10 beats one with none"
        );
        assert_eq!(
            picked[0].why(),
            [
                "pushed back this period",
                "canned reply",
                "contact ignored",
                "likelihood to recommend 2/10"
            ]
        );
    }
}
