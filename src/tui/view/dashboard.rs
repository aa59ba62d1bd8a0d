//! The dashboard: sign-off rate per division with its bound, push-back reasons, the weekly
//! trend and what is open.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::Ctx;
use crate::domain::stats::format_rate;
use crate::domain::text::one_line;
use crate::tui::app::App;

fn bar(width: usize, frac: f64) -> String {
    let n = ((frac.clamp(0.0, 1.0)) * width as f64).round() as usize;
    format!("{}{}", "█".repeat(n), "░".repeat(width.saturating_sub(n)))
}

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx, area: Rect, compact: bool) {
    let Some(d) = &app.dashboard else {
        f.render_widget(Paragraph::new(" loading…").style(cx.theme.dim), area);
        return;
    };
    // A small screen shows the sign-off rates alone: four panels there would show only frames.
    let (high, wide) = if compact { (100, 100) } else { (60, 62) };
    let [top, bottom] = Layout::vertical([
        Constraint::Percentage(high),
        Constraint::Percentage(100 - high),
    ])
    .areas(area);
    let [rates, reasons] = Layout::horizontal([
        Constraint::Percentage(wide),
        Constraint::Percentage(100 - wide),
    ])
    .areas(top);
    let [trend, open] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(bottom);

    let w = rates.width.saturating_sub(40).clamp(4, 40) as usize;
    let mut lines = vec![Line::styled(
        format!(
            "{:<16} {:<w$} {:>6} {:>13}",
            "division", "signed", "rate", "unfit at most"
        ),
        cx.theme.dim,
    )];
    for (div, n, x, ub) in &d.divisions {
        let rate = if *n > 0 {
            (n - x) as f64 / *n as f64
        } else {
            0.0
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{:<16} ", one_line(div, 16))),
            Span::styled(
                bar(w, rate),
                if *x == 0 { cx.theme.ok } else { cx.theme.warn },
            ),
            Span::raw(format!(" {:>5} ", format!("{}/{}", n - x, n))),
            Span::styled(format!("{:>12}", format_rate(*ub)), cx.theme.accent),
        ]));
    }
    if d.divisions.is_empty() {
        lines.push(Line::styled("nothing reviewed yet", cx.theme.dim));
    }
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(cx.theme.border)
                .title(" Sign-off rate per division (bound at the plan's confidence) "),
        ),
        rates,
    );

    let max = d.reasons.first().map(|r| r.1).unwrap_or(1).max(1);
    let rw = reasons.width.saturating_sub(26).max(3) as usize;
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
        Paragraph::new(rl).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(cx.theme.border)
                .title(" Push-back reasons "),
        ),
        reasons,
    );

    let first = d.weeks.first().map(|w| w.0.clone()).unwrap_or_default();
    let last = d.weeks.last().map(|w| w.0.clone()).unwrap_or_default();
    let n = d.weeks.len().max(1) as u16;
    let bar_width = (trend.width.saturating_sub(2) / n).saturating_sub(1).max(1);
    let bars: Vec<Bar> = d
        .weeks
        .iter()
        .map(|(label, rate, reviewed)| {
            let v = rate.map(|x| (x * 100.0).round() as u64).unwrap_or(0);
            Bar::default()
                .value(v)
                .text_value(if *reviewed > 0 {
                    format!("{v}")
                } else {
                    "·".into()
                })
                .label(Line::from(if bar_width >= 6 {
                    label.clone()
                } else {
                    String::new()
                }))
        })
        .collect();
    f.render_widget(
        BarChart::default()
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(cx.theme.border)
                    .title(format!(
                        " Weekly sign-off rate %, 12 weeks ({first} – {last}) "
                    )),
            )
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_width)
            .bar_gap(1)
            .max(100)
            .bar_style(cx.theme.accent)
            .value_style(cx.theme.title),
        trend,
    );
    let mut ol = vec![
        Line::from(vec![
            Span::raw("open push-backs     "),
            Span::styled(d.open_push_backs.to_string(), cx.theme.warn),
        ]),
        Line::from(vec![
            Span::raw("overdue push-backs  "),
            Span::styled(d.overdue_push_backs.to_string(), cx.theme.bad),
        ]),
    ];
    if let Some(b) = &d.sample {
        ol.push(Line::raw(""));
        ol.push(Line::styled(format!("sample {}", b.label), cx.theme.dim));
        ol.push(Line::styled(b.statement.clone(), cx.theme.accent));
    }
    f.render_widget(
        Paragraph::new(ol).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(cx.theme.border)
                .title(" Open "),
        ),
        open,
    );
    let _ = app;
}
