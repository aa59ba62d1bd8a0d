//! What the loop reports back: a detail loaded, a decision saved or refused, search hits, and
//! a save that waits for the store.

use super::{Action, App, Effect, Mode, Role, Tab};
use crate::domain::decision::{Decision, Kind};
use crate::tui::data::{Detail, Hit};
use crate::tui::strings;

/// A decision (or a draw) that found the store busy, most likely held by an import: the loop
/// tries it again until the store is free, and the screen keeps working meanwhile.
pub struct Waiting {
    pub effect: Effect,
    /// The form it came from, given back if the wait is given up.
    pub form: Option<Mode>,
    /// When the first attempt found the store busy (set by the loop).
    pub since: std::time::Instant,
}

impl Waiting {
    /// What is waiting, for the status line: "your signature", "the push-back", ...
    pub fn what(&self) -> &'static str {
        match &self.effect {
            Effect::Sign { .. } => strings::WAITING_SIGN,
            Effect::PushBack { .. } => strings::WAITING_PUSH_BACK,
            Effect::Answer { .. } => strings::WAITING_ANSWER,
            Effect::Retract { .. } => strings::WAITING_UNDO,
            Effect::DrawSample { .. } => strings::WAITING_DRAW,
            _ => strings::WAITING_OTHER,
        }
    }
}

impl App {
    /// A save is waiting for the store: Esc gives it up, and a second decision waits its turn.
    pub(super) fn while_waiting(&mut self, action: &Action) -> Option<Effect> {
        match action {
            // Esc gives up waiting: nothing is saved, and the form comes back.
            Action::Cancel => {
                if let Some(w) = self.waiting.take() {
                    self.error(format!("{} was not saved", w.what()));
                    if let Some(form) = w.form {
                        self.mode = form;
                    }
                }
                Some(Effect::None)
            }
            Action::Sign
            | Action::PushBack
            | Action::Answer(_)
            | Action::Undo
            | Action::DrawSample => {
                let what = self.waiting.as_ref().map_or("", |w| w.what());
                self.error(format!(
                    "{what} is still waiting to be saved; one at a time (Esc cancels it)"
                ));
                Some(Effect::None)
            }
            _ => None,
        }
    }

    pub fn detail_loaded(&mut self, d: Detail) {
        if let Some(i) = self
            .rows
            .iter()
            .position(|r| r.complaint_id == d.complaint_id)
        {
            self.rows[i].status = d.status.clone();
            self.rows[i].pushed_back = crate::domain::decision::ever_pushed_back(&d.decisions);
        }
        self.detail = Some(d);
    }

    /// A decision was committed: record it, show it, move on to the next item that waits —
    /// the next unreviewed one after a sign-off or a push-back, the next push-back after an
    /// answer.
    pub fn decision_saved(&mut self, d: Decision, detail: Detail) -> Effect {
        let what = strings::decided(d.kind, &detail.external_id, &detail.division, d.retracts);
        self.info(format!("{what} · saved"));
        if d.kind == Kind::Retract {
            self.session.retain(|s| Some(s.id) != d.retracts);
        } else {
            self.session.push(d.clone());
        }
        let kind = d.kind;
        self.detail_loaded(detail);
        if self.me.role == Role::DivisionHead {
            self.regroup();
        }
        if self.tab != Tab::Queue {
            return Effect::None;
        }
        // The move may add a word ("every item is reviewed") to the line that says what was saved.
        let saved = self.message.take();
        let eff = match kind {
            Kind::Approve | Kind::PushBack => self.normal(super::Action::NextUnreviewed),
            Kind::Revise | Kind::CorrectiveAction | Kind::Dispute => self.next_to_answer(),
            Kind::Retract => Effect::None,
        };
        self.message = match (saved, self.message.take()) {
            (Some((level, s)), Some((_, m))) => Some((level, format!("{s} · {m}"))),
            (s, m) => s.or(m),
        };
        eff
    }

    /// A decision could not be saved; the form (if any) is given back so nothing typed is lost.
    pub fn decision_failed(&mut self, message: String, form: Option<Mode>) {
        self.error(message);
        if let Some(m) = form {
            self.mode = m;
        }
    }

    pub fn search_done(&mut self, hits: Vec<Hit>) -> Effect {
        self.info(strings::matches(hits.len(), &self.query));
        self.hits = hits;
        self.hit_selected = 0;
        self.detail = None;
        self.load_selected()
    }
}
