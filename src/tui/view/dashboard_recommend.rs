//! The dashboard's likelihood-to-recommend panel: per division, over the dashboard's weeks the
//! share who would recommend (9–10), the detractors' share (0–6), the NPS and the answers
//! behind them; then the NPS of each recent week that fits, with its answers.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::dashboard::boxed;
use super::Ctx;
use crate::domain::recommend::{format_nps, Recommend};
use crate::domain::text::one_line;
use crate::render::number::pct;
use crate::tui::data::Dashboard;

/// Width of one week's cell: "+100 (999)" and a space.
const CELL: usize = 11;

fn nps_cell(r: &Recommend) -> String {
    match r.nps {
        Some(n) => format!("{} ({})", format_nps(n), r.answers),
        None => "–".into(),
    }
}

/// The division's figures in the period, or none when it gave no score there.
fn of<'a>(rs: &'a [Recommend], all: &'a Recommend, division: &str) -> Option<&'a Recommend> {
    if division == "all" {
        return Some(all);
    }
    rs.iter().find(|r| r.division == division)
}

pub fn draw(f: &mut Frame, d: &Dashboard, cx: &Ctx, area: Rect) {
    let title = format!(
        " Likelihood to recommend, {} weeks: would recommend (9–10) · detractors (0–6) · NPS (answers) ",
        d.recommend.len()
    );
    let Some(span) = d.recommend_all.as_ref().filter(|s| s.all.answers > 0) else {
        let none = Line::styled(
            "no likelihood-to-recommend scores in these weeks",
            cx.theme.dim,
        );
        f.render_widget(Paragraph::new(none).block(boxed(cx, title)), area);
        return;
    };
    let inner = (area.width as usize).saturating_sub(2);
    // The division, the two shares and the NPS over all the weeks.
    let fixed = 15 + 7 + 7 + 13;
    let weeks = (inner.saturating_sub(fixed) / CELL).min(d.recommend.len());
    let recent = &d.recommend[d.recommend.len() - weeks..];
    let mut head = format!(
        "{:<14} {:>6} {:>6} {:>11}  ",
        "division", "9–10", "0–6", "NPS"
    );
    for w in recent {
        head.push_str(&format!("{:>CELL$}", w.short));
    }
    let mut lines = vec![Line::styled(head, cx.theme.dim)];
    let names = std::iter::once("all").chain(
        span.divisions
            .iter()
            .filter(|r| r.answers > 0)
            .map(|r| r.division.as_str()),
    );
    for name in names {
        let Some(r) = of(&span.divisions, &span.all, name) else {
            continue;
        };
        let mut spans = vec![
            Span::raw(format!("{:<14} ", one_line(name, 14))),
            Span::styled(format!("{:>6} ", pct(r.recommend_share)), cx.theme.ok),
            Span::styled(format!("{:>6} ", pct(r.detractor_share)), cx.theme.bad),
            Span::styled(format!("{:>11}  ", nps_cell(r)), cx.theme.title),
        ];
        let cells: String = recent
            .iter()
            .map(|w| {
                let cell = of(&w.divisions, &w.all, name).map_or_else(|| "–".into(), nps_cell);
                format!("{cell:>CELL$}")
            })
            .collect();
        spans.push(Span::raw(cells));
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines).block(boxed(cx, title)), area);
}
