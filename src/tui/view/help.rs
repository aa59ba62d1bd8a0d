//! `?`: every key of the current view.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::{popup, Ctx};
use crate::config::Role;
use crate::tui::app::App;

pub fn lines(app: &App, cx: &Ctx) -> Vec<(String, &'static str)> {
    let k = |n: &str| cx.keys.label(n);
    let mut v: Vec<(String, &'static str)> = vec![
        (format!("{} / {} / ↑ ↓", k("down"), k("up")), "move"),
        (format!("{} / {}", k("top"), k("bottom")), "top / bottom"),
        ("PgUp / PgDn".into(), "scroll the detail"),
        ("Tab / Shift-Tab".into(), "switch view"),
        (k("search"), "search complaint and response text"),
        ("Enter".into(), "on a search hit: jump to it in the queue"),
        (k("others"), "this customer's other complaints"),
        ("1-9 / 0".into(), "saved views / all items"),
    ];
    match app.me.role {
        Role::Executive => v.extend([
            (k("sign"), "sign: I approve this message"),
            (k("push_back"), "push back to the division"),
            (k("next_unreviewed"), "next unreviewed item"),
            (k("undo"), "undo your last decision (a retraction)"),
            (k("draw_sample"), "draw a sample"),
        ]),
        Role::DivisionHead => v.extend([
            (k("revise"), "answer with a revised response"),
            (k("corrective_action"), "answer with a corrective action"),
            (k("dispute"), "dispute the push-back"),
        ]),
        Role::Admin => {}
    }
    v.extend([
        (k("help"), "this help"),
        (k("quit"), "quit"),
        ("Ctrl-C".into(), "quit at once"),
    ]);
    v
}

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx, area: Rect) {
    let items = lines(app, cx);
    let r = popup(f, area, 60, items.len() as u16 + 4);
    let text: Vec<Line> = items
        .iter()
        .map(|(k, what)| Line::from(format!(" {k:<18} {what}")))
        .collect();
    f.render_widget(
        Paragraph::new(text).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Keys — any key closes ")
                .border_style(cx.theme.accent),
        ),
        r,
    );
}
