//! The table of each mode: which keys do what, in the order the footer offers them. Read by
//! the key handling (`Keymap::action`), the footer and the help box alike.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, PushFocus, Tab};
use super::bindings::{Binding, Browse, Key, Shown};
use super::keymap::Keymap;
use super::strings as s;
use crate::config::Role;
use crate::domain::decision::Kind;

/// A table under construction.
#[derive(Default)]
struct Table(Vec<Binding>);

type Words = (&'static str, &'static str);

impl Table {
    /// A binding the help box lists.
    fn add(&mut self, keys: Vec<Key>, action: Action, words: Words) {
        self.push(keys, action, Some(words), false);
    }

    /// A binding the footer offers too.
    fn offer(&mut self, keys: Vec<Key>, action: Action, words: Words) {
        self.push(keys, action, Some(words), true);
    }

    /// A binding nothing names.
    fn quiet(&mut self, keys: Vec<Key>, action: Action) {
        self.push(keys, action, None, false);
    }

    fn push(&mut self, keys: Vec<Key>, action: Action, words: Option<Words>, footer: bool) {
        self.0.push(Binding {
            keys,
            action,
            words,
            footer,
        });
    }
}

fn press(c: KeyCode) -> Key {
    Key::Press(c, KeyModifiers::NONE)
}

fn ctrl(c: char) -> Key {
    Key::Press(KeyCode::Char(c), KeyModifiers::CONTROL)
}

impl Keymap {
    /// The bindings of the mode on screen, in the order the footer offers them.
    pub fn bindings(&self, shown: Shown) -> Vec<Binding> {
        let mut t = Table::default();
        t.quiet(vec![ctrl('c')], Action::ForceQuit);
        let k = |name: &str| self.key(name);
        let cancel = press(KeyCode::Esc);
        match shown {
            Shown::Browse(b) => self.browse(&mut t, b),
            Shown::Help => {
                t.offer(
                    vec![k("down"), press(KeyCode::Down)],
                    Action::Down,
                    s::SCROLL,
                );
                t.quiet(vec![k("up"), press(KeyCode::Up)], Action::Up);
                t.quiet(vec![press(KeyCode::PageDown)], Action::PageDown);
                t.quiet(vec![press(KeyCode::PageUp)], Action::PageUp);
                t.quiet(vec![k("top"), press(KeyCode::Home)], Action::Top);
                t.quiet(vec![k("bottom"), press(KeyCode::End)], Action::Bottom);
                let close = vec![cancel, k("help"), k("quit"), press(KeyCode::Enter)];
                t.offer(close, Action::Cancel, s::CLOSE);
            }
            Shown::ConfirmSign | Shown::ConfirmDraw | Shown::ConfirmQuit => {
                let words = match shown {
                    Shown::ConfirmSign => s::CONFIRM_SIGN,
                    Shown::ConfirmDraw => s::CONFIRM_DRAW,
                    _ => s::CONFIRM_QUIT,
                };
                let yes = vec![
                    press(KeyCode::Char('y')),
                    press(KeyCode::Enter),
                    Key::Quiet(KeyCode::Char('Y')),
                ];
                t.offer(yes, Action::Confirm, words);
                t.offer(vec![Key::Other], Action::Cancel, s::CANCEL_OTHER);
            }
            Shown::SearchInput => {
                t.offer(vec![press(KeyCode::Enter)], Action::Confirm, s::RUN_SEARCH);
                t.offer(vec![ctrl('u')], Action::ClearField, s::CLEAR);
                t.offer(vec![cancel], Action::Cancel, s::CANCEL);
                t.quiet(vec![Key::Text], Action::Input(no_key()));
            }
            Shown::Plan => {
                t.offer(vec![press(KeyCode::Enter)], Action::Confirm, s::DRAW_NOW);
                let next = vec![
                    press(KeyCode::Tab),
                    press(KeyCode::Down),
                    press(KeyCode::Up),
                    Key::Press(KeyCode::BackTab, KeyModifiers::NONE),
                ];
                t.offer(next, Action::FocusNext, s::NEXT_FIELD);
                t.offer(vec![ctrl('u')], Action::ClearField, s::CLEAR);
                t.offer(vec![cancel, k("quit")], Action::Cancel, s::CANCEL);
                t.quiet(vec![Key::Text], Action::Input(no_key()));
            }
            Shown::PushBack(focus) => {
                if focus == PushFocus::Reasons {
                    let toggle = vec![press(KeyCode::Char(' ')), press(KeyCode::Enter)];
                    t.offer(toggle, Action::Toggle, s::TOGGLE);
                    t.quiet(vec![press(KeyCode::Up), k("up")], Action::Up);
                    t.quiet(vec![press(KeyCode::Down), k("down")], Action::Down);
                    t.quiet(vec![press(KeyCode::Left)], Action::Left);
                    t.quiet(vec![press(KeyCode::Right)], Action::Right);
                }
                t.offer(vec![press(KeyCode::Tab)], Action::FocusNext, s::NEXT_FIELD);
                t.quiet(vec![back_tab()], Action::FocusPrev);
                t.offer(vec![ctrl('s')], Action::Save, s::SAVE);
                if focus == PushFocus::Due {
                    t.offer(vec![ctrl('u')], Action::ClearField, s::CLEAR);
                }
                // Only the note takes letters: elsewhere the quit key closes the form.
                match focus {
                    PushFocus::Note => t.offer(vec![cancel], Action::Cancel, s::CANCEL),
                    _ => t.offer(vec![cancel, k("quit")], Action::Cancel, s::CANCEL),
                }
                if focus != PushFocus::Reasons {
                    t.quiet(vec![Key::Text], Action::Input(no_key()));
                }
            }
            Shown::Answer => {
                t.offer(vec![ctrl('s')], Action::Save, s::SAVE);
                t.offer(vec![cancel], Action::Cancel, s::CANCEL);
                // A tab has no place in an answer.
                t.quiet(vec![press(KeyCode::Tab), back_tab()], Action::FocusNext);
                t.quiet(vec![Key::Text], Action::Input(no_key()));
            }
            Shown::ReachOut => {
                t.offer(vec![ctrl('s')], Action::Save, s::TO_OUTBOX);
                t.offer(vec![cancel], Action::Cancel, s::CANCEL);
                // Nor in a letter.
                t.quiet(vec![press(KeyCode::Tab), back_tab()], Action::FocusNext);
                t.quiet(vec![Key::Text], Action::Input(no_key()));
            }
        }
        t.0
    }

    /// The lists: moving, deciding, searching, switching.
    fn browse(&self, t: &mut Table, b: Browse) {
        let k = |name: &str| self.key(name);
        let exec = b.role == Role::Executive;
        let head = b.role == Role::DivisionHead;
        let list = b.tab != Tab::Dashboard;
        if b.waiting {
            t.offer(vec![press(KeyCode::Esc)], Action::Cancel, s::GIVE_UP_WAIT);
        }
        if exec && b.item {
            t.offer(vec![k("sign")], Action::Sign, s::SIGN);
            t.offer(vec![k("push_back")], Action::PushBack, s::PUSH_BACK);
            // The division head's revise key: an executive writes to the customer with it.
            t.offer(
                vec![k("revise")],
                Action::Answer(Kind::Revise),
                s::REACH_OUT,
            );
        }
        if head && b.item {
            // Bound on any item, so that the screen can say why there is nothing to answer;
            // offered only on an open push-back.
            let answers = [
                ("revise", Kind::Revise, s::REVISE),
                ("corrective_action", Kind::CorrectiveAction, s::CORRECTIVE),
                ("dispute", Kind::Dispute, s::DISPUTE),
            ];
            for (name, kind, words) in answers {
                t.push(
                    vec![k(name)],
                    Action::Answer(kind),
                    Some(words),
                    b.answerable,
                );
            }
        }
        if b.item {
            // Bound on any item, so that the screen can say why there is no letter; offered
            // only on a signed one.
            t.push(vec![k("letter")], Action::Letter, Some(s::LETTER), b.signed);
        }
        if b.tab == Tab::Search && b.item {
            t.offer(vec![press(KeyCode::Enter)], Action::Confirm, s::JUMP);
        }
        if (exec || head) && b.item {
            let words = if head {
                s::NEXT_TO_ANSWER
            } else {
                s::NEXT_UNREVIEWED
            };
            t.offer(vec![k("next_unreviewed")], Action::NextUnreviewed, words);
        }
        if b.undo {
            t.offer(vec![k("undo")], Action::Undo, s::UNDO);
        }
        t.offer(vec![k("search")], Action::Search, s::SEARCH);
        t.offer(vec![press(KeyCode::Tab)], Action::NextTab, s::SWITCH_TAB);
        t.quiet(vec![back_tab()], Action::PrevTab);
        if exec {
            t.offer(vec![k("draw_sample")], Action::DrawSample, s::DRAW);
        }
        if list {
            t.add(
                vec![k("down"), press(KeyCode::Down)],
                Action::Down,
                s::MOVE_DOWN,
            );
            t.add(vec![k("up"), press(KeyCode::Up)], Action::Up, s::MOVE_UP);
            t.add(vec![k("top"), press(KeyCode::Home)], Action::Top, s::TOP);
            t.add(
                vec![k("bottom"), press(KeyCode::End)],
                Action::Bottom,
                s::BOTTOM,
            );
            t.add(
                vec![press(KeyCode::PageDown)],
                Action::PageDown,
                s::PAGE_DOWN,
            );
            t.add(vec![press(KeyCode::PageUp)], Action::PageUp, s::PAGE_UP);
            t.add(vec![Key::Digits], Action::SavedView(0), s::VIEWS);
        }
        if b.item {
            t.add(vec![k("others")], Action::Others, s::OTHERS);
        }
        t.offer(vec![k("help")], Action::Help, s::HELP);
        t.offer(vec![k("quit")], Action::Quit, s::QUIT);
        t.add(vec![ctrl('c')], Action::ForceQuit, s::FORCE_QUIT);
    }
}

fn back_tab() -> Key {
    Key::Press(KeyCode::BackTab, KeyModifiers::NONE)
}

/// The placeholder of a text binding's action: the key pressed takes its place.
pub(super) fn no_key() -> KeyEvent {
    KeyEvent::new(KeyCode::Null, KeyModifiers::NONE)
}
