//! Pure domain logic: no IO, no terminal, no SQL.

pub mod canned;
pub mod canned_lsh;
pub mod car;
pub mod complaint;
pub mod customer;
pub mod deadlines;
pub mod decision;
pub mod degrade;
pub mod draw;
pub mod draw_memory;
mod draw_rules;
mod draw_strata;
pub mod flags;
pub mod letter;
pub mod notify;
pub mod outreach;
pub mod pack;
pub mod period;
pub mod population;
pub mod recommend;
pub mod report;
pub mod report_build;
pub mod report_cars;
pub mod review_trend;
pub mod rng;
pub mod rollup;
pub mod sample;
pub mod sample_bound;
pub mod signing;
pub mod stats;
pub mod strata_bound;
pub mod text;
pub mod thread;
pub mod thread_checks;
pub mod verbatim;

pub use complaint::{Complaint, Outcome};
