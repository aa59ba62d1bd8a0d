//! The later sections of the Markdown pack: flags per division, CARs, and the complaints worth
//! reading.

use std::fmt::Write;

use crate::domain::report::Report;

use super::report::Pack;
use super::report_md::{esc, n, table};
use super::{fmt_date, fmt_time};

pub fn flags(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## Failure-mode flags by division\n");
    table(
        o,
        &[
            "Division",
            "Complaints",
            "Canned",
            "Contact ignored",
            "Escalation refused",
            "Late",
        ],
        r.flags.iter().map(|f| {
            vec![
                f.division.clone(),
                n(f.complaints),
                n(f.canned),
                n(f.contact_ignored),
                n(f.escalation_refused),
                n(f.late),
            ]
        }),
    );
}

pub fn cars(o: &mut String, pack: &Pack) {
    let c = &pack.report.cars;
    let _ = writeln!(
        o,
        "## Corrective actions (CARs)\n\nOpened {}, closed {}, **overdue {}** (not called back within {} h), open now {}. \
         Of those opened this period: {} reached in time, {} late, {} not yet. \
         Effectiveness checks: {} worked, {} did not.\n",
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
    table(
        o,
        &["Division", "Opened", "Closed", "Overdue", "Open now"],
        c.by_division.iter().map(|d| {
            vec![
                d.division.clone(),
                n(d.opened),
                n(d.closed),
                n(d.overdue),
                n(d.open_now),
            ]
        }),
    );
    if !c.causes.is_empty() {
        let causes: Vec<String> = c
            .causes
            .iter()
            .map(|k| format!("{} {}", esc(&k.key), k.count))
            .collect();
        let _ = writeln!(o, "\nRoot causes recorded: {}.", causes.join(", "));
    }
    if !c.overdue_list.is_empty() {
        let _ = writeln!(o, "\nOverdue, longest first:\n");
        for l in &c.overdue_list {
            let _ = writeln!(
                o,
                "- **CAR-{}** {} ({}): due {}, {} h overdue",
                l.id,
                esc(&l.external_id),
                esc(&l.division),
                fmt_time(l.due_at),
                l.hours_overdue
            );
        }
    }
    o.push('\n');
}

pub fn verbatims(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## Worth reading\n");
    if r.verbatims.is_empty() {
        let _ = writeln!(o, "Nothing flagged this period.");
    }
    for v in &r.verbatims {
        let _ = writeln!(
            o,
            "### {} · {} · received {}{}\n\n*{}*\n\n> {}\n",
            esc(&v.external_id),
            esc(&v.division),
            fmt_date(v.received_at),
            v.likelihood
                .map(|l| format!(" · likelihood to recommend {l}/10"))
                .unwrap_or_default(),
            esc(&v.why.join("; ")),
            esc(&v.complaint)
        );
        match &v.response {
            Some(t) => {
                let _ = writeln!(o, "Response:\n\n> {}\n", esc(t));
            }
            None => {
                let _ = writeln!(o, "No response.\n");
            }
        }
    }
}
