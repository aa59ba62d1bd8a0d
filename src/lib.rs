//! signoff: executives read a random sample of customer complaints with the responses sent, and
//! sign them or push them back.

pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod entry;
pub mod error;
pub mod files;
pub mod import;
pub mod mail;
pub mod render;
pub mod sign;
pub mod store;
pub mod synthetic_export;
pub mod tui;
