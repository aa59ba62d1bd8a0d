//! The command line, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "signoff",
    version,
    about = "Read a random sample of customer complaints with the responses sent; sign them or push them back",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    /// The store (SQLite file); default: signoff.db in the platform data directory.
    #[arg(long, global = true, env = "SIGNOFF_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// A configuration file layered over the built-in defaults.
    #[arg(long, global = true, env = "SIGNOFF_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Pretend the time is this (RFC 3339), for rehearsals and tests.
    #[arg(long, global = true, env = "SIGNOFF_NOW", hide = true)]
    pub now: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import CSV exports (helpdesk, survey, social media, regulators' portals).
    Import(ImportArgs),
    /// Counts by source, division and month, and the imports so far.
    Stats,
    /// Show the configuration, or the built-in defaults.
    Config(ConfigArgs),
    /// Build a demo store from the bundled sample data and print how to use it.
    Demo(DemoArgs),
    /// Write a large realistic export, for benchmarks.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DateOrderArg {
    Dmy,
    Mdy,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV files to import, each in its own transaction.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A profile name (cfpb, cfpb-legacy, helpdesk, social, generic) or a path to a profile TOML;
    /// default: the profile whose header matches.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// Key complaints under this source instead of the profile's.
    #[arg(long)]
    pub source: Option<String>,
    /// Check and count everything, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where rejected rows go (a file, or a folder for several inputs); default NAME.rejects.csv
    /// next to each input.
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,
    /// utf-8 or windows-1252 (also utf-16le, utf-16be); default: detected.
    #[arg(long)]
    pub encoding: Option<String>,
    /// comma, semicolon, tab, pipe or a single character; default: detected.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Day-first or month-first numeric dates, when the file cannot tell.
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrderArg>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the built-in default configuration, with its comments.
    #[arg(long)]
    pub default: bool,
    /// Print where the configuration file is looked for.
    #[arg(long)]
    pub path: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the demo store; default: demo/signoff-demo.db in the platform data directory.
    #[arg(long, value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Build the store and print where, without opening anything.
    #[arg(long)]
    pub no_open: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GenerateFormat {
    Helpdesk,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[arg(value_enum, default_value = "helpdesk")]
    pub format: GenerateFormat,
    /// How many rows.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Output file (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The newest complaint's date (YYYY-MM-DD); rows spread over the 52 weeks before it.
    #[arg(long)]
    pub until: Option<String>,
}
