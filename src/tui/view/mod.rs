//! Rendering: a pure function of the app state. Views never touch the store or the clock.

mod dashboard;
mod dashboard_recommend;
mod detail;
mod dialogs;
mod forms;
mod help;
pub mod layout;
mod queue;
mod thread;

pub use detail::room as detail_room;
pub use help::room as help_room;
pub use layout::{MIN_HEIGHT, MIN_WIDTH};

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Tabs, Wrap};
use ratatui::Frame;

use super::app::{App, Level, Mode, Tab};
use super::keymap::Keymap;
use super::strings;
use super::theme::Theme;

/// Everything a frame needs besides the app.
pub struct Ctx<'a> {
    pub theme: &'a Theme,
    pub keys: &'a Keymap,
    /// "now", for "received 3 days ago"; passed in so frames are reproducible.
    pub now: i64,
}

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx) {
    let area = f.area();
    let Some(screen) = layout::screen(area) else {
        f.render_widget(
            Paragraph::new(strings::enlarge(MIN_WIDTH, MIN_HEIGHT))
                .style(cx.theme.bad)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    f.render_widget(header_line(app, cx, screen.header.width), screen.header);
    if let Some(tabs) = screen.tabs {
        tabs_line(f, app, cx, tabs);
    }
    match app.tab {
        Tab::Queue | Tab::Search => queue::draw(f, app, cx, &screen),
        Tab::Dashboard => dashboard::draw(f, app, cx, screen.body, screen.compact),
    }
    f.render_widget(footer_line(app, cx, screen.footer.width), screen.footer);
    match &app.mode {
        Mode::Normal => {}
        Mode::Help => help::draw(f, app, cx, screen.dialog()),
        Mode::PushBack(_) | Mode::Answer(_) | Mode::ReachOut(_) | Mode::Plan(_) => {
            forms::draw(f, &app.mode, cx, screen.dialog())
        }
        m => dialogs::draw(f, app, m, cx, screen.dialog()),
    }
}

/// The tabs on the left; the saved views, named with their digits, on the right.
fn tabs_line(f: &mut Frame, app: &App, cx: &Ctx, area: Rect) {
    let titles: Vec<Line> = Tab::ALL
        .iter()
        .map(|t| Line::from(t.title(app.me.role)))
        .collect();
    let tabs_w = titles.iter().map(|t| t.width() as u16 + 3).sum::<u16>();
    let [left, right] =
        Layout::horizontal([Constraint::Length(tabs_w), Constraint::Min(0)]).areas(area);
    let idx = Tab::ALL.iter().position(|t| *t == app.tab).unwrap_or(0);
    f.render_widget(
        Tabs::new(titles)
            .select(idx)
            .style(cx.theme.dim)
            .highlight_style(cx.theme.title)
            .divider("│"),
        left,
    );
    if app.tab != Tab::Dashboard {
        f.render_widget(
            Paragraph::new(views_line(app, cx, right.width as usize)).alignment(Alignment::Right),
            right,
        );
    }
}

/// "1 detractors · 2 contact requested · 0 all": those that fit, the active one always.
fn views_line<'a>(app: &'a App, cx: &Ctx, width: usize) -> Line<'a> {
    let mut items: Vec<(String, bool)> = app
        .views
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let d = super::app::views_digit(i)?;
            Some((format!("{d} {}", v.name), app.active_view == Some(i)))
        })
        .collect();
    if items.is_empty() {
        return Line::default();
    }
    items.push((
        format!("0 {}", strings::ALL_VIEW),
        app.active_view.is_none(),
    ));
    let cost = |t: &str| t.chars().count() + 3;
    let mut chosen = fit(&items, width.saturating_sub(1), cost, false);
    if chosen.len() < items.len() {
        // Some are left out: an ellipsis stands where they would be (the help box names them).
        let fitted = fit(&items, width.saturating_sub(4), cost, false);
        let mut fitted = fitted.into_iter().peekable();
        chosen = Vec::new();
        for item in &items {
            match fitted.next_if(|f| f.0 == item.0) {
                Some(f) => chosen.push(f),
                None if chosen.last().is_some_and(|c| c.0 == "…") => {}
                None => chosen.push(("…".into(), false)),
            }
        }
    }
    let mut spans = Vec::new();
    for (text, on) in chosen {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", cx.theme.dim));
        }
        let style = if on { cx.theme.selected } else { cx.theme.dim };
        spans.push(Span::styled(text, style));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// The items that fit in `budget`, in order, those marked always; after the first that does not
/// fit, later ones are tried (`skip`) or left out.
fn fit(
    items: &[(String, bool)],
    budget: usize,
    cost: impl Fn(&str) -> usize,
    skip: bool,
) -> Vec<(String, bool)> {
    let mut full = false;
    let mut reserved: usize = items.iter().filter(|i| i.1).map(|i| cost(&i.0)).sum();
    let mut left = budget;
    let mut out = Vec::new();
    for (text, must) in items {
        let c = cost(text);
        if *must {
            reserved -= c;
        } else if full || c + reserved > left {
            full = !skip;
            continue;
        }
        if c <= left {
            left -= c;
            out.push((text.clone(), *must));
        }
    }
    out
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
    } else if fits(&short, 0) {
        (short, String::new())
    } else {
        // The smallest screens keep how much of the sample is done.
        let tiny = match &app.sample {
            Some(s) => format!(" {} · {reviewed}/{total}", s.label),
            None => short,
        };
        (tiny, String::new())
    };
    let pad = w.saturating_sub(left.chars().count() + right.chars().count());
    Paragraph::new(Line::from(vec![
        Span::styled(left, cx.theme.title),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, cx.theme.accent),
    ]))
}

fn footer_line<'a>(app: &'a App, cx: &Ctx, width: u16) -> Paragraph<'a> {
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
    Paragraph::new(Span::styled(
        footer_hints(app, cx, width as usize),
        cx.theme.dim,
    ))
}

/// The footer's keys: the bindings of the mode on screen, as many as fit, help among them.
pub fn footer_hints(app: &App, cx: &Ctx, width: usize) -> String {
    let items: Vec<(String, bool)> = cx
        .keys
        .bindings(app.shown())
        .iter()
        .filter(|b| b.footer)
        .filter_map(|b| {
            let (word, _) = b.words?;
            // Help, the confirm or save key and the ways out are offered however narrow the
            // footer.
            use super::app::Action::{Cancel, Confirm, Help, Quit, Save};
            let must = matches!(b.action, Help | Quit | Confirm | Save | Cancel);
            Some((format!("{} {word}", b.short_label()), must))
        })
        .collect();
    let chosen = fit(&items, width + 1, |t| t.chars().count() + 2, true);
    let texts: Vec<String> = chosen.into_iter().map(|c| c.0).collect();
    format!(" {}", texts.join("  "))
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
