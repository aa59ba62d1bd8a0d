//! Figures as every output prints them: a share as "12.5 %" and a count with its thousands
//! set apart, so that the pack, the screen and `status` read alike.

use crate::domain::canned::thousands;
use crate::domain::stats::format_rate;

/// A share as "12.5 %", or "–" when there is nothing to divide.
pub fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), format_rate)
}

/// A count as "1 204" (a negative one, which no count should be, as 0).
pub fn count(x: i64) -> String {
    thousands(x.max(0) as u64)
}

/// Hours to a tenth, "3.5 h", or "–" when there are none.
pub fn hours(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |h| format!("{h:.1} h"))
}
