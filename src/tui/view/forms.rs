//! Popups: the signature, the push-back form, the answer editor, search input, quit, plan.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::{popup, Ctx};
use crate::domain::decision::Kind;
use crate::tui::app::{App, Mode};

fn boxed<'a>(title: &'a str, cx: &Ctx) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(cx.theme.accent)
}

pub fn draw(f: &mut Frame, _app: &App, mode: &Mode, cx: &Ctx, area: Rect) {
    match mode {
        Mode::ConfirmSign { statement, .. } => {
            let r = popup(f, area, 64, 7);
            let text = vec![
                Line::raw(""),
                Line::styled(format!("  “{statement}”"), cx.theme.title),
                Line::raw(""),
                Line::styled("  y / Enter: sign    any other key: cancel", cx.theme.dim),
            ];
            f.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(boxed(" Sign ", cx)),
                r,
            );
        }
        Mode::ConfirmQuit => {
            let r = popup(f, area, 50, 5);
            f.render_widget(
                Paragraph::new(if _app.waiting.is_some() {
                    "A decision is still waiting to be saved. Quit without it? y / n"
                } else {
                    "A form holds unsaved text. Quit anyway? y / n"
                })
                .wrap(Wrap { trim: true })
                .block(boxed(" Quit ", cx)),
                r,
            );
        }
        Mode::SearchInput => {
            let r = popup(f, area, 60, 3);
            f.render_widget(
                Paragraph::new(format!("/{}▏", _app.query)).block(boxed(" Search (Enter) ", cx)),
                r,
            );
        }
        Mode::Plan(p) => {
            let r = popup(f, area, 78, 9);
            let field = |i: usize, name: &str, v: &str| {
                let style = if p.focus == i {
                    cx.theme.selected
                } else {
                    cx.theme.base
                };
                Line::from(vec![
                    Span::raw(format!("  {name:<22}")),
                    Span::styled(format!(" {v:<8}"), style),
                    Span::raw(" %"),
                ])
            };
            let mut text = vec![
                Line::raw("  Draw enough items that an unfit rate at or above the"),
                Line::raw("  tolerable rate would show up, with this confidence:"),
                field(0, "confidence", &p.confidence),
                field(1, "tolerable unfit rate", &p.tolerable),
            ];
            let preview = match (
                p.population,
                p.confidence.trim().parse::<f64>(),
                p.tolerable.trim().parse::<f64>(),
            ) {
                (Some(n), Ok(c), Ok(t)) if c > 0.0 && c < 100.0 && t > 0.0 && t < 100.0 => {
                    let plan = crate::domain::sample::Plan::Confidence {
                        confidence: c,
                        tolerable: t,
                    };
                    let sized = plan.size(n);
                    format!(
                        "  → draws {} of {n}; a clean review proves at most {} unfit",
                        sized.n,
                        crate::domain::stats::format_rate(sized.proves)
                    )
                }
                (None, _, _) => "  counting the population…".into(),
                _ => String::new(),
            };
            text.push(Line::styled(preview, cx.theme.accent));
            if let Some(e) = &p.error {
                text.push(Line::styled(format!("  {e}"), cx.theme.bad));
            } else {
                text.push(Line::styled(
                    "  Tab switches field · Enter draws · Esc cancels",
                    cx.theme.dim,
                ));
            }
            f.render_widget(Paragraph::new(text).block(boxed(" Draw a sample ", cx)), r);
        }
        Mode::PushBack(form) => {
            let r = popup(f, area, 76, 22);
            let block = boxed(
                " Push back — Ctrl-S saves, Esc cancels, Tab next field ",
                cx,
            );
            let inner = block.inner(r);
            f.render_widget(block, r);
            let n = form.reasons.len() as u16;
            let [reasons, note, due, err] = Layout::vertical([
                Constraint::Length(n.div_ceil(2) + 1),
                Constraint::Min(3),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(inner);
            let mut lines = vec![Line::styled(
                "Reasons (space toggles):",
                if form.focus == 0 {
                    cx.theme.title
                } else {
                    cx.theme.dim
                },
            )];
            let half = form.reasons.len().div_ceil(2);
            for row in 0..half {
                let mut spans = Vec::new();
                for col in 0..2 {
                    let i = row + col * half;
                    if let Some((name, on)) = form.reasons.get(i) {
                        let style = if form.focus == 0 && form.cursor == i {
                            cx.theme.selected
                        } else {
                            cx.theme.base
                        };
                        spans.push(Span::styled(
                            format!(" [{}] {:<22}", if *on { 'x' } else { ' ' }, name),
                            style,
                        ));
                    }
                }
                lines.push(Line::from(spans));
            }
            f.render_widget(Paragraph::new(lines), reasons);
            let mut ta = form.note.clone();
            ta.set_block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Note ")
                    .border_style(if form.focus == 1 {
                        cx.theme.accent
                    } else {
                        cx.theme.border
                    }),
            );
            f.render_widget(&ta, note);
            f.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled(
                        "Due in working days: ",
                        if form.focus == 2 {
                            cx.theme.title
                        } else {
                            cx.theme.dim
                        },
                    ),
                    Span::styled(
                        form.due_days.clone(),
                        if form.focus == 2 {
                            cx.theme.selected
                        } else {
                            cx.theme.base
                        },
                    ),
                ])),
                due,
            );
            if let Some(e) = &form.error {
                f.render_widget(Paragraph::new(e.as_str()).style(cx.theme.bad), err);
            }
        }
        Mode::Answer(form) => {
            let r = popup(f, area, 76, 18);
            let title = match form.kind {
                Kind::Revise => " Revised response — Ctrl-S saves, Esc cancels ",
                Kind::CorrectiveAction => " Corrective action taken — Ctrl-S saves, Esc cancels ",
                _ => " Dispute — Ctrl-S saves, Esc cancels ",
            };
            let block = boxed(title, cx);
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [body, err] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            f.render_widget(&form.body, body);
            if let Some(e) = &form.error {
                f.render_widget(Paragraph::new(e.as_str()).style(cx.theme.bad), err);
            }
        }
        Mode::ReachOut(form) => {
            let r = popup(f, area, 76, 18);
            let title = format!(
                " Your letter to the customer of {} — Ctrl-S puts it in the outbox, Esc cancels ",
                form.external_id
            );
            let block = boxed(&title, cx);
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [body, err] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            f.render_widget(&form.body, body);
            if let Some(e) = &form.error {
                f.render_widget(Paragraph::new(e.as_str()).style(cx.theme.bad), err);
            }
        }
        Mode::Normal | Mode::Help => {}
    }
}
