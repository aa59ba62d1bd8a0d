//! Pure domain logic: no IO, no terminal, no SQL.

pub mod complaint;
pub mod stats;

pub use complaint::Complaint;
