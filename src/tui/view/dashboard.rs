//! The dashboard: the roll-up of the sample on screen per division with its bound, push-back
//! reasons, likelihood to recommend, the weekly sign-off rate and what is open.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::Ctx;
use crate::domain::text::one_line;
use crate::render::number::pct;
use crate::tui::app::App;
use crate::tui::data::Dashboard;

pub fn bar(width: usize, frac: f64) -> String {
    let n = ((frac.clamp(0.0, 1.0)) * width as f64).round() as usize;
    format!("{}{}", "█".repeat(n), "░".repeat(width.saturating_sub(n)))
}

pub fn boxed<'a>(cx: &Ctx, title: impl Into<Line<'a>>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(cx.theme.border)
        .title(title)
}

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx, area: Rect, compact: bool) {
    let Some(d) = &app.dashboard else {
        f.render_widget(Paragraph::new(" loading…").style(cx.theme.dim), area);
        return;
    };
    let of = match &app.sample {
        Some(s) => format!("sample {}", s.label),
        None => "every sample".into(),
    };
    // A small screen shows the per-division figures alone: five panels there would show only
    // frames.
    if compact {
        divisions(f, d, cx, area, &of);
        return;
    }
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Percentage(40),
        Constraint::Percentage(28),
        Constraint::Percentage(32),
    ])
    .areas(area);
    let [rates, reasons] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(top);
    let [trend, open] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(bottom);
    divisions(f, d, cx, rates, &of);
    push_back_reasons(f, d, cx, reasons);
    super::dashboard_recommend::draw(f, d, cx, middle);
    weekly(f, d, cx, trend);
    what_is_open(f, d, cx, open, &of);
}

fn divisions(f: &mut Frame, d: &Dashboard, cx: &Ctx, area: Rect, of: &str) {
    let w = (area.width as usize).saturating_sub(44).clamp(3, 40);
    let mut lines = vec![Line::styled(
        format!(
            "{:<14} {:<w$} {:>5} {:>5} {:>6} {:>7}",
            "division", "signed", "", "rate", "pushed", "unfit ≤"
        ),
        cx.theme.dim,
    )];
    for r in &d.rollup.divisions {
        let clean = r.reviewed - r.pushed_back;
        lines.push(Line::from(vec![
            Span::raw(format!("{:<14} ", one_line(&r.division, 14))),
            Span::styled(
                bar(w, r.sign_off_rate.unwrap_or(0.0)),
                if r.pushed_back == 0 {
                    cx.theme.ok
                } else {
                    cx.theme.warn
                },
            ),
            Span::raw(format!(
                " {:>5} {:>5} {:>6} ",
                format!("{clean}/{}", r.reviewed),
                pct(r.sign_off_rate),
                r.pushed_back
            )),
            Span::styled(format!("{:>7}", pct(r.upper_bound)), cx.theme.accent),
        ]));
    }
    if d.rollup.divisions.is_empty() {
        lines.push(Line::styled("nothing sampled yet", cx.theme.dim));
    }
    // Signed: of the reviewed items, those signed without a push-back.
    let title = format!(
        " {of} per division · unfit bound at {} % · signed without a push-back ",
        d.confidence
    );
    f.render_widget(Paragraph::new(lines).block(boxed(cx, title)), area);
}

fn push_back_reasons(f: &mut Frame, d: &Dashboard, cx: &Ctx, area: Rect) {
    let max = d.reasons.first().map(|r| r.1).unwrap_or(1).max(1);
    let rw = area.width.saturating_sub(26).max(3) as usize;
    let rl: Vec<Line> = d
        .reasons
        .iter()
        .map(|(r, c)| {
            Line::from(format!(
                "{:<19} {:<rw$} {c}",
                one_line(r, 19),
                bar(rw, *c as f64 / max as f64)
            ))
        })
        .collect();
    f.render_widget(
        Paragraph::new(rl).block(boxed(cx, " Push-back reasons ")),
        area,
    );
}

fn weekly(f: &mut Frame, d: &Dashboard, cx: &Ctx, area: Rect) {
    let first = d.weeks.first().map(|w| w.short.clone()).unwrap_or_default();
    let last = d.weeks.last().map(|w| w.short.clone()).unwrap_or_default();
    let n = d.weeks.len().max(1) as u16;
    let bar_width = (area.width.saturating_sub(2) / n).saturating_sub(1).max(1);
    let bars: Vec<Bar> = d
        .weeks
        .iter()
        .map(|w| {
            let v = w
                .sign_off_rate
                .map(|x| (x * 100.0).round() as u64)
                .unwrap_or(0);
            Bar::default()
                .value(v)
                .text_value(if w.reviewed > 0 {
                    format!("{v}")
                } else {
                    "·".into()
                })
                .label(Line::from(if bar_width >= 6 {
                    w.short.clone()
                } else {
                    String::new()
                }))
        })
        .collect();
    f.render_widget(
        BarChart::default()
            .block(boxed(
                cx,
                format!(" Weekly sign-off rate %, {} weeks ({first} – {last}) ", n),
            ))
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_width)
            .bar_gap(1)
            .max(100)
            .bar_style(cx.theme.accent)
            .value_style(cx.theme.title),
        area,
    );
}

fn what_is_open(f: &mut Frame, d: &Dashboard, cx: &Ctx, area: Rect, of: &str) {
    let t = &d.rollup.total;
    let row = |label: &str, n: u64, style| {
        Line::from(vec![
            Span::raw(format!("{label:<14}")),
            Span::styled(n.to_string(), style),
        ])
    };
    let mut ol = vec![
        Line::from(vec![
            Span::raw(format!("{of}: ")),
            Span::styled(
                format!("{} / {} reviewed", t.reviewed, t.sampled),
                cx.theme.title,
            ),
        ]),
        row("pushed back", t.pushed_back, cx.theme.warn),
        row("· open now", t.pushed_back_open, cx.theme.warn),
        row("· overdue", t.pushed_back_overdue, cx.theme.bad),
        row("· answered", t.pushed_back_answered, cx.theme.accent),
    ];
    if d.ad_hoc.complaints > 0 {
        ol.push(Line::styled(
            format!(
                "ad hoc: {} decided outside any sample ({} open), not counted above",
                d.ad_hoc.complaints, d.ad_hoc.pushed_back_open
            ),
            cx.theme.dim,
        ));
    }
    if let Some(b) = &d.sample {
        ol.push(Line::styled(b.statement.clone(), cx.theme.accent));
    }
    f.render_widget(
        Paragraph::new(ol)
            .wrap(Wrap { trim: true })
            .block(boxed(cx, " Open ")),
        area,
    );
}
