//! Rendering: a pure function of the app state. Views never touch the store or the clock.

mod dashboard;
mod dashboard_recommend;
mod detail;
mod forms;
mod help;
mod queue;
mod thread;

pub use detail::room as detail_room;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Tabs};
use ratatui::Frame;

use super::app::{App, Level, Mode, Tab};
use super::keymap::Keymap;
use super::theme::Theme;

pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 5;

/// Everything a frame needs besides the app.
pub struct Ctx<'a> {
    pub theme: &'a Theme,
    pub keys: &'a Keymap,
    /// "now", for "received 3 days ago"; passed in so frames are reproducible.
    pub now: i64,
}

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        f.render_widget(
            Paragraph::new("terminal too small").style(cx.theme.bad),
            area,
        );
        return;
    }
    let [header, tabs, body, footer] = frame_rows(area);
    f.render_widget(header_line(app, cx, header.width), header);
    let titles: Vec<Line> = Tab::ALL
        .iter()
        .map(|t| Line::from(t.title(app.me.role)))
        .collect();
    let idx = Tab::ALL.iter().position(|t| *t == app.tab).unwrap_or(0);
    f.render_widget(
        Tabs::new(titles)
            .select(idx)
            .style(cx.theme.dim)
            .highlight_style(cx.theme.title)
            .divider("│"),
        tabs,
    );
    match app.tab {
        Tab::Queue | Tab::Search => queue::draw(f, app, cx, body),
        Tab::Dashboard => dashboard::draw(f, app, cx, body),
    }
    f.render_widget(footer_line(app, cx), footer);
    match &app.mode {
        Mode::Normal => {}
        Mode::Help => help::draw(f, app, cx, body),
        m => forms::draw(f, app, m, cx, body),
    }
}

/// The header, the tabs, the body and the footer.
fn frame_rows(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Where the views draw on a screen of `area`.
pub fn body(area: Rect) -> Rect {
    frame_rows(area)[2]
}

fn header_line<'a>(app: &'a App, cx: &Ctx, width: u16) -> Paragraph<'a> {
    let (reviewed, total, pushed) = app.reviewed();
    let (long, short) = match &app.sample {
        Some(s) => (
            format!(
                " signoff · {} · {} drawn of {} ({}) · {reviewed} / {total} reviewed · {pushed} pushed back",
                s.label, total, s.population, s.plan
            ),
            format!(" {} · {total} of {} · {reviewed}/{total} reviewed · {pushed} pushed back", s.label, s.population),
        ),
        None if app.me.role == crate::config::Role::DivisionHead => {
            let l = format!(" signoff · {} · {total} items", app.me.divisions.join(", "));
            (l.clone(), l)
        }
        None => (" signoff · no sample yet".to_string(), " no sample yet".to_string()),
    };
    let right = format!("{} ", app.me.name);
    let w = width as usize;
    let fits = |s: &str, extra: usize| s.chars().count() + extra <= w;
    let (left, right) = if fits(&long, right.chars().count()) {
        (long, right)
    } else if fits(&short, right.chars().count()) {
        (short, right)
    } else {
        (short, String::new())
    };
    let pad = w.saturating_sub(left.chars().count() + right.chars().count());
    Paragraph::new(Line::from(vec![
        Span::styled(left, cx.theme.title),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, cx.theme.accent),
    ]))
}

fn footer_line<'a>(app: &'a App, cx: &Ctx) -> Paragraph<'a> {
    if let Some((level, m)) = &app.message {
        let style = if *level == Level::Error {
            cx.theme.bad
        } else {
            cx.theme.ok
        };
        return Paragraph::new(Span::styled(format!(" {m}"), style));
    }
    if let Some(w) = &app.waiting {
        return Paragraph::new(Span::styled(
            format!(
                " waiting for the import to finish: {} is saved as soon as it has · Esc cancels",
                w.what()
            ),
            cx.theme.accent,
        ));
    }
    let k = |n: &str| cx.keys.label(n);
    let hints = match (&app.mode, app.me.role) {
        (Mode::Normal, crate::config::Role::Executive) => format!(
            " {} sign  {} push back  {} next unreviewed  {} undo  {} search  Tab view  {} help  {} quit",
            k("sign"), k("push_back"), k("next_unreviewed"), k("undo"), k("search"), k("help"), k("quit")
        ),
        (Mode::Normal, crate::config::Role::DivisionHead) => format!(
            " {} revise  {} corrective action  {} dispute  {} search  Tab view  {} help  {} quit",
            k("revise"), k("corrective_action"), k("dispute"), k("search"), k("help"), k("quit")
        ),
        (Mode::Normal, _) => format!(" {} search  Tab view  {} help  {} quit", k("search"), k("help"), k("quit")),
        _ => " Esc cancel  Tab next field  Ctrl-S save".to_string(),
    };
    Paragraph::new(Span::styled(hints, cx.theme.dim))
}

/// A centred box of at most `w` × `h`, cleared.
pub fn popup(f: &mut Frame, area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    r
}

/// "3 h", "2 d" — how long something took.
pub fn span_of(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}
