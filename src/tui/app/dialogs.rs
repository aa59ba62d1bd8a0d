//! The small dialogs' answers and the help box's scrolling.

use super::{Action, App, Effect, Mode};
use crate::tui::strings;

impl App {
    pub(super) fn confirm_sign(
        &mut self,
        complaint_id: i64,
        statement: String,
        action: Action,
    ) -> Effect {
        match action {
            Action::Confirm => Effect::Sign { complaint_id },
            Action::Cancel => {
                self.info(strings::NOT_SIGNED);
                Effect::None
            }
            _ => {
                self.mode = Mode::ConfirmSign {
                    complaint_id,
                    statement,
                };
                Effect::None
            }
        }
    }

    /// `s` over an unfinished sample: yes opens the plan editor, anything else keeps the sample.
    pub(super) fn confirm_draw(&mut self, unreviewed: usize, action: Action) -> Effect {
        match action {
            Action::Confirm => self.open_plan(),
            Action::Cancel => {
                self.info(strings::KEPT_SAMPLE);
                Effect::None
            }
            _ => {
                self.mode = Mode::ConfirmDraw { unreviewed };
                Effect::None
            }
        }
    }

    pub(super) fn help(&mut self, action: Action) -> Effect {
        let max = self.help_max;
        match action {
            Action::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
            Action::Down => self.help_scroll = (self.help_scroll + 1).min(max),
            Action::PageUp => self.help_scroll = self.help_scroll.saturating_sub(self.page),
            Action::PageDown => {
                self.help_scroll = self.help_scroll.saturating_add(self.page).min(max)
            }
            Action::Top => self.help_scroll = 0,
            Action::Bottom => self.help_scroll = max,
            Action::Cancel | Action::Help | Action::Quit | Action::Confirm => {
                return Effect::None;
            }
            _ => {}
        }
        self.mode = Mode::Help;
        Effect::None
    }
}
