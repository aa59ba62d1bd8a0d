//! The queue (or a division head's list, or search hits) beside the detail pane.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::{span_of, Ctx};
use crate::commands::{fmt_date, fmt_time};
use crate::domain::decision::Status;
use crate::domain::text::{inert, one_line};
use crate::tui::app::{App, Tab};
use crate::tui::data::Detail;

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx, area: Rect) {
    // Narrow terminals stack the list over the detail.
    let (list_area, detail_area) = if area.width >= 70 {
        let w = (area.width * 2 / 5).clamp(24, 60);
        let [a, b] = Layout::horizontal([Constraint::Length(w), Constraint::Min(10)]).areas(area);
        (a, b)
    } else {
        let h = (area.height / 3).max(2);
        let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Min(1)]).areas(area);
        (a, b)
    };
    match app.tab {
        Tab::Search => hits(f, app, cx, list_area),
        _ => queue(f, app, cx, list_area),
    }
    detail(f, app, cx, detail_area);
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
            let rest = inner_w.saturating_sub(prefix.chars().count() + 1);
            ListItem::new(Line::from(vec![
                Span::styled(prefix, status_style(&r.status, cx)),
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

fn detail(f: &mut Frame, app: &App, cx: &Ctx, area: Rect) {
    let Some(d) = &app.detail else {
        f.render_widget(
            Block::default()
                .borders(Borders::ALL)
                .border_style(cx.theme.border),
            area,
        );
        return;
    };
    let title = format!(
        " {} · {} · {} · received {} ",
        one_line(&d.external_id, 16),
        one_line(&d.division, 20),
        one_line(d.channel.as_deref().unwrap_or("-"), 12),
        fmt_time(d.received_at)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(cx.theme.border)
        .title(title);
    let p = Paragraph::new(detail_lines(d, cx))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.scroll, 0));
    f.render_widget(p, area);
}

/// "CFPB" for the regulator's source, else the source as it is.
fn source_label(source: &str) -> String {
    if source.eq_ignore_ascii_case("cfpb") {
        "CFPB".into()
    } else {
        inert(source).into_owned()
    }
}

pub fn detail_lines<'a>(d: &'a Detail, cx: &Ctx) -> Vec<Line<'a>> {
    let mut lines: Vec<Line> = Vec::new();
    let mut about = Vec::new();
    if let Some(c) = &d.customer {
        about.push(inert(c).into_owned());
    }
    match d.likelihood {
        Some(l) if l <= 6 => about.push(format!("would not recommend ({l}/10)")),
        Some(l) => about.push(format!("likelihood to recommend {l}/10")),
        None => {}
    }
    if d.wants_contact == Some(true) {
        about.push("asked for contact".into());
    }
    lines.push(Line::from(vec![
        Span::styled(
            format!("Status: {}", d.status.label()),
            match d.status {
                Status::Signed { .. } => cx.theme.ok,
                Status::Pending => cx.theme.dim,
                Status::Answered { .. } => cx.theme.warn,
                _ => cx.theme.bad,
            },
        ),
        Span::styled(
            if about.is_empty() {
                String::new()
            } else {
                format!(" · {}", about.join(" · "))
            },
            cx.theme.accent,
        ),
    ]));
    for flag in &d.flags {
        lines.push(Line::styled(format!("⚑ {flag}"), cx.theme.warn));
    }
    if let Some(r) = &d.repeat {
        lines.push(Line::styled(
            format!("⚑ {r} · {} lists them", cx.keys.label("others")),
            cx.theme.warn,
        ));
    }
    if let Some(s) = &d.subject {
        lines.push(Line::styled(inert(s).into_owned(), cx.theme.title));
    }
    lines.push(Line::raw(""));
    if d.text_from_fields {
        lines.push(Line::styled(
            "The consumer's narrative was not published; this is the issue they chose:",
            cx.theme.dim,
        ));
    }
    for l in inert(&d.complaint_text).lines() {
        lines.push(Line::raw(l.to_string()));
    }
    lines.push(Line::raw(""));
    if let Some(o) = &d.outcome {
        lines.push(Line::styled(
            format!(
                "Outcome ({}): {}",
                source_label(&d.source),
                inert(&o.summary())
            ),
            cx.theme.accent,
        ));
        if let Some(p) = &o.public_response {
            lines.push(Line::styled(
                format!("Public response: {}", inert(p)),
                cx.theme.dim,
            ));
        }
        lines.push(Line::raw(""));
    }
    let took = d
        .responded_at
        .map(|t| format!(" · {} later", span_of(t - d.received_at)))
        .unwrap_or_default();
    match &d.response_text {
        Some(r) => {
            lines.push(Line::styled(
                format!(
                    "── Response · {}{took} ──",
                    d.responder
                        .as_deref()
                        .map(|s| inert(s).into_owned())
                        .unwrap_or_else(|| "unknown".into())
                ),
                cx.theme.accent,
            ));
            for l in inert(r).lines() {
                lines.push(Line::raw(l.to_string()));
            }
        }
        None if d.outcome.is_some() => lines.push(Line::styled(
            "── No company response to sign: only the outcome is published ──",
            cx.theme.bad,
        )),
        None => lines.push(Line::styled("── No response was sent ──", cx.theme.bad)),
    }
    if !d.decisions.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("── Decisions ──", cx.theme.accent));
        for x in &d.decisions {
            let what = match x.kind {
                crate::domain::decision::Kind::Approve => {
                    x.statement.clone().unwrap_or_else(|| "signed".into())
                }
                crate::domain::decision::Kind::PushBack => format!(
                    "pushed back [{}] due {}: {}",
                    x.reasons.as_deref().unwrap_or(""),
                    x.due_at.map(fmt_date).unwrap_or_default(),
                    inert(x.note.as_deref().unwrap_or(""))
                ),
                crate::domain::decision::Kind::Retract => {
                    format!("retracted decision {}", x.retracts.unwrap_or_default())
                }
                k => format!(
                    "{}: {}",
                    k.as_str().replace('_', " "),
                    inert(x.body.as_deref().unwrap_or(""))
                ),
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} {} · ", fmt_time(x.at), x.actor_name),
                    cx.theme.dim,
                ),
                Span::raw(what),
            ]));
        }
    }
    lines
}
