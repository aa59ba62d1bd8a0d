//! The queue (or a division head's list, or search hits) beside the detail pane (`detail`).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::Ctx;
use crate::commands::fmt_date;
use crate::domain::decision::Status;
use crate::domain::text::one_line;
use crate::tui::app::{App, Tab};

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx, area: Rect) {
    let (list_area, detail_area) = split(area);
    match app.tab {
        Tab::Search => hits(f, app, cx, list_area),
        _ => queue(f, app, cx, list_area),
    }
    super::detail::draw(f, app, cx, detail_area);
}

/// The list and the detail pane: side by side, or stacked on a narrow terminal.
fn split(area: Rect) -> (Rect, Rect) {
    if area.width >= 70 {
        let w = (area.width * 2 / 5).clamp(24, 60);
        let [a, b] = Layout::horizontal([Constraint::Length(w), Constraint::Min(10)]).areas(area);
        (a, b)
    } else {
        let h = (area.height / 3).max(2);
        let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Min(1)]).areas(area);
        (a, b)
    }
}

/// Where the detail pane goes in the body: `detail::room` measures it there.
pub fn detail_area(body: Rect) -> Rect {
    split(body).1
}

fn status_style(s: &Status, cx: &Ctx) -> ratatui::style::Style {
    match s {
        Status::Signed { .. } => cx.theme.ok,
        Status::PushedBack { .. } | Status::SignedTextChanged { .. } => cx.theme.bad,
        Status::Answered { .. } => cx.theme.warn,
        Status::Pending => cx.theme.dim,
    }
}

fn queue(f: &mut Frame, app: &App, cx: &Ctx, area: Rect) {
    let title = match app.active_view.and_then(|v| app.views.get(v)) {
        Some(v) => format!(" {} · {} ", app.tab.title(app.me.role), v.name),
        None => format!(" {} ", app.tab.title(app.me.role)),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(cx.theme.border)
        .title(title);
    let inner_w = area.width.saturating_sub(2) as usize;
    let items: Vec<ListItem> = app
        .visible
        .iter()
        .map(|&i| {
            let r = &app.rows[i];
            let status = if app.me.role == crate::config::Role::DivisionHead {
                format!("{} {:<9}", r.status.glyph(), short_status(&r.status))
            } else {
                format!("{}", r.status.glyph())
            };
            let prefix = format!(
                "{status} {:<10} {} ",
                one_line(&r.division, 10),
                chrono::DateTime::from_timestamp(r.received_at, 0)
                    .map(|d| d.format("%a %d").to_string())
                    .unwrap_or_default()
            );
            // Messages in the thread: more than a complaint and its reply stands out.
            let count = format!("✉{:<2} ", r.messages);
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
        })
        .collect();
    let empty = items.is_empty();
    let list = List::new(items)
        .block(block)
        .highlight_style(cx.theme.selected)
        .highlight_symbol("›");
    let mut state = ListState::default().with_selected((!empty).then_some(app.selected));
    f.render_stateful_widget(list, area, &mut state);
    if empty {
        let msg = match (&app.sample, app.me.role) {
            (None, crate::config::Role::Executive) => format!(
                "No sample yet. Press {} to draw one.",
                cx.keys.label("draw_sample")
            ),
            (None, crate::config::Role::DivisionHead) => {
                "Nothing pushed back to your divisions.".into()
            }
            _ => "Nothing here.".into(),
        };
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 1,
            width: area.width.saturating_sub(4),
            height: area.height.saturating_sub(2),
        };
        f.render_widget(
            Paragraph::new(msg)
                .style(cx.theme.dim)
                .wrap(Wrap { trim: true }),
            inner,
        );
    }
}

fn short_status(s: &Status) -> &'static str {
    match s {
        Status::PushedBack { overdue: true, .. } => "overdue",
        Status::PushedBack { .. } => "open",
        Status::Answered { .. } => "answered",
        Status::Signed { .. } => "signed",
        Status::SignedTextChanged { .. } => "changed",
        Status::Pending => "pending",
    }
}

fn hits(f: &mut Frame, app: &App, cx: &Ctx, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(cx.theme.border)
        .title(format!(" Search: {} ", one_line(&app.query, 30)));
    let w = area.width.saturating_sub(3) as usize;
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
