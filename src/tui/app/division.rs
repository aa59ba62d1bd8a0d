//! A division head's list: every sampled item of their divisions, grouped by status with the
//! most urgent first, and the way from one push-back to the next.

use super::{App, Effect};
use crate::domain::decision::Status;
use crate::tui::data::Row;
use crate::tui::strings;

/// The groups of a division head's list, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Overdue,
    Open,
    /// Signed, but the text changed since: the executive signs it again.
    Changed,
    Answered,
    Pending,
    Signed,
}

impl Group {
    pub fn of(s: &Status) -> Group {
        match s {
            Status::PushedBack { overdue: true, .. } => Group::Overdue,
            Status::PushedBack { .. } => Group::Open,
            Status::SignedTextChanged { .. } => Group::Changed,
            Status::Answered { .. } => Group::Answered,
            Status::Pending => Group::Pending,
            Status::Signed { .. } => Group::Signed,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Group::Overdue => strings::GROUP_OVERDUE,
            Group::Open => strings::GROUP_OPEN,
            Group::Changed => strings::GROUP_CHANGED,
            Group::Answered => strings::GROUP_ANSWERED,
            Group::Pending => strings::GROUP_PENDING,
            Group::Signed => strings::GROUP_SIGNED,
        }
    }
}

/// By group, then the oldest complaint first: the one waiting longest leads its group.
pub fn sort(rows: &mut [Row]) {
    rows.sort_by_key(|r| (Group::of(&r.status), r.received_at, r.complaint_id));
}

impl App {
    /// After an answer: the next push-back still open, from the top of the list (the answered
    /// item has moved to its group). Stays put, and says so, when none is left.
    pub(super) fn next_to_answer(&mut self) -> Effect {
        let found = (0..self.visible.len()).find(|&p| self.needs_work(p));
        match found {
            Some(p) => {
                self.selected = p;
                self.load_selected()
            }
            None => {
                self.info(strings::ALL_ANSWERED);
                Effect::None
            }
        }
    }

    /// Re-sorts a division head's rows after a status changed, keeping the selection on the
    /// same complaint.
    pub(super) fn regroup(&mut self) {
        let keep = self.current_id();
        sort(&mut self.rows);
        self.refilter();
        if let Some(id) = keep {
            self.select_complaint(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_run_from_overdue_to_signed() {
        let pushed = |overdue| Status::PushedBack {
            decision: 1,
            due_at: None,
            overdue,
        };
        let order: Vec<Group> = [
            Status::Signed {
                decision: 1,
                by: String::new(),
                at: 0,
            },
            Status::Pending,
            pushed(false),
            Status::Answered {
                decision: 2,
                kind: crate::domain::decision::Kind::Revise,
            },
            pushed(true),
        ]
        .iter()
        .map(Group::of)
        .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [
                Group::Overdue,
                Group::Open,
                Group::Answered,
                Group::Pending,
                Group::Signed
            ]
        );
    }
}
