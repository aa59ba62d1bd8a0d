//! The pack's likelihood-to-recommend section: per period, the share who would recommend
//! (9–10), the detractors' share (0–6) and the net promoter score, in all and per division,
//! each with the answers behind it.

use std::fmt::Write;

use crate::domain::recommend::{format_nps, Recommend, RecommendPeriod};

use super::report::pct;
use super::report_svg::{self as svg, GREEN, RED};

const HEAD: [&str; 6] = [
    "Period",
    "Division",
    "Answers",
    "Would recommend (9–10)",
    "Detractors (0–6)",
    "NPS",
];

const NOTE: &str = "Where customers gave their likelihood to recommend (0–10), by when the \
    complaint was received. NPS: the share who would recommend less the detractors' share, in \
    points; a figure on few answers moves a lot.";

const NONE: &str = "No likelihood-to-recommend scores in these periods.";

fn cells(period: &str, r: &Recommend) -> Vec<String> {
    vec![
        period.to_string(),
        r.division.clone(),
        r.answers.to_string(),
        pct(r.recommend_share),
        pct(r.detractor_share),
        r.nps.map_or_else(|| "–".into(), format_nps),
    ]
}

/// All divisions first, then each division that answered, period by period.
fn rows(trend: &[RecommendPeriod]) -> Vec<Vec<String>> {
    trend
        .iter()
        .flat_map(|p| {
            std::iter::once(&p.all)
                .chain(p.divisions.iter().filter(|d| d.answers > 0))
                .map(|r| cells(&p.label, r))
        })
        .collect()
}

fn answered(trend: &[RecommendPeriod]) -> bool {
    trend.iter().any(|p| p.all.answers > 0)
}

pub fn markdown(o: &mut String, trend: &[RecommendPeriod]) {
    let _ = writeln!(o, "## Likelihood to recommend\n");
    if !answered(trend) {
        let _ = writeln!(o, "{NONE}\n");
        return;
    }
    let _ = writeln!(o, "{NOTE}\n");
    super::report_md::table(o, &HEAD, rows(trend));
}

pub fn html(o: &mut String, trend: &[RecommendPeriod]) {
    o.push_str("<section><h2>Likelihood to recommend</h2>");
    if !answered(trend) {
        let _ = write!(o, "<p>{NONE}</p></section>");
        return;
    }
    let _ = write!(o, "<p class=\"by\">{}</p>", svg::esc(NOTE));
    let labels: Vec<String> = trend.iter().map(|p| p.short.clone()).collect();
    let answers: Vec<f64> = trend.iter().map(|p| p.all.answers as f64).collect();
    o.push_str(&svg::trend(
        "Answers per period with the shares who would recommend and who would not",
        &labels,
        ("answers", &answers),
        &[
            (
                "would recommend (9–10)",
                GREEN,
                trend.iter().map(|p| p.all.recommend_share).collect(),
            ),
            (
                "detractors (0–6)",
                RED,
                trend.iter().map(|p| p.all.detractor_share).collect(),
            ),
        ],
    ));
    super::report_html::table(o, &HEAD, &rows(trend));
    o.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(division: &str, answers: u64, nps: Option<f64>) -> Recommend {
        Recommend {
            division: division.into(),
            answers,
            recommend_share: nps.map(|_| 0.5),
            detractor_share: nps.map(|_| 0.25),
            nps,
            ..Default::default()
        }
    }

    #[test]
    fn lists_all_then_the_divisions_that_answered() {
        let trend = [RecommendPeriod {
            label: "2026-11".into(),
            short: "Nov".into(),
            start: 0,
            end: 1,
            all: r("all", 4, Some(25.0)),
            divisions: vec![r("Billing", 4, Some(25.0)), r("Support", 0, None)],
        }];
        let mut md = String::new();
        markdown(&mut md, &trend);
        assert!(
            md.contains("| 2026-11 | all | 4 | 50 % | 25 % | +25 |"),
            "{md}"
        );
        assert!(!md.contains("Support"));
        let mut html = String::new();
        super::html(&mut html, &trend);
        assert!(html.contains("<svg") && html.contains("would recommend (9–10)"));
        let mut empty = String::new();
        markdown(&mut empty, &[]);
        assert!(empty.contains(NONE));
    }
}
