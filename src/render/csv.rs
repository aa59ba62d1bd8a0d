//! The review pack's numbers as one tidy CSV (section, period, division, metric, value), ready
//! for a pivot table. Every cell is made safe to open in a spreadsheet, and to print.

use crate::domain::pack::Pack;
use crate::domain::report::Report;
use crate::domain::text::inert;

/// A cell a spreadsheet would run as a formula (= + - @, or a tab or carriage return that some
/// spreadsheets strip before reading one) gets a leading apostrophe, so it stays text.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

struct Rows {
    w: ::csv::Writer<Vec<u8>>,
}

impl Rows {
    fn row(
        &mut self,
        section: &str,
        period: &str,
        division: &str,
        metric: &str,
        value: String,
    ) -> ::csv::Result<()> {
        let cells = [section, period, division, metric, &value];
        self.w
            .write_record(cells.iter().map(|c| neutralise(&inert(c)).into_owned()))
    }

    fn rate(
        &mut self,
        section: &str,
        period: &str,
        division: &str,
        metric: &str,
        v: Option<f64>,
    ) -> ::csv::Result<()> {
        self.row(
            section,
            period,
            division,
            metric,
            v.map(|x| format!("{x:.4}")).unwrap_or_default(),
        )
    }
}

pub fn render(pack: &Pack) -> anyhow::Result<String> {
    let r: &Report = &pack.report;
    let mut o = Rows {
        w: ::csv::Writer::from_writer(Vec::new()),
    };
    o.w.write_record(["section", "period", "division", "metric", "value"])?;
    let p = r.period.label.as_str();
    let s = &r.summary;
    for (k, v) in [
        ("complaints", s.complaints),
        ("responded", s.responded),
        ("signed", s.signed),
        ("pushed_back", s.pushed_back),
        ("canned", s.canned),
        ("late", s.late),
        ("contact_ignored", s.contact_ignored),
        ("escalation_refused", s.escalation_refused),
        ("cars_opened", s.cars_opened),
        ("cars_closed", s.cars_closed),
        ("cars_overdue", s.cars_overdue),
    ] {
        o.row("summary", p, "all", k, v.to_string())?;
    }
    o.rate("summary", p, "all", "push_back_rate", s.push_back_rate)?;
    o.rate("summary", p, "all", "canned_share", s.canned_share)?;
    o.rate("summary", p, "all", "late_share", s.late_share)?;
    for d in &r.divisions {
        let f = &d.review;
        let div = f.division.as_str();
        for (k, v) in [
            ("complaints", d.complaints as u64),
            ("sampled", f.sampled),
            ("reviewed", f.reviewed),
            ("signed", f.signed),
            ("signed_text_changed", f.signed_text_changed),
            ("pushed_back", f.pushed_back),
            ("pushed_back_open", f.pushed_back_open),
            ("pushed_back_answered", f.pushed_back_answered),
            ("pushed_back_overdue", f.pushed_back_overdue),
            ("pending", f.pending),
            ("random_items", f.random_items),
            ("random_pushed_back", f.random_pushed_back),
        ] {
            o.row("division", p, div, k, v.to_string())?;
        }
        o.rate("division", p, div, "sign_off_rate", f.sign_off_rate)?;
        o.rate("division", p, div, "push_back_rate", f.push_back_rate)?;
        o.rate("division", p, div, "upper_bound", f.upper_bound)?;
    }
    for a in &r.ad_hoc {
        for (k, v) in [
            ("complaints", a.complaints),
            ("signed", a.signed + a.signed_text_changed),
            ("pushed_back", a.pushed_back),
        ] {
            o.row("ad_hoc", p, &a.division, k, v.to_string())?;
        }
    }
    for b in &r.samples {
        let key = format!("sample {} {}", b.sample, b.label);
        o.row(
            "sample",
            p,
            "all",
            &format!("{key} random_items"),
            b.random_items.to_string(),
        )?;
        o.row(
            "sample",
            p,
            "all",
            &format!("{key} pushed_back"),
            b.pushed_back.to_string(),
        )?;
        o.rate(
            "sample",
            p,
            "all",
            &format!("{key} upper_bound"),
            b.upper_bound,
        )?;
    }
    for t in &r.trend {
        let tp = t.label.as_str();
        for (k, v) in [
            ("complaints", t.complaints),
            ("signed", t.signed),
            ("pushed_back", t.pushed_back),
            ("cars_opened", t.cars_opened),
        ] {
            o.row("trend", tp, "all", k, v.to_string())?;
        }
        o.rate("trend", tp, "all", "push_back_rate", t.push_back_rate)?;
        o.rate("trend", tp, "all", "canned_share", t.canned_share)?;
        o.rate("trend", tp, "all", "late_share", t.late_share)?;
    }
    for t in &r.recommend_trend {
        for d in std::iter::once(&t.all).chain(&t.divisions) {
            let (tp, div) = (t.label.as_str(), d.division.as_str());
            for (k, v) in [
                ("answers", d.answers),
                ("promoters", d.promoters),
                ("passives", d.passives),
                ("detractors", d.detractors),
            ] {
                o.row("recommend", tp, div, k, v.to_string())?;
            }
            o.rate("recommend", tp, div, "recommend_share", d.recommend_share)?;
            o.rate("recommend", tp, div, "detractor_share", d.detractor_share)?;
            if let Some(nps) = d.nps {
                o.row("recommend", tp, div, "nps", nps.to_string())?;
            }
        }
    }
    for c in &r.reasons {
        o.row("push_back_reason", p, "all", &c.key, c.count.to_string())?;
    }
    let rt = &r.response_times;
    for b in &rt.buckets {
        o.row("response_time", p, "all", &b.key, b.count.to_string())?;
    }
    o.row(
        "response_time",
        p,
        "all",
        "no response",
        rt.no_response.to_string(),
    )?;
    o.row(
        "response_time",
        p,
        "all",
        "unknown time",
        rt.unknown_time.to_string(),
    )?;
    for f in &r.flags {
        for (k, v) in [
            ("complaints", f.complaints),
            ("responded", f.responded),
            ("canned", f.canned),
            ("contact_ignored", f.contact_ignored),
            ("escalation_refused", f.escalation_refused),
            ("late", f.late),
        ] {
            o.row("flags", p, &f.division, k, v.to_string())?;
        }
    }
    for g in &r.canned_groups {
        let key = format!("group {}: {}", g.id, g.normalised);
        o.row(
            "canned_group",
            p,
            "all",
            &key,
            g.customers_in_period.to_string(),
        )?;
    }
    let c = &r.cars;
    for (k, v) in [
        ("opened", c.opened),
        ("closed", c.closed),
        ("overdue", c.overdue),
        ("open_now", c.open_now),
        ("contacted_in_time", c.contacted_in_time),
        ("contacted_late", c.contacted_late),
        ("not_contacted", c.not_contacted),
        ("checks_worked", c.checks_worked),
        ("checks_failed", c.checks_failed),
    ] {
        o.row("cars", p, "all", k, v.to_string())?;
    }
    for d in &c.by_division {
        for (k, v) in [
            ("opened", d.opened),
            ("closed", d.closed),
            ("overdue", d.overdue),
            ("open_now", d.open_now),
        ] {
            o.row("cars", p, &d.division, k, v.to_string())?;
        }
    }
    for k in &c.causes {
        o.row("root_cause", p, "all", &k.key, k.count.to_string())?;
    }
    for v in &r.verbatims {
        o.row(
            "worth_reading",
            p,
            &v.division,
            &v.external_id,
            v.why.join("; "),
        )?;
    }
    let bytes = o.w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    Ok(String::from_utf8(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_become_text() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Billing"), "Billing");
        assert_eq!(neutralise("0.25"), "0.25");
        assert_eq!(neutralise(""), "");
    }
}
