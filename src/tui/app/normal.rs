//! The lists: moving, switching tabs and views, and starting a decision, a search or a draw.

use tui_textarea::TextArea;

use super::{Action, AnswerForm, App, Effect, Mode, PlanField, PlanForm, PushBackForm, Tab};
use super::{PushFocus, Role};
use crate::domain::decision::{Kind, Status};
use crate::tui::strings;

impl App {
    pub(super) fn normal(&mut self, action: Action) -> Effect {
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::Top => self.move_by(i64::MIN / 2),
            Action::Bottom => self.move_by(i64::MAX / 2),
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(self.page);
                Effect::None
            }
            Action::PageDown => {
                self.scroll = self.scroll.saturating_add(self.page).min(self.scroll_max);
                Effect::None
            }
            Action::ScrollDetail(d) => {
                self.scroll =
                    (self.scroll as i32 + d as i32).clamp(0, self.scroll_max as i32) as u16;
                Effect::None
            }
            Action::NextTab | Action::PrevTab => self.switch_tab(action == Action::NextTab),
            Action::Click(i) if self.tab != Tab::Dashboard => {
                let (len, sel) = match self.tab {
                    Tab::Search => (self.hits.len(), self.hit_selected),
                    _ => (self.visible.len(), self.selected),
                };
                if i < len {
                    self.move_by(i as i64 - sel as i64)
                } else {
                    Effect::None
                }
            }
            Action::Help => {
                self.help_scroll = 0;
                self.mode = Mode::Help;
                Effect::None
            }
            Action::Search => {
                self.mode = Mode::SearchInput;
                Effect::None
            }
            Action::Others => self.others(),
            Action::Quit => {
                if self.unsaved() {
                    self.mode = Mode::ConfirmQuit;
                    Effect::None
                } else {
                    Effect::Quit
                }
            }
            Action::Sign => self.start_sign(),
            Action::PushBack => self.start_push_back(),
            // One key writes: a division head's revised response, an executive's own letter.
            Action::Answer(Kind::Revise) if self.me.role == Role::Executive => {
                self.start_reach_out()
            }
            Action::Answer(kind) => self.start_answer(kind),
            Action::Letter => self.letter(),
            Action::Undo => match self.session.last() {
                Some(d) => Effect::Retract { decision_id: d.id },
                None => {
                    self.info(strings::NO_UNDO);
                    Effect::None
                }
            },
            Action::NextUnreviewed => self.next_unreviewed(),
            Action::SavedView(n) => self.saved_view(n),
            Action::DrawSample if self.me.role == Role::Executive => match self.unreviewed() {
                0 => self.open_plan(),
                n if self.sample.is_some() => {
                    self.mode = Mode::ConfirmDraw { unreviewed: n };
                    Effect::None
                }
                _ => self.open_plan(),
            },
            Action::Confirm if self.tab == Tab::Search => self.jump_to_hit(),
            Action::Unbound(message) => {
                self.info(message);
                Effect::None
            }
            _ => Effect::None,
        }
    }

    fn move_by(&mut self, delta: i64) -> Effect {
        let (len, sel) = match self.tab {
            Tab::Search => (self.hits.len(), &mut self.hit_selected),
            _ => (self.visible.len(), &mut self.selected),
        };
        if len == 0 {
            return Effect::None;
        }
        let next = (*sel as i64 + delta).clamp(0, len as i64 - 1) as usize;
        if next == *sel {
            return Effect::None;
        }
        *sel = next;
        self.load_selected()
    }

    fn switch_tab(&mut self, forward: bool) -> Effect {
        let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
        let n = Tab::ALL.len();
        let j = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.tab = Tab::ALL[j];
        match self.tab {
            Tab::Dashboard => Effect::LoadDashboard,
            _ => {
                self.detail = None;
                self.load_selected()
            }
        }
    }

    /// The next item after the selection that waits for this person, wrapping round.
    fn next_unreviewed(&mut self) -> Effect {
        let n = self.visible.len();
        let start = if self.tab == Tab::Queue {
            self.selected + 1
        } else {
            0
        };
        let found = (0..n)
            .map(|k| (start + k) % n)
            .find(|&p| self.needs_work(p));
        match found {
            Some(p) => {
                self.tab = Tab::Queue;
                self.selected = p;
                self.load_selected()
            }
            None => {
                self.info(if self.me.role == Role::DivisionHead {
                    strings::ALL_ANSWERED
                } else {
                    strings::ALL_REVIEWED
                });
                Effect::None
            }
        }
    }

    fn jump_to_hit(&mut self) -> Effect {
        let Some(id) = self.hits.get(self.hit_selected).map(|h| h.complaint_id) else {
            return Effect::None;
        };
        if self.select_complaint(id) {
            self.tab = Tab::Queue;
            return self.load_selected();
        }
        self.info(strings::NOT_IN_QUEUE);
        Effect::None
    }

    fn others(&mut self) -> Effect {
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        let Some(key) = self.current_detail().and_then(|d| d.customer_key.clone()) else {
            self.info(strings::NO_IDENTITY);
            return Effect::None;
        };
        self.query = format!("customer {key}");
        self.tab = Tab::Search;
        self.hit_selected = 0;
        Effect::Others {
            customer_key: key,
            complaint_id: id,
        }
    }

    pub(super) fn open_plan(&mut self) -> Effect {
        self.mode = Mode::Plan(PlanForm {
            population: None,
            confidence: format!("{}", self.plan_defaults.0),
            tolerable: format!("{}", self.plan_defaults.1),
            focus: PlanField::Confidence,
            error: None,
        });
        Effect::CountPopulation
    }

    fn start_sign(&mut self) -> Effect {
        if self.me.role != Role::Executive {
            self.error(strings::ONLY_EXEC_SIGNS);
            return Effect::None;
        }
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        if let Some(Status::Signed { .. }) = self.current_detail().map(|d| &d.status) {
            self.info(strings::ALREADY_SIGNED);
            return Effect::None;
        }
        self.mode = Mode::ConfirmSign {
            complaint_id: id,
            statement: crate::domain::decision::signature_statement(&self.me.name, &self.me.title),
        };
        Effect::None
    }

    fn start_push_back(&mut self) -> Effect {
        if self.me.role != Role::Executive {
            self.error(strings::ONLY_EXEC_PUSHES);
            return Effect::None;
        }
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        let mut note = TextArea::default();
        note.set_placeholder_text(strings::NOTE_PLACEHOLDER);
        self.mode = Mode::PushBack(Box::new(PushBackForm {
            complaint_id: id,
            reasons: self.reasons.iter().map(|r| (r.clone(), false)).collect(),
            cursor: 0,
            note,
            due_days: self.due_days.to_string(),
            focus: PushFocus::Reasons,
            error: None,
        }));
        Effect::None
    }

    fn start_answer(&mut self, kind: Kind) -> Effect {
        if self.me.role != Role::DivisionHead {
            self.error(strings::ONLY_HEAD_ANSWERS);
            return Effect::None;
        }
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        let open = self
            .current_detail()
            .is_some_and(|d| matches!(d.status, Status::PushedBack { .. }));
        if !open {
            self.error(strings::NOTHING_TO_ANSWER);
            return Effect::None;
        }
        let mut body = TextArea::default();
        if kind == Kind::Revise {
            if let Some(r) = self.detail.as_ref().and_then(|d| d.response_text.clone()) {
                body = TextArea::new(r.lines().map(str::to_string).collect());
            }
        }
        self.mode = Mode::Answer(Box::new(AnswerForm {
            complaint_id: id,
            kind,
            body,
            error: None,
        }));
        Effect::None
    }
}
