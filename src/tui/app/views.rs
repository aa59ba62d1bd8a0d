//! Saved views: named filters over the queue, from the configuration, chosen with the digits.

use super::{App, Effect};
use crate::domain::decision::Status;
use crate::tui::data::Row;
use crate::tui::strings;

/// A named filter over the queue, from the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedView {
    pub name: String,
    pub division: Option<String>,
    pub status: Option<String>,
    pub likelihood_max: Option<u8>,
    pub wants_contact: Option<bool>,
}

impl SavedView {
    pub fn matches(&self, r: &Row) -> bool {
        self.division
            .as_ref()
            .is_none_or(|d| d.eq_ignore_ascii_case(&r.division))
            && self
                .likelihood_max
                .is_none_or(|m| r.likelihood.is_some_and(|l| l <= m))
            && self
                .wants_contact
                .is_none_or(|w| r.wants_contact == Some(w))
            && self
                .status
                .as_deref()
                .is_none_or(|s| status_matches(s, &r.status))
    }
}

fn status_matches(want: &str, s: &Status) -> bool {
    match want {
        "pending" => matches!(s, Status::Pending),
        "signed" => matches!(s, Status::Signed { .. }),
        "pushed_back" | "pushed-back" => matches!(s, Status::PushedBack { .. }),
        "overdue" => matches!(s, Status::PushedBack { overdue: true, .. }),
        "answered" => matches!(s, Status::Answered { .. }),
        "changed" => matches!(s, Status::SignedTextChanged { .. }),
        _ => true,
    }
}

impl App {
    /// The digit keys: 1 to 9 choose a saved view, 0 shows every item.
    pub(super) fn saved_view(&mut self, n: usize) -> Effect {
        if n == 0 {
            self.active_view = None;
            self.info(strings::ALL_ITEMS);
        } else if n <= self.views.len() {
            self.active_view = Some(n - 1);
            let name = self.views[n - 1].name.clone();
            self.info(strings::view_chosen(n, &name));
        } else {
            self.error(strings::no_view(n, self.views.len()));
            return Effect::None;
        }
        self.selected = 0;
        self.refilter();
        self.load_selected()
    }
}

/// The digit a view is chosen with, for the screen that names them: 1 for the first.
pub fn digit(index: usize) -> Option<char> {
    char::from_digit(index as u32 + 1, 10).filter(|_| index < 9)
}
