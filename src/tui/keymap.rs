//! The rebindable keys: their defaults, the configuration's overrides, and how the screen names
//! keys. Which key does what in each mode is `bindings`.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyModifiers};

use super::bindings::Key;

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

/// The rebindable keys: action name → key. The table of each mode (`bindings`) places them.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: BTreeMap<String, (KeyCode, KeyModifiers)>,
}

/// Keys that keep their meaning whatever the configuration says.
fn fixed(code: KeyCode, mods: KeyModifiers) -> bool {
    let ctrl = mods.contains(KeyModifiers::CONTROL);
    matches!(
        code,
        KeyCode::Up
            | KeyCode::Down
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::PageUp
            | KeyCode::PageDown
            | KeyCode::Home
            | KeyCode::End
            | KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Enter
            | KeyCode::Esc
            | KeyCode::Backspace
    ) || matches!(code, KeyCode::Char(c) if c.is_ascii_digit() || c == ' ')
        || (ctrl && matches!(code, KeyCode::Char('c' | 's' | 'u')))
}

impl Keymap {
    /// Defaults overridden by the configuration; unknown names, bad keys, fixed keys and two
    /// actions on one key are reported.
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
            if fixed(k.0, k.1) {
                return Err(format!(
                    "review.keys.{name}: {key:?} is a fixed key (arrows, PgUp/PgDn, Home/End, \
                     Tab, Enter, Esc, Backspace, space, digits, Ctrl-C/S/U)"
                ));
            }
            keys.insert(name.clone(), k);
        }
        let mut seen: Vec<(&(KeyCode, KeyModifiers), &str)> = Vec::new();
        for (name, k) in &keys {
            if let Some((_, other)) = seen.iter().find(|(o, _)| *o == k) {
                return Err(format!(
                    "review.keys: {other} and {name} are both on {:?}",
                    key_label(k.0, k.1)
                ));
            }
            seen.push((k, name));
        }
        Ok(Keymap { keys })
    }

    /// The key of a rebindable action.
    pub fn key(&self, name: &str) -> Key {
        match self.keys.get(name) {
            Some((code, mods)) => Key::Press(*code, *mods),
            // Every name the tables use is in DEFAULT_KEYS, so `new` bound it.
            None => Key::Press(KeyCode::Null, KeyModifiers::NONE),
        }
    }

    /// The key bound to an action, as the screen names it.
    pub fn label(&self, name: &str) -> String {
        match self.keys.get(name) {
            Some((code, mods)) => key_label(*code, *mods),
            None => "?".into(),
        }
    }
}

/// A key as the screen names it: "a", "G", "Ctrl-S", "Enter", "↓", "PgDn".
pub fn key_label(code: KeyCode, mods: KeyModifiers) -> String {
    let k = match code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => c.to_uppercase().to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        other => format!("{other:?}"),
    };
    let mut out = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        out.push_str("Ctrl-");
    }
    if mods.contains(KeyModifiers::ALT) {
        out.push_str("Alt-");
    }
    out + &k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let km = Keymap::new(&BTreeMap::new()).expect("keymap");
        assert_eq!(km.label("sign"), "a");
        assert_eq!(km.label("bottom"), "G");
        let km =
            Keymap::new(&BTreeMap::from([("sign".to_string(), "y".to_string())])).expect("keymap");
        assert_eq!(km.label("sign"), "y");
        assert!(Keymap::new(&BTreeMap::from([("fly".to_string(), "x".to_string())])).is_err());
        assert_eq!(
            parse_key("ctrl-s"),
            Some((KeyCode::Char('s'), KeyModifiers::CONTROL))
        );
        assert_eq!(parse_key("F2"), Some((KeyCode::F(2), KeyModifiers::NONE)));
    }

    #[test]
    fn a_key_holds_one_action_and_fixed_keys_stay_fixed() {
        let clash = BTreeMap::from([("sign".to_string(), "p".to_string())]);
        let e = Keymap::new(&clash).expect_err("two actions on p");
        assert!(
            e.contains("push_back and sign") || e.contains("sign and push_back"),
            "{e}"
        );
        for fixed in ["tab", "3", "esc", "ctrl-s", "space"] {
            let m = BTreeMap::from([("sign".to_string(), fixed.to_string())]);
            let e = Keymap::new(&m).expect_err(fixed);
            assert!(e.contains("fixed key"), "{e}");
        }
    }

    #[test]
    fn keys_are_named_as_on_a_keyboard() {
        assert_eq!(
            key_label(KeyCode::Char('s'), KeyModifiers::CONTROL),
            "Ctrl-S"
        );
        assert_eq!(key_label(KeyCode::Char(' '), KeyModifiers::NONE), "Space");
        assert_eq!(key_label(KeyCode::PageDown, KeyModifiers::NONE), "PgDn");
        assert_eq!(
            key_label(KeyCode::BackTab, KeyModifiers::SHIFT),
            "Shift-Tab"
        );
    }
}
