//! The terminal's lifecycle and the event loop: set up and restored on every way out (a
//! signal included), a frame drawn, an event read and turned into an action, its effects
//! performed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind, MouseButton, MouseEventKind};

use ratatui::layout::Rect;

use super::app::{Action, App, Mode};
use super::effects::{perform_all, retry_waiting};
use super::keymap::Keymap;
use super::session::{prepare, Open, Session};
use super::view;
use crate::store::Backend;

/// How long one attempt to save waits for the store before the screen draws again.
pub const ATTEMPT: Duration = Duration::from_millis(100);

/// Runs the screen until the person quits, restoring the terminal on every way out.
pub fn run(mut s: Session, open: Open) -> anyhow::Result<()> {
    // Short attempts: a save that finds the store busy waits between frames, not inside one.
    if let Backend::Sqlite(db) = s.db.backend() {
        db.wait_for_writers(ATTEMPT)?;
    }
    let mut app = prepare(&mut s, &open)?;
    let term_signal = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(sig, Arc::clone(&term_signal))?;
    }
    // crossterm's poll can spin inside itself on a hung-up terminal and never hand control back,
    // so a watchdog, not the loop, acts on SIGTERM and SIGHUP. Decisions are committed as they
    // are made: leaving at once loses nothing saved.
    {
        let flag = Arc::clone(&term_signal);
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(100));
            if flag.load(Ordering::Relaxed) {
                tracing::info!("terminated by signal");
                ratatui::restore();
                std::process::exit(143);
            }
        });
    }
    let mut terminal = ratatui::init();
    let mouse = s.cfg.review.mouse;
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    let result = (|| -> anyhow::Result<()> {
        loop {
            // A hung-up terminal wakes every poll at once: leave on the signal wherever it lands.
            if term_signal.load(Ordering::Relaxed) {
                return Ok(());
            }
            if app.waiting.is_some() && retry_waiting(&mut s, &mut app) {
                return Ok(());
            }
            let cx = view::Ctx {
                theme: &s.theme,
                keys: &s.keys,
                now: s.now(),
            };
            let size = terminal.draw(|f| view::draw(f, &app, &cx))?.area;
            let (max, page) = view::detail_room(&app, &cx, size);
            app.set_detail_room(max, page);
            app.set_help_room(view::help_room(&app, &cx, size));
            tracing::trace!("frame drawn");
            if term_signal.load(Ordering::Relaxed) {
                return Ok(());
            }
            if !event::poll(Duration::from_millis(250))? || term_signal.load(Ordering::Relaxed) {
                continue;
            }
            let Some(action) = action(event::read()?, &app, &s.keys, size, mouse) else {
                continue;
            };
            if !matches!(action, Action::Input(_)) {
                app.message = None;
            }
            let eff = app.update(action);
            if perform_all(&mut s, &mut app, eff) {
                return Ok(());
            }
        }
    })();
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    result
}

/// What an event asks of the app: a key through the keymap; with the mouse on and no dialog
/// open, a click on what the layout placed there, or the wheel scrolling the detail.
fn action(ev: Event, app: &App, keys: &Keymap, size: Rect, mouse: bool) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => keys.action(k, app.shown()),
        Event::Mouse(m) if mouse && matches!(app.mode, Mode::Normal) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                view::layout::clicked(app, size, m.column, m.row).map(Action::Click)
            }
            MouseEventKind::ScrollDown => Some(Action::ScrollDetail(3)),
            MouseEventKind::ScrollUp => Some(Action::ScrollDetail(-3)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};

    use super::*;
    use crate::config::{Person, Role};

    fn app() -> App {
        let me = Person {
            login: "dana".into(),
            name: "Dana Reyes".into(),
            title: "Chief Executive".into(),
            role: Role::Executive,
            divisions: vec![],
            keys: vec![],
            email: None,
        };
        App::new(me, vec!["canned".into()], 5, vec![])
    }

    fn wheel(kind: MouseEventKind) -> Event {
        Event::Mouse(MouseEvent {
            kind,
            column: 10,
            row: 10,
            modifiers: KeyModifiers::NONE,
        })
    }

    #[test]
    fn the_wheel_scrolls_only_with_the_mouse_on() {
        let (a, size) = (app(), Rect::new(0, 0, 80, 24));
        let keys = Keymap::new(&BTreeMap::new()).expect("keymap");
        let down = wheel(MouseEventKind::ScrollDown);
        assert_eq!(
            action(down.clone(), &a, &keys, size, true),
            Some(Action::ScrollDetail(3))
        );
        assert_eq!(action(down, &a, &keys, size, false), None);
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(
            action(Event::Key(q), &a, &keys, size, false),
            keys.action(q, a.shown())
        );
    }
}
