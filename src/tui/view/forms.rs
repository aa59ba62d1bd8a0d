//! The forms: the plan editor, the push-back form, the answer editor and an executive's letter
//! to the customer. Their keys are in the footer, read from the same table the keys are
//! (`bindings`).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::{popup, Ctx};
use crate::domain::decision::Kind;
use crate::domain::text::fit;
use crate::tui::app::{Mode, PlanField, PlanForm, PushBackForm, PushFocus};
use crate::tui::strings;

fn boxed<'a>(title: &'a str, cx: &Ctx) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(cx.theme.accent)
}

pub fn draw(f: &mut Frame, mode: &Mode, cx: &Ctx, area: Rect) {
    match mode {
        Mode::Plan(p) => plan(f, p, cx, area),
        Mode::PushBack(form) => push_back(f, form, cx, area),
        Mode::Answer(form) => {
            let r = popup(f, area, 76, 18);
            let title = match form.kind {
                Kind::Revise => strings::REVISE_TITLE,
                Kind::CorrectiveAction => strings::CORRECTIVE_TITLE,
                _ => strings::DISPUTE_TITLE,
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
            let title = strings::reach_out_title(&form.external_id);
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
        _ => {}
    }
}

fn plan(f: &mut Frame, p: &PlanForm, cx: &Ctx, area: Rect) {
    let r = popup(f, area, 78, 9);
    let field = |which: PlanField, name: &str, v: &str| {
        let style = if p.focus == which {
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
            let proves = crate::domain::stats::format_rate(sized.proves);
            format!("  {}", strings::plan_preview(sized.n, n, &proves))
        }
        (None, _, _) => format!("  {}", strings::PLAN_COUNTING),
        _ => String::new(),
    };
    // On a small screen the fields come first: the explanation gives way.
    let mut text = Vec::new();
    if r.height >= 9 {
        text.extend(strings::PLAN_EXPLAIN.map(|l| Line::raw(format!("  {l}"))));
    }
    text.push(field(
        PlanField::Confidence,
        strings::PLAN_CONFIDENCE,
        &p.confidence,
    ));
    text.push(field(
        PlanField::Tolerable,
        strings::PLAN_TOLERABLE,
        &p.tolerable,
    ));
    if let Some(e) = &p.error {
        text.push(Line::styled(format!("  {e}"), cx.theme.bad));
    }
    text.push(Line::styled(preview, cx.theme.accent));
    if p.error.is_none() {
        text.push(Line::styled(
            format!("  {}", strings::PLAN_KEYS),
            cx.theme.dim,
        ));
    }
    f.render_widget(
        Paragraph::new(text).block(boxed(strings::PLAN_TITLE, cx)),
        r,
    );
}

fn push_back(f: &mut Frame, form: &PushBackForm, cx: &Ctx, area: Rect) {
    let r = popup(f, area, 76, 22);
    let block = boxed(strings::PUSH_BACK_TITLE, cx);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let rows = form.grid_rows() as u16;
    let [reasons, note, due, err] = Layout::vertical([
        Constraint::Length(rows + 1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let focus = |on: bool, yes: Style, no: Style| if on { yes } else { no };
    let grid = form.focus == PushFocus::Reasons;
    let mut lines = vec![Line::styled(
        strings::REASONS,
        focus(grid, cx.theme.title, cx.theme.dim),
    )];
    // Keep the cursor's row in view when the grid is cut short.
    let half = form.grid_rows();
    let shown = (reasons.height as usize).saturating_sub(1).max(1);
    let first = (form.cursor % half.max(1) + 1).saturating_sub(shown);
    let cell = (inner.width as usize / 2).max(6);
    for row in (0..half).skip(first).take(shown) {
        let mut spans = Vec::new();
        for col in 0..2 {
            let i = row + col * half;
            if let Some((name, on)) = form.reasons.get(i) {
                let mark = if *on { 'x' } else { ' ' };
                let text = fit(&format!(" [{mark}] {name}"), cell - 1);
                spans.push(Span::styled(
                    format!("{text:<w$}", w = cell - 1),
                    focus(grid && form.cursor == i, cx.theme.selected, cx.theme.base),
                ));
                spans.push(Span::raw(" "));
            }
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), reasons);
    let mut ta = form.note.clone();
    ta.set_block(
        Block::default()
            .borders(Borders::ALL)
            .title(strings::NOTE_TITLE)
            .border_style(focus(
                form.focus == PushFocus::Note,
                cx.theme.accent,
                cx.theme.border,
            )),
    );
    f.render_widget(&ta, note);
    let on_due = form.focus == PushFocus::Due;
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(strings::DUE, focus(on_due, cx.theme.title, cx.theme.dim)),
            Span::styled(
                form.due_days.clone(),
                focus(on_due, cx.theme.selected, cx.theme.base),
            ),
        ])),
        due,
    );
    if let Some(e) = &form.error {
        f.render_widget(Paragraph::new(e.as_str()).style(cx.theme.bad), err);
    }
}
