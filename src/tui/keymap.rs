//! Keys to actions: a pure function of the key, the mode and the configured bindings.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, Mode};
use crate::domain::decision::Kind;

/// The rebindable actions and their default keys (config: [review.keys]).
pub const DEFAULT_KEYS: &[(&str, &str)] = &[
    ("sign", "a"),
    ("push_back", "p"),
    ("revise", "r"),
    ("corrective_action", "c"),
    ("dispute", "d"),
    ("undo", "u"),
    ("next_unreviewed", "n"),
    ("search", "/"),
    ("help", "?"),
    ("quit", "q"),
    ("up", "k"),
    ("down", "j"),
    ("top", "g"),
    ("bottom", "G"),
    ("draw_sample", "s"),
    ("others", "o"),
    ("letter", "L"),
];

/// A key as written in the configuration: "a", "G", "ctrl-s", "enter", "f2".
pub fn parse_key(s: &str) -> Option<(KeyCode, KeyModifiers)> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        if let Some(r) = lower.strip_prefix("ctrl-") {
            mods |= KeyModifiers::CONTROL;
            rest = &rest[rest.len() - r.len()..];
        } else if let Some(r) = lower.strip_prefix("alt-") {
            mods |= KeyModifiers::ALT;
            rest = &rest[rest.len() - r.len()..];
        } else {
            break;
        }
    }
    let code = match rest.to_ascii_lowercase().as_str() {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        f if f.len() > 1 && f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
        _ => {
            let mut cs = rest.chars();
            let c = cs.next()?;
            if cs.next().is_some() {
                return None;
            }
            KeyCode::Char(c)
        }
    };
    Some((code, mods))
}

/// Bindings: action name → key.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: BTreeMap<String, (KeyCode, KeyModifiers)>,
}

impl Keymap {
    /// Defaults overridden by the configuration; unknown names or keys are reported.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Keymap, String> {
        let mut keys = BTreeMap::new();
        for (name, key) in DEFAULT_KEYS {
            keys.insert(
                name.to_string(),
                parse_key(key).ok_or_else(|| format!("bad default key {key}"))?,
            );
        }
        for (name, key) in overrides {
            if !keys.contains_key(name) {
                return Err(format!(
                    "review.keys: {name:?} is not an action (actions: {})",
                    DEFAULT_KEYS
                        .iter()
                        .map(|k| k.0)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let k = parse_key(key)
                .ok_or_else(|| format!("review.keys.{name}: {key:?} is not a key"))?;
            keys.insert(name.clone(), k);
        }
        Ok(Keymap { keys })
    }

    /// The key bound to an action, for the help screen and the footer.
    pub fn label(&self, name: &str) -> String {
        match self.keys.get(name) {
            Some((code, mods)) => {
                let k = match code {
                    KeyCode::Char(' ') => "space".to_string(),
                    KeyCode::Char(c) => c.to_string(),
                    KeyCode::F(n) => format!("F{n}"),
                    other => format!("{other:?}").to_lowercase(),
                };
                if mods.contains(KeyModifiers::CONTROL) {
                    format!("ctrl-{k}")
                } else {
                    k
                }
            }
            None => "?".into(),
        }
    }

    fn bound(&self, k: &KeyEvent) -> Option<&str> {
        let mods = k.modifiers & !KeyModifiers::SHIFT;
        self.keys
            .iter()
            .find(|(_, (code, m))| *code == k.code && *m == mods)
            .map(|(name, _)| name.as_str())
    }

    pub fn action(&self, k: KeyEvent, mode: &Mode) -> Option<Action> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && k.code == KeyCode::Char('c') {
            return Some(Action::ForceQuit);
        }
        match mode {
            Mode::PushBack(_)
            | Mode::Answer(_)
            | Mode::ReachOut(_)
            | Mode::SearchInput
            | Mode::Plan(_) => {
                return Some(match k.code {
                    KeyCode::Esc => Action::Cancel,
                    KeyCode::Tab | KeyCode::BackTab => Action::FocusNext,
                    KeyCode::Char('s') if ctrl => Action::Save,
                    KeyCode::Enter if matches!(mode, Mode::SearchInput | Mode::Plan(_)) => {
                        Action::Confirm
                    }
                    _ => Action::Input(k),
                })
            }
            Mode::ConfirmSign { .. } | Mode::ConfirmQuit => {
                return Some(match k.code {
                    KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y') => Action::Confirm,
                    _ => Action::Cancel,
                })
            }
            Mode::Help => return Some(Action::Cancel),
            Mode::Normal => {}
        }
        let fixed = match k.code {
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Home => Some(Action::Top),
            KeyCode::End => Some(Action::Bottom),
            KeyCode::PageUp => Some(Action::PageUp),
            KeyCode::PageDown => Some(Action::PageDown),
            KeyCode::Tab => Some(Action::NextTab),
            KeyCode::BackTab => Some(Action::PrevTab),
            KeyCode::Enter => Some(Action::Confirm),
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Char(c) if c.is_ascii_digit() && !ctrl => {
                Some(Action::SavedView(c.to_digit(10).unwrap_or(0) as usize))
            }
            _ => None,
        };
        if fixed.is_some() {
            return fixed;
        }
        Some(match self.bound(&k)? {
            "sign" => Action::Sign,
            "push_back" => Action::PushBack,
            "revise" => Action::Answer(Kind::Revise),
            "corrective_action" => Action::Answer(Kind::CorrectiveAction),
            "dispute" => Action::Answer(Kind::Dispute),
            "undo" => Action::Undo,
            "next_unreviewed" => Action::NextUnreviewed,
            "search" => Action::Search,
            "help" => Action::Help,
            "quit" => Action::Quit,
            "up" => Action::Up,
            "down" => Action::Down,
            "top" => Action::Top,
            "bottom" => Action::Bottom,
            "draw_sample" => Action::DrawSample,
            "others" => Action::Others,
            "letter" => Action::Letter,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn defaults_and_overrides() {
        let km = Keymap::new(&BTreeMap::new()).expect("keymap");
        assert_eq!(km.action(key('a'), &Mode::Normal), Some(Action::Sign));
        assert_eq!(km.action(key('o'), &Mode::Normal), Some(Action::Others));
        assert_eq!(
            km.action(
                KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT),
                &Mode::Normal
            ),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action(key('3'), &Mode::Normal),
            Some(Action::SavedView(3))
        );
        let km =
            Keymap::new(&BTreeMap::from([("sign".to_string(), "y".to_string())])).expect("keymap");
        assert_eq!(km.action(key('y'), &Mode::Normal), Some(Action::Sign));
        assert_eq!(km.action(key('a'), &Mode::Normal), None);
        assert!(Keymap::new(&BTreeMap::from([("fly".to_string(), "x".to_string())])).is_err());
        assert_eq!(
            parse_key("ctrl-s"),
            Some((KeyCode::Char('s'), KeyModifiers::CONTROL))
        );
        assert_eq!(parse_key("F2"), Some((KeyCode::F(2), KeyModifiers::NONE)));
    }

    #[test]
    fn text_modes_take_letters_as_text() {
        let km = Keymap::new(&BTreeMap::new()).expect("keymap");
        assert_eq!(
            km.action(key('q'), &Mode::SearchInput),
            Some(Action::Input(key('q')))
        );
        assert_eq!(
            km.action(
                KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
                &Mode::SearchInput
            ),
            Some(Action::Save)
        );
        assert_eq!(
            km.action(
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                &Mode::Normal
            ),
            Some(Action::ForceQuit)
        );
    }
}
