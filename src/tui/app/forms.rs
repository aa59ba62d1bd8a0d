//! The forms: a push-back, a division head's answer, the plan editor and the search field.
//! Each takes the actions its keymap gives it (see `bindings`) and nothing else.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

use super::{Action, App, Effect, Mode, Tab};
use crate::domain::decision::Kind;
use crate::tui::strings;

/// The fields of the push-back form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushFocus {
    Reasons,
    Note,
    Due,
}

impl PushFocus {
    fn next(self, forward: bool) -> PushFocus {
        use PushFocus::*;
        match (self, forward) {
            (Reasons, true) | (Due, false) => Note,
            (Note, true) | (Reasons, false) => Due,
            (Due, true) | (Note, false) => Reasons,
        }
    }
}

/// The push-back form.
pub struct PushBackForm {
    pub complaint_id: i64,
    /// The reasons and whether each is ticked, shown in two columns, top to bottom.
    pub reasons: Vec<(String, bool)>,
    pub cursor: usize,
    pub note: TextArea<'static>,
    pub due_days: String,
    pub focus: PushFocus,
    pub error: Option<String>,
}

impl PushBackForm {
    /// Rows of the two-column reasons grid.
    pub fn grid_rows(&self) -> usize {
        self.reasons.len().div_ceil(2)
    }

    fn move_cursor(&mut self, action: &Action) {
        let (n, half) = (self.reasons.len(), self.grid_rows());
        let c = self.cursor;
        self.cursor = match action {
            Action::Up => c.saturating_sub(1),
            Action::Down => (c + 1).min(n.saturating_sub(1)),
            Action::Left if c >= half => c - half,
            Action::Right if c + half < n => c + half,
            _ => c,
        };
    }
}

/// The division head's answer form.
pub struct AnswerForm {
    pub complaint_id: i64,
    pub kind: Kind,
    pub body: TextArea<'static>,
    pub error: Option<String>,
}

/// The plan editor's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanField {
    Confidence,
    Tolerable,
}

/// The plan editor, offered when there is no sample yet.
pub struct PlanForm {
    /// The population a draw would start from, once counted.
    pub population: Option<u64>,
    pub confidence: String,
    pub tolerable: String,
    pub focus: PlanField,
    pub error: Option<String>,
}

/// A typed character, not a control combination.
fn typed(k: &KeyEvent) -> Option<char> {
    match k.code {
        KeyCode::Char(c)
            if !k
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// Digits (and a decimal point, where allowed) into a short number field.
fn number_input(field: &mut String, action: &Action, decimals: bool, max: usize) {
    match action {
        Action::ClearField => field.clear(),
        Action::Input(k) if k.code == KeyCode::Backspace => {
            field.pop();
        }
        Action::Input(k) => {
            if let Some(c) = typed(k) {
                if (c.is_ascii_digit() || (decimals && c == '.')) && field.len() < max {
                    field.push(c);
                }
            }
        }
        _ => {}
    }
}

impl App {
    pub(super) fn push_back_form(&mut self, mut f: PushBackForm, action: Action) -> Effect {
        let discarding = f.error.as_deref() == Some(strings::DISCARD);
        f.error = None;
        match action {
            // Esc on a form with text asks first: a second Esc discards.
            Action::Cancel if f.note.is_empty() => return Effect::None,
            Action::Cancel if discarding => {
                self.info(strings::PUSH_BACK_DISCARDED);
                return Effect::None;
            }
            Action::Cancel => f.error = Some(strings::DISCARD.into()),
            Action::FocusNext => f.focus = f.focus.next(true),
            Action::FocusPrev => f.focus = f.focus.next(false),
            Action::Save => {
                let reasons: Vec<String> = f
                    .reasons
                    .iter()
                    .filter(|r| r.1)
                    .map(|r| r.0.clone())
                    .collect();
                let note = f.note.lines().join("\n").trim().to_string();
                let due: Option<u32> = f.due_days.trim().parse().ok();
                f.error = match (reasons.is_empty(), note.is_empty(), due) {
                    (true, _, _) => Some(strings::NEED_REASON.into()),
                    (_, true, _) => Some(strings::NEED_NOTE.into()),
                    (_, _, None) => Some(strings::BAD_DUE.into()),
                    (false, false, Some(d)) => {
                        let complaint_id = f.complaint_id;
                        self.pending = Some(Mode::PushBack(Box::new(f)));
                        return Effect::PushBack {
                            complaint_id,
                            reasons,
                            note,
                            due_days: d,
                        };
                    }
                };
            }
            Action::Up | Action::Down | Action::Left | Action::Right => f.move_cursor(&action),
            Action::Toggle => {
                if let Some(r) = f.reasons.get_mut(f.cursor) {
                    r.1 = !r.1;
                }
            }
            Action::Input(k) if f.focus == PushFocus::Note => {
                f.note.input(k);
            }
            a => number_input(&mut f.due_days, &a, false, 3),
        }
        self.mode = Mode::PushBack(Box::new(f));
        Effect::None
    }

    pub(super) fn answer_form(&mut self, mut f: AnswerForm, action: Action) -> Effect {
        let discarding = f.error.as_deref() == Some(strings::DISCARD);
        f.error = None;
        match action {
            Action::Cancel if f.body.is_empty() || discarding => {
                self.info(strings::ANSWER_DISCARDED);
                return Effect::None;
            }
            Action::Cancel => f.error = Some(strings::DISCARD.into()),
            Action::Save => {
                let body = f.body.lines().join("\n").trim().to_string();
                if body.is_empty() {
                    f.error = Some(strings::EMPTY_ANSWER.into());
                } else {
                    let (complaint_id, kind) = (f.complaint_id, f.kind);
                    self.pending = Some(Mode::Answer(Box::new(f)));
                    return Effect::Answer {
                        complaint_id,
                        kind,
                        body,
                    };
                }
            }
            Action::Input(k) => {
                f.body.input(k);
            }
            _ => {}
        }
        self.mode = Mode::Answer(Box::new(f));
        Effect::None
    }

    pub(super) fn search_input(&mut self, action: Action) -> Effect {
        match action {
            Action::Cancel => return Effect::None,
            Action::Confirm | Action::Save => {
                self.tab = Tab::Search;
                self.hit_selected = 0;
                return Effect::Search(self.query.clone());
            }
            Action::ClearField => self.query.clear(),
            Action::Input(k) if k.code == KeyCode::Backspace => {
                self.query.pop();
            }
            Action::Input(k) => {
                if let Some(c) = typed(&k) {
                    self.query.push(c);
                }
            }
            _ => {}
        }
        self.mode = Mode::SearchInput;
        Effect::None
    }

    pub(super) fn plan_form(&mut self, mut f: PlanForm, action: Action) -> Effect {
        // An error speaks of what was entered: any change makes it stale.
        f.error = None;
        match action {
            Action::Cancel => return Effect::None,
            Action::FocusNext | Action::FocusPrev | Action::Down | Action::Up => {
                f.focus = match f.focus {
                    PlanField::Confidence => PlanField::Tolerable,
                    PlanField::Tolerable => PlanField::Confidence,
                }
            }
            Action::Confirm | Action::Save => {
                match (
                    f.confidence.trim().parse::<f64>(),
                    f.tolerable.trim().parse::<f64>(),
                ) {
                    (Ok(c), Ok(t)) if c > 0.0 && c < 100.0 && t > 0.0 && t < 100.0 => {
                        return Effect::DrawSample {
                            confidence: c,
                            tolerable: t,
                        };
                    }
                    _ => f.error = Some(strings::PLAN_BAD.into()),
                }
            }
            a => {
                let field = match f.focus {
                    PlanField::Confidence => &mut f.confidence,
                    PlanField::Tolerable => &mut f.tolerable,
                };
                number_input(field, &a, true, 6);
            }
        }
        self.mode = Mode::Plan(f);
        Effect::None
    }
}
