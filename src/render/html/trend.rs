//! The periods side by side: complaints with the push-back rate, canned and late shares, and
//! the likelihood to recommend, each as a chart over its table.

use std::fmt::Write;

use crate::domain::recommend::RecommendPeriod;
use crate::domain::report::Report;
use crate::render::escape::html as esc;
use crate::render::rows::{
    recommend_answered, recommend_rows, trend_cells, RECOMMEND_HEAD, RECOMMEND_NONE,
    RECOMMEND_NOTE, TREND_HEAD,
};
use crate::render::svg::{self, AMBER, GREEN, PURPLE, RED};

use super::table;

pub fn section(o: &mut String, r: &Report) {
    o.push_str("<section><h2>Trend</h2>");
    let labels: Vec<String> = r.trend.iter().map(|t| t.short.clone()).collect();
    let bars: Vec<f64> = r.trend.iter().map(|t| t.complaints as f64).collect();
    o.push_str(&svg::trend(
        "Complaints per period with push-back rate and canned share",
        &labels,
        ("complaints", &bars),
        &[
            (
                "push-back rate",
                RED,
                r.trend.iter().map(|t| t.push_back_rate).collect(),
            ),
            (
                "canned share",
                PURPLE,
                r.trend.iter().map(|t| t.canned_share).collect(),
            ),
            (
                "late share",
                AMBER,
                r.trend.iter().map(|t| t.late_share).collect(),
            ),
        ],
    ));
    let body: Vec<Vec<String>> = r.trend.iter().map(trend_cells).collect();
    // The chart's legend names the shares; the table under it is narrower.
    let mut head = TREND_HEAD;
    (head[5], head[6]) = ("Canned", "Late");
    table(o, &head, &body);
    o.push_str("</section>");
}

/// The share who would recommend (9–10), the detractors' share (0–6) and the net promoter
/// score, in all and per division, each with the answers behind it.
pub fn recommend(o: &mut String, trend: &[RecommendPeriod]) {
    o.push_str("<section><h2>Likelihood to recommend</h2>");
    if !recommend_answered(trend) {
        let _ = write!(o, "<p>{RECOMMEND_NONE}</p></section>");
        return;
    }
    let _ = write!(o, "<p class=\"by\">{}</p>", esc(RECOMMEND_NOTE));
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
    table(o, &RECOMMEND_HEAD, &recommend_rows(trend));
    o.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::recommend::Recommend;

    #[test]
    fn recommend_is_charted_over_its_table() {
        let all = Recommend {
            division: "all".into(),
            answers: 4,
            recommend_share: Some(0.5),
            detractor_share: Some(0.25),
            nps: Some(25.0),
            ..Default::default()
        };
        let trend = [RecommendPeriod {
            label: "2026-11".into(),
            short: "Nov".into(),
            start: 0,
            end: 1,
            all,
            divisions: Vec::new(),
        }];
        let mut html = String::new();
        recommend(&mut html, &trend);
        assert!(html.contains("<svg") && html.contains("would recommend (9–10)"));
        assert!(html.contains("<td>+25</td>"), "{html}");
    }
}
