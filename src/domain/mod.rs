//! Pure domain logic: no IO, no terminal, no SQL.

pub mod complaint;
pub mod decision;
pub mod rng;
pub mod sample;
pub mod stats;
pub mod text;

pub use complaint::Complaint;
