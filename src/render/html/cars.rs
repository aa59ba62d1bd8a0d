//! Corrective actions: CARs opened, closed and overdue per division, the root causes found
//! and whether the actions worked, and the overdue ones by name.

use std::fmt::Write;

use crate::domain::pack::Pack;
use crate::render::escape::html as esc;
use crate::render::number::count as n;
use crate::render::rows::{car_cells, CAR_HEAD};
use crate::render::svg::{self, BLUE, GREEN, RED};
use crate::render::time::fmt_time;

pub fn section(o: &mut String, pack: &Pack) {
    let c = &pack.report.cars;
    let _ = write!(
        o,
        "<section><h2>Corrective actions (CARs)</h2><p>Opened <b>{}</b>, closed <b>{}</b>, \
         <span class=\"overdue\">overdue {}</span> (not called back within {} h), open now {}. \
         Of those opened this period: {} reached in time, {} late, {} not yet. \
         Effectiveness checks: <b>{}</b> worked, <b>{}</b> did not.</p>",
        n(c.opened),
        n(c.closed),
        n(c.overdue),
        pack.meta.car_due_hours,
        n(c.open_now),
        n(c.contacted_in_time),
        n(c.contacted_late),
        n(c.not_contacted),
        n(c.checks_worked),
        n(c.checks_failed)
    );
    o.push_str("<div class=\"two\"><div>");
    let opened: Vec<(String, f64)> = c
        .by_division
        .iter()
        .map(|d| (d.division.clone(), d.opened as f64))
        .collect();
    o.push_str("<h3>Opened this period</h3>");
    o.push_str(&svg::hbars("CARs opened per division", &opened, BLUE));
    let overdue: Vec<(String, f64)> = c
        .by_division
        .iter()
        .map(|d| (d.division.clone(), d.overdue as f64))
        .collect();
    o.push_str("<h3>Overdue now</h3>");
    o.push_str(&svg::hbars("CARs overdue per division", &overdue, RED));
    o.push_str("</div><div><h3>Root causes</h3>");
    if c.causes.is_empty() {
        o.push_str("<p>None recorded this period.</p>");
    } else {
        let causes: Vec<(String, f64)> = c
            .causes
            .iter()
            .map(|k| (k.key.clone(), k.count as f64))
            .collect();
        o.push_str(&svg::hbars("Root causes recorded", &causes, GREEN));
    }
    // The shared table, with the overdue cell marked so that it prints red.
    o.push_str("<table><thead><tr>");
    for h in CAR_HEAD {
        let _ = write!(o, "<th>{h}</th>");
    }
    o.push_str("</tr></thead><tbody>");
    for d in &c.by_division {
        o.push_str("<tr>");
        for (i, cell) in car_cells(d).iter().enumerate() {
            let class = match i {
                3 if d.overdue > 0 => " class=\"overdue\"",
                3 => " class=\"\"",
                _ => "",
            };
            let _ = write!(o, "<td{class}>{}</td>", esc(cell));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div></div>");
    if !c.overdue_list.is_empty() {
        o.push_str("<h3 class=\"overdue\">Overdue, longest first</h3><ul class=\"notes\">");
        for l in &c.overdue_list {
            let _ = write!(
                o,
                "<li class=\"overdue\">CAR-{} · {} · {} · due {} · {} h overdue</li>",
                l.id,
                esc(&l.external_id),
                esc(&l.division),
                esc(&fmt_time(l.due_at)),
                l.hours_overdue
            );
        }
        o.push_str("</ul>");
    }
    o.push_str("</section>");
}
