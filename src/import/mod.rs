//! CSV import: decoding, profile mapping, date parsing and validation, written in one transaction.

pub mod catalogue;
pub mod dates;
pub mod decode;
pub mod draft;
mod draft_columns;
mod draft_guess;
mod draft_hints;
mod draft_toml;
mod intake;
pub mod mapping;
mod nomatch;
mod parse;
pub mod peek;
pub mod profile;
#[cfg(test)]
mod profile_doc;
pub mod records;
mod rejects;
pub mod run;
mod shape;
pub mod threads;

pub use run::{import_file, ImportError, Options, Report};
