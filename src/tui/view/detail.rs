//! The detail pane: one complaint's status, flags, conversation, outcome and decisions, scrolled
//! within the bounds of what it holds.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::layout::Screen;
use super::{thread, Ctx};
use crate::domain::decision::Status;
use crate::domain::text::{inert, one_line};
use crate::domain::thread::Author;
use crate::render::time::{fmt_date, fmt_time};
use crate::tui::app::{App, Tab};
use crate::tui::data::Detail;

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx, screen: &Screen, area: Rect) {
    let Some(d) = &app.detail else {
        f.render_widget(screen.pane("").border_style(cx.theme.border), area);
        return;
    };
    let title = format!(
        " {} · {} · {} · received {} ",
        one_line(&d.external_id, 16),
        one_line(&d.division, 20),
        one_line(d.channel.as_deref().unwrap_or("-"), 12),
        fmt_time(d.received_at)
    );
    let block = screen
        .pane(Span::styled(title, cx.theme.title))
        .border_style(cx.theme.border);
    let (p, max) = scrolled(d, cx, block.inner(area));
    // The app's scroll may predate a resize: never show blank lines past the end.
    f.render_widget(p.block(block).scroll((app.scroll.min(max), 0)), area);
}

/// The pane's text, wrapped to the pane's inside `inner`, and how far it can scroll.
fn scrolled<'a>(d: &'a Detail, cx: &Ctx, inner: Rect) -> (Paragraph<'a>, u16) {
    let p = Paragraph::new(detail_lines(d, cx)).wrap(Wrap { trim: false });
    let max = p
        .line_count(inner.width)
        .saturating_sub(inner.height as usize);
    (p, u16::try_from(max).unwrap_or(u16::MAX))
}

/// How far the detail pane scrolls at most, and how far a page moves it, for a screen of
/// `area`: the loop hands them to the app after each frame, so keys never scroll past the end.
pub fn room(app: &App, cx: &Ctx, area: Rect) -> (u16, u16) {
    let Some(screen) = super::layout::screen(area) else {
        return (0, 1);
    };
    let Some(pane) = screen.panes().1 else {
        return (0, 1);
    };
    let inner = screen.pane("x").inner(pane);
    // One line of the page before stays in view after PgDn.
    let page = inner.height.saturating_sub(1).max(1);
    match (&app.detail, app.tab) {
        (Some(d), Tab::Queue | Tab::Search) => (scrolled(d, cx, inner).1, page),
        _ => (0, page),
    }
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
    let mut lines = head(d, cx);
    lines.push(Line::raw(""));
    if d.text_from_fields {
        lines.push(Line::styled(
            "The consumer's narrative was not published; this is the issue they chose:",
            cx.theme.dim,
        ));
    }
    lines.extend(thread::lines(&d.thread, d.channel.as_deref(), cx));
    if let Some(o) = &d.outcome {
        lines.push(Line::raw(""));
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
    }
    if !d.thread.iter().any(|m| m.author == Author::Company) {
        lines.push(Line::raw(""));
        lines.push(if d.outcome.is_some() {
            Line::styled(
                "── No company response to sign: only the outcome is published ──",
                cx.theme.bad,
            )
        } else {
            Line::styled("── No response was sent ──", cx.theme.bad)
        });
    }
    decisions(d, cx, &mut lines);
    lines
}

/// Status, who the customer is, flags and subject.
fn head<'a>(d: &'a Detail, cx: &Ctx) -> Vec<Line<'a>> {
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
    // A request for contact is among the flags below, with what became of it.
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
    lines
}

fn decisions<'a>(d: &'a Detail, cx: &Ctx, lines: &mut Vec<Line<'a>>) {
    use crate::domain::decision::Kind;
    if d.decisions.is_empty() {
        return;
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("── Decisions ──", cx.theme.accent));
    for x in &d.decisions {
        // A note or an answer keeps its line breaks: the first line beside who and when, the
        // rest indented below it.
        let (what, text) = match x.kind {
            Kind::Approve => (x.statement.clone().unwrap_or_else(|| "signed".into()), ""),
            Kind::PushBack => (
                format!(
                    "pushed back [{}] due {}:",
                    x.reasons.as_deref().unwrap_or(""),
                    x.due_at.map(fmt_date).unwrap_or_default(),
                ),
                x.note.as_deref().unwrap_or(""),
            ),
            Kind::Retract => (
                format!("retracted decision {}", x.retracts.unwrap_or_default()),
                "",
            ),
            k => (
                format!("{}:", k.as_str().replace('_', " ")),
                x.body.as_deref().unwrap_or(""),
            ),
        };
        let text = inert(text.trim_end());
        let mut body = text.lines();
        let first = body.next().map(|l| format!(" {l}")).unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} {} · ", fmt_time(x.at), x.actor_name),
                cx.theme.dim,
            ),
            Span::raw(format!("{what}{first}")),
        ]));
        for l in body {
            lines.push(Line::raw(format!("    {l}")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decision::{Decision, Kind};
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    fn decided(kind: Kind, body: &str) -> Decision {
        Decision {
            id: 1,
            complaint_id: 1,
            sample_id: None,
            kind,
            actor: "lee".into(),
            actor_name: "Lee Moreau".into(),
            actor_title: String::new(),
            at: 0,
            statement: None,
            reasons: Some("canned".into()),
            note: (kind == Kind::PushBack).then(|| body.to_string()),
            due_at: None,
            body: (kind != Kind::PushBack).then(|| body.to_string()),
            retracts: None,
            text_hash: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
            signature: None,
        }
    }

    #[test]
    fn notes_and_answers_keep_their_line_breaks() {
        let keys = Keymap::new(&Default::default()).expect("keys");
        let theme = Theme::plain();
        let cx = Ctx {
            theme: &theme,
            keys: &keys,
            now: 0,
        };
        let d = Detail {
            complaint_id: 1,
            external_id: "T-1".into(),
            source: "helpdesk".into(),
            division: "Billing".into(),
            channel: None,
            customer: None,
            customer_key: None,
            repeat: None,
            product: None,
            subject: None,
            received_at: 0,
            complaint_text: String::new(),
            response_text: None,
            responder: None,
            responded_at: None,
            likelihood: None,
            wants_contact: None,
            text_from_fields: false,
            outcome: None,
            decisions: vec![
                decided(Kind::PushBack, "No reply.\nCall her today."),
                decided(Kind::Revise, "Dear Ana,\n\nWe refunded the fee.\n"),
            ],
            status: crate::domain::decision::Status::Pending,
            flags: vec![],
            thread: vec![],
        };
        let mut lines = Vec::new();
        decisions(&d, &cx, &mut lines);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let at = |s: &str| text.iter().position(|l| l.ends_with(s));
        let pushed = at("due : No reply.").expect("the note's first line");
        assert_eq!(text[pushed + 1], "    Call her today.");
        let revised = at("revise: Dear Ana,").expect("the revision's first line");
        assert_eq!(text[revised + 1], "    ");
        assert_eq!(text[revised + 2], "    We refunded the fee.");
        assert_eq!(text.len(), revised + 3, "{text:?}");
    }
}
