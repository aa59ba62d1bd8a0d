//! What reaches the customer from the screen: a signed item's letter (the letter key) and the
//! executive's own letter to the customer (`r`, a small text form).

use tui_textarea::TextArea;

use super::{Action, App, Effect, Mode};
use crate::config::Role;
use crate::tui::strings;

/// The executive's letter to the customer of one complaint.
pub struct ReachOutForm {
    pub complaint_id: i64,
    pub external_id: String,
    pub body: TextArea<'static>,
    pub error: Option<String>,
}

impl App {
    /// The letter key: a signed item's letter is written to a file; any other is refused with
    /// the reason.
    pub(super) fn letter(&mut self) -> Effect {
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        let Some(d) = self.current_detail() else {
            return Effect::None;
        };
        match crate::domain::letter::refusal(&d.external_id, &d.status) {
            None => Effect::Letter { complaint_id: id },
            Some(why) => {
                self.error(why);
                Effect::None
            }
        }
    }

    pub(super) fn start_reach_out(&mut self) -> Effect {
        if self.me.role != Role::Executive {
            self.error(strings::ONLY_EXEC_WRITES);
            return Effect::None;
        }
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        let external_id = self
            .current_detail()
            .map(|d| d.external_id.clone())
            .unwrap_or_else(|| format!("#{id}"));
        let mut body = TextArea::default();
        body.set_placeholder_text(strings::LETTER_PLACEHOLDER);
        self.mode = Mode::ReachOut(Box::new(ReachOutForm {
            complaint_id: id,
            external_id,
            body,
            error: None,
        }));
        Effect::None
    }

    /// The letter form takes the actions of its table (`bindings`): text, save, cancel.
    pub(super) fn reach_out_form(&mut self, mut f: ReachOutForm, action: Action) -> Effect {
        let discarding = f.error.as_deref() == Some(strings::DISCARD);
        f.error = None;
        match action {
            // Esc on a letter with text asks first: a second Esc discards.
            Action::Cancel if f.body.is_empty() || discarding => {
                self.info(strings::LETTER_DISCARDED);
                return Effect::None;
            }
            Action::Cancel => f.error = Some(strings::DISCARD.into()),
            Action::Save => {
                let text = f.body.lines().join("\n").trim().to_string();
                if text.is_empty() {
                    f.error = Some(strings::EMPTY_LETTER.into());
                } else {
                    let complaint_id = f.complaint_id;
                    self.pending = Some(Mode::ReachOut(Box::new(f)));
                    return Effect::ReachOut { complaint_id, text };
                }
            }
            Action::Input(k) => {
                f.body.input(k);
            }
            _ => {}
        }
        self.mode = Mode::ReachOut(Box::new(f));
        Effect::None
    }

    /// The letter key's file was written.
    pub fn letter_written(&mut self, message: String) {
        self.info(message);
    }

    /// The letter went to the outbox: the form is done with, and the conversation shows it.
    pub fn reached_out(&mut self, complaint_id: i64, message: String) -> Effect {
        self.pending = None;
        self.info(message);
        // Reload the conversation, which holds the letter now.
        if self
            .detail
            .as_ref()
            .is_some_and(|d| d.complaint_id == complaint_id)
        {
            self.detail = None;
        }
        self.load_selected()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Person;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn app(role: Role) -> App {
        let me = Person {
            login: "dana".into(),
            name: "Dana Reyes".into(),
            title: "Chief Executive".into(),
            role,
            divisions: vec!["Billing".into()],
            keys: vec![],
            email: None,
        };
        App::new(me, vec!["canned".into()], 5, vec![])
    }

    #[test]
    fn an_executive_writes_with_r_and_saves_into_an_effect() {
        let mut a = app(Role::Executive);
        a.tab = super::super::Tab::Search;
        a.hits = vec![crate::tui::data::Hit {
            complaint_id: 7,
            external_id: "T-7".into(),
            division: "Billing".into(),
            snippet: String::new(),
            received_at: 0,
        }];
        assert_eq!(
            a.update(Action::Answer(crate::domain::decision::Kind::Revise)),
            Effect::None
        );
        assert!(matches!(a.mode, Mode::ReachOut(_)));
        assert_eq!(
            a.update(Action::Save),
            Effect::None,
            "an empty letter is not saved"
        );
        for c in "Dear Ana".chars() {
            a.update(Action::Input(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        assert!(a.unsaved());
        assert_eq!(
            a.update(Action::Save),
            Effect::ReachOut {
                complaint_id: 7,
                text: "Dear Ana".into()
            }
        );
        // A division head's r is still the revised response.
        let mut head = app(Role::DivisionHead);
        head.update(Action::Answer(crate::domain::decision::Kind::Revise));
        assert!(!matches!(head.mode, Mode::ReachOut(_)));
    }
}
