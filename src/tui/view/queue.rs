//! The queue (or a division head's list, or search hits) beside the detail pane (`detail`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::layout::Screen;
use super::Ctx;
use crate::config::Role;
use crate::domain::decision::Status;
use crate::domain::text::one_line;
use crate::render::time::fmt_date;
use crate::tui::app::{views_digit, App, Group, Tab};
use crate::tui::strings;

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx, screen: &Screen) {
    let (list_area, detail_area) = screen.panes();
    match app.tab {
        Tab::Search => hits(f, app, cx, screen, list_area),
        _ => queue(f, app, cx, screen, list_area),
    }
    if let Some(d) = detail_area {
        super::detail::draw(f, app, cx, screen, d);
    }
}

/// A line of the list: a division head's list has a heading above each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Heading(Group, usize),
    /// A position among the visible rows.
    Row(usize),
}

pub fn entries(app: &App) -> Vec<Entry> {
    let mut out = Vec::with_capacity(app.visible.len() + 6);
    let grouped = app.me.role == Role::DivisionHead;
    let mut last = None;
    for (pos, &i) in app.visible.iter().enumerate() {
        if grouped {
            let g = Group::of(&app.rows[i].status);
            if last != Some(g) {
                let n = app.visible[pos..]
                    .iter()
                    .take_while(|&&j| Group::of(&app.rows[j].status) == g)
                    .count();
                out.push(Entry::Heading(g, n));
                last = Some(g);
            }
        }
        out.push(Entry::Row(pos));
    }
    out
}

fn status_style(s: &Status, cx: &Ctx) -> ratatui::style::Style {
    match s {
        Status::Signed { .. } => cx.theme.ok,
        Status::PushedBack { .. } | Status::SignedTextChanged { .. } => cx.theme.bad,
        Status::Answered { .. } => cx.theme.warn,
        Status::Pending => cx.theme.dim,
    }
}

fn queue(f: &mut Frame, app: &App, cx: &Ctx, screen: &Screen, area: Rect) {
    let tab = app.tab.title(app.me.role);
    let title = match app.active_view.and_then(|v| Some((v, app.views.get(v)?))) {
        Some((i, v)) => match views_digit(i) {
            Some(d) => format!(" {tab} · {d} {} ", v.name),
            None => format!(" {tab} · {} ", v.name),
        },
        None => format!(" {tab} "),
    };
    let block = screen
        .pane(Span::styled(title, cx.theme.title))
        .border_style(cx.theme.border);
    let inner_w = block.inner(area).width as usize;
    let entries = entries(app);
    let items: Vec<ListItem> = entries
        .iter()
        .map(|e| match *e {
            Entry::Heading(g, n) => ListItem::new(Line::styled(
                format!("── {} ({n})", g.title()),
                cx.theme.accent,
            )),
            Entry::Row(pos) => row_item(app, cx, app.visible[pos], inner_w, screen.compact),
        })
        .collect();
    let empty = items.is_empty();
    let list = List::new(items)
        .block(block)
        .highlight_style(cx.theme.selected)
        .highlight_symbol("›");
    let at = entries.iter().position(|e| *e == Entry::Row(app.selected));
    let mut state = ListState::default().with_selected(at);
    f.render_stateful_widget(list, area, &mut state);
    if empty {
        let msg = match (&app.sample, app.me.role) {
            (None, Role::Executive) => strings::no_sample(&cx.keys.label("draw_sample")),
            (None, Role::DivisionHead) => strings::NO_SAMPLE_DIVISION.into(),
            _ => strings::NOTHING_HERE.into(),
        };
        let inner = screen.list_lines();
        let inner = Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(2),
            ..inner
        };
        f.render_widget(
            Paragraph::new(msg)
                .style(cx.theme.dim)
                .wrap(Wrap { trim: true }),
            inner,
        );
    }
}

/// One row: its status, division, day and message count, then as much subject as fits; a
/// small screen keeps the status, division and subject.
fn row_item<'a>(app: &App, cx: &Ctx, i: usize, inner_w: usize, compact: bool) -> ListItem<'a> {
    let r = &app.rows[i];
    let narrow = compact || inner_w < 28;
    // A division head's list names the status in its group headings.
    let status = r.status.glyph();
    let prefix = if narrow {
        format!("{status} {:<8} ", one_line(&r.division, 8))
    } else {
        format!(
            "{status} {:<10} {} ",
            one_line(&r.division, 10),
            chrono::DateTime::from_timestamp(r.received_at, 0)
                .map(|d| d.format("%a %d").to_string())
                .unwrap_or_default()
        )
    };
    // Messages in the thread: more than a complaint and its reply stands out.
    let count = if narrow {
        String::new()
    } else {
        format!("✉{:<2} ", r.messages)
    };
    let count_style = if r.messages > 2 {
        cx.theme.accent
    } else {
        cx.theme.dim
    };
    let rest = inner_w.saturating_sub(prefix.chars().count() + count.chars().count() + 1);
    ListItem::new(Line::from(vec![
        Span::styled(prefix, status_style(&r.status, cx)),
        Span::styled(count, count_style),
        Span::raw(crate::domain::text::fit(&r.subject, rest.max(1))),
    ]))
}

fn hits(f: &mut Frame, app: &App, cx: &Ctx, screen: &Screen, area: Rect) {
    let block = screen
        .pane(Span::styled(
            format!(" Search: {} ", one_line(&app.query, 30)),
            cx.theme.title,
        ))
        .border_style(cx.theme.border);
    let w = block.inner(area).width.saturating_sub(1) as usize;
    let items: Vec<ListItem> = app
        .hits
        .iter()
        .map(|h| {
            ListItem::new(vec![
                Line::from(vec![
                    Span::styled(
                        format!("{} ", one_line(&h.external_id, 12)),
                        cx.theme.accent,
                    ),
                    Span::styled(
                        format!("{} {}", one_line(&h.division, 12), fmt_date(h.received_at)),
                        cx.theme.dim,
                    ),
                ]),
                Line::from(one_line(&h.snippet, w.max(1))),
            ])
        })
        .collect();
    let list = List::new(items)
        .block(block)
        .highlight_style(cx.theme.selected);
    let mut state =
        ListState::default().with_selected((!app.hits.is_empty()).then_some(app.hit_selected));
    f.render_stateful_widget(list, area, &mut state);
}
