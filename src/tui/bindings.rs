//! Key bindings: what the screen shows as far as keys care (`Shown`), what a binding is, and
//! how a key finds its binding in the table of the mode on screen (`tables` holds the tables).
//! The footer and the help box print the same tables, so what the footer offers is exactly
//! what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, App, Mode, PushFocus, Tab};
use super::keymap::{key_label, Keymap};
use super::strings as s;
use crate::config::Role;
use crate::domain::decision::Status;

/// What the keys act on in the lists: who is looking, where, and what is possible there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Browse {
    pub role: Role,
    pub tab: Tab,
    /// The list has a selected item the keys act on.
    pub item: bool,
    /// The selected item has an open push-back to answer.
    pub answerable: bool,
    /// The selected item is signed (its text unchanged since): it has a letter.
    pub signed: bool,
    /// This session holds a decision that `undo` retracts.
    pub undo: bool,
    /// A save waits for the store.
    pub waiting: bool,
}

impl Browse {
    /// Every key of a role, for the help box.
    pub fn everything(role: Role) -> Browse {
        Browse {
            role,
            tab: Tab::Search,
            item: true,
            answerable: true,
            signed: true,
            undo: true,
            waiting: false,
        }
    }
}

/// The mode on screen, as far as the keys care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Browse(Browse),
    Help,
    ConfirmSign,
    ConfirmDraw,
    ConfirmQuit,
    SearchInput,
    Plan,
    PushBack(PushFocus),
    Answer,
    /// An executive's letter to the customer.
    ReachOut,
}

/// The keys of one binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Press(KeyCode, KeyModifiers),
    /// Matches like `Press` but is not named on screen (the capital of a named letter).
    Quiet(KeyCode),
    /// Any digit: the digit goes with the action.
    Digits,
    /// Any key not bound before it, handed to the text field.
    Text,
    /// Any key not bound before it.
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    /// The footer's word and the help box's line; a binding without words is not shown.
    pub words: Option<(&'static str, &'static str)>,
    /// Offered in the footer (the help box lists every binding with words).
    pub footer: bool,
}

impl Binding {
    /// The keys as the screen names them: "j", "↓", "0-9".
    pub fn names(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter_map(|k| match k {
                Key::Press(c, m) => Some(key_label(*c, *m)),
                Key::Digits => Some("0-9".into()),
                Key::Other => Some("other keys".into()),
                Key::Quiet(_) | Key::Text => None,
            })
            .collect()
    }

    /// Every key, for the help box: "j / ↓".
    pub fn label(&self) -> String {
        self.names().join(" / ")
    }

    /// The first two keys, for the footer: "y/Enter".
    pub fn short_label(&self) -> String {
        self.names()
            .into_iter()
            .take(2)
            .collect::<Vec<_>>()
            .join("/")
    }

    fn matches(&self, k: &KeyEvent) -> bool {
        let mods = k.modifiers & !KeyModifiers::SHIFT;
        let plain = !mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        self.keys.iter().any(|key| match key {
            Key::Press(c, m) => *c == k.code && *m == mods,
            Key::Quiet(c) => *c == k.code && plain,
            Key::Digits => plain && matches!(k.code, KeyCode::Char(c) if c.is_ascii_digit()),
            Key::Text | Key::Other => true,
        })
    }
}

impl Keymap {
    /// What a key does in the mode on screen: the first binding that holds it.
    pub fn action(&self, k: KeyEvent, shown: Shown) -> Option<Action> {
        let table = self.bindings(shown);
        let Some(b) = table.iter().find(|b| b.matches(&k)) else {
            return match (shown, k.code) {
                (Shown::Browse(_), KeyCode::Char(c))
                    if !k
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    Some(Action::Unbound(s::unbound(
                        &c.to_string(),
                        &self.label("help"),
                    )))
                }
                _ => None,
            };
        };
        Some(match (&b.action, k.code) {
            (Action::SavedView(_), KeyCode::Char(c)) => {
                Action::SavedView(c.to_digit(10).unwrap_or(0) as usize)
            }
            (Action::Input(_), _) => Action::Input(k),
            (a, _) => a.clone(),
        })
    }
}

impl App {
    /// The mode on screen, for the keymap.
    pub fn shown(&self) -> Shown {
        match &self.mode {
            Mode::Normal => Shown::Browse(Browse {
                role: self.me.role,
                tab: self.tab,
                item: self.current_id().is_some(),
                answerable: self
                    .current_detail()
                    .is_some_and(|d| matches!(d.status, Status::PushedBack { .. })),
                signed: self
                    .current_detail()
                    .is_some_and(|d| matches!(d.status, Status::Signed { .. })),
                undo: !self.session.is_empty(),
                waiting: self.waiting.is_some(),
            }),
            Mode::Help => Shown::Help,
            Mode::ConfirmSign { .. } => Shown::ConfirmSign,
            Mode::ConfirmDraw { .. } => Shown::ConfirmDraw,
            Mode::ConfirmQuit => Shown::ConfirmQuit,
            Mode::SearchInput => Shown::SearchInput,
            Mode::Plan(_) => Shown::Plan,
            Mode::PushBack(f) => Shown::PushBack(f.focus),
            Mode::Answer(_) => Shown::Answer,
            Mode::ReachOut(_) => Shown::ReachOut,
        }
    }
}
