//! `signoff import FILE...`

use std::io::IsTerminal;

use crate::cli::{DateOrderArg, ImportArgs};
use crate::config::Role;
use crate::error::{failed, refused, usage};
use crate::import::decode::Encoding;
use crate::import::profile::DateOrder;
use crate::import::run::{import_file_into, Target};
use crate::import::{Options, Report};
use crate::store::Backend;

use super::Ctx;

/// SQLite's default SQLITE_MAX_LENGTH: no string or blob may be longer.
const SQLITE_MAX_LENGTH: usize = 1_000_000_000;

pub(super) fn parse_delimiter(s: &str) -> anyhow::Result<u8> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "comma" | "," => b',',
        "semicolon" | ";" => b';',
        "tab" | "\\t" | "\t" => b'\t',
        "pipe" | "|" => b'|',
        other if other.len() == 1 && other.is_ascii() => other.as_bytes()[0],
        _ => {
            return Err(usage(format!(
                "--delimiter {s:?}: use comma, semicolon, tab, pipe or one ASCII character"
            )))
        }
    })
}

pub(super) fn parse_encoding(e: &str) -> anyhow::Result<Encoding> {
    Encoding::from_flag(e).ok_or_else(|| {
        usage(format!(
            "--encoding {e:?}: use utf-8, windows-1252, utf-16le or utf-16be"
        ))
    })
}

pub fn run(ctx: &Ctx, a: ImportArgs) -> anyhow::Result<()> {
    let result = import_files(ctx, a);
    if let (true, Err(e)) = (ctx.json, &result) {
        // With --json a failure says so on standard output too; a file's own failure has.
        let message = format!("{e:#}");
        if !message.is_empty() {
            let _ = ctx.print_json(&serde_json::json!({ "error": message, "file": null }));
        }
    }
    result
}

fn import_files(ctx: &Ctx, a: ImportArgs) -> anyhow::Result<()> {
    let person = ctx.require(&[Role::Admin, Role::Executive], "import")?;
    let encoding = a.encoding.as_deref().map(parse_encoding).transpose()?;
    let delimiter = a.delimiter.as_deref().map(parse_delimiter).transpose()?;
    let max_field = ctx.cfg.import.max_field_bytes;
    if !(1..=SQLITE_MAX_LENGTH).contains(&max_field) {
        return Err(usage(format!(
            "import.max_field_bytes = {max_field}: use 1 to {SQLITE_MAX_LENGTH} (the most SQLite stores in one value)"
        )));
    }
    let rejects_dir = a.rejects.as_ref().filter(|p| p.is_dir()).cloned();
    if a.files.len() > 1 && a.rejects.is_some() && rejects_dir.is_none() {
        return Err(usage("--rejects with several files must name a folder"));
    }
    // Imports open CARs in the importer's name: the opening steps are signed like any other.
    let signer = if ctx.cfg.cars.open_when.is_empty() || a.dry_run {
        crate::domain::signing::SharedSigner::default()
    } else {
        ctx.signer(person)
            .map_err(|e| anyhow::anyhow!("{e:#} (imports open CARs in your name)"))?
    };
    let mut store = ctx.open_store()?;
    let base = Options {
        profile: a.profile.clone(),
        profiles_dir: ctx.cfg.profiles_dir().map(|p| p.to_path_buf()),
        source: a.source.clone(),
        encoding,
        delimiter,
        date_order: a.date_order.map(|d| match d {
            DateOrderArg::Dmy => DateOrder::Dmy,
            DateOrderArg::Mdy => DateOrder::Mdy,
        }),
        dry_run: a.dry_run,
        accept_incomplete: a.accept_incomplete,
        accept_degraded: a.accept_degraded,
        allow_unlinked: a.allow_unlinked,
        rejects: None,
        batch_rows: ctx.cfg.import.batch_rows,
        max_field_bytes: ctx.cfg.import.max_field_bytes,
        progress: std::io::stderr().is_terminal() && !ctx.json,
        imported_by: person.login.clone(),
        now: ctx.now.timestamp(),
        after_import: super::car::after_import(
            &ctx.cfg,
            &person.login,
            ctx.now.timestamp(),
            !a.dry_run,
            signer,
        ),
        // Another import holds the store for its whole transaction: wait for it as other
        // writes do (0, no limit, is taken as a day).
        write_wait: match ctx.cfg.store.write_wait_secs {
            0 => std::time::Duration::from_secs(86_400),
            s => std::time::Duration::from_secs(s),
        },
    };
    let cfg = &ctx.cfg;
    let division = |d: &str| cfg.canonical_division(d).to_string();
    // With --json: each file's report, or its error.
    let mut outputs: Vec<serde_json::Value> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    // Every rejects file is checked before any file is imported.
    let mut planned = Vec::with_capacity(a.files.len());
    for file in &a.files {
        let rejects = match (&rejects_dir, &a.rejects) {
            (Some(dir), _) => dir.join(
                crate::import::run::default_rejects_path(file)
                    .file_name()
                    .map(|n| n.to_os_string())
                    .unwrap_or_default(),
            ),
            (None, Some(r)) => r.clone(),
            (None, None) => crate::import::run::default_rejects_path(file),
        };
        if !a.dry_run {
            let flag = if a.rejects.is_some() {
                "--rejects"
            } else {
                "the rejects file"
            };
            super::not_the_store(ctx, &rejects, flag, &a.files)?;
        }
        planned.push((file, rejects));
    }
    for (file, rejects) in planned {
        let mut opts = base.clone();
        opts.rejects = Some(rejects);
        let target = match store.backend() {
            Backend::Sqlite(db) => Target::Sqlite(db),
            Backend::Pg(pg) => Target::Pg(pg),
        };
        match import_file_into(target, file, &opts, &division) {
            Ok(r) => {
                if ctx.json {
                    outputs.push(serde_json::to_value(&r)?);
                } else {
                    print_report(&r);
                }
                if r.counts.read > 0 && r.counts.rejected == r.counts.read {
                    failures.push(format!("{}: no row could be imported", r.file));
                }
            }
            Err(e) => {
                if ctx.json {
                    outputs.push(serde_json::json!({ "error": e.message, "file": e.file }));
                }
                if e.usage {
                    if ctx.json {
                        print_outputs(ctx, &outputs, a.files.len())?;
                        eprintln!("signoff: {e}");
                        return Err(usage(""));
                    }
                    return Err(usage(e.to_string()));
                }
                // The store refused the login: every other file would be refused alike.
                if e.refused {
                    if ctx.json {
                        print_outputs(ctx, &outputs, a.files.len())?;
                        eprintln!("signoff: {e}");
                        return Err(refused(""));
                    }
                    return Err(refused(e.to_string()));
                }
                eprintln!("signoff: {e}");
                failures.push(e.to_string());
            }
        }
    }
    if ctx.json {
        print_outputs(ctx, &outputs, a.files.len())?;
    }
    if failures.is_empty() {
        Ok(())
    } else {
        for f in failures
            .iter()
            .filter(|f| f.ends_with("no row could be imported"))
        {
            eprintln!("signoff: {f}");
        }
        Err(failed_quiet())
    }
}

/// One object for one file, else an array.
fn print_outputs(ctx: &Ctx, outputs: &[serde_json::Value], files: usize) -> anyhow::Result<()> {
    match outputs {
        [one] if files == 1 => ctx.print_json(one),
        all => ctx.print_json(&all),
    }
}

/// The reason was printed already; exit 1 without repeating it.
fn failed_quiet() -> anyhow::Error {
    failed("")
}

fn print_report(r: &Report) {
    let how = if r.profile_detected {
        "detected"
    } else {
        "given"
    };
    eprintln!(
        "{}: profile {} ({how}), {}, {}, header on line {}{}",
        r.file,
        r.profile,
        r.encoding,
        r.delimiter,
        r.header_line,
        if r.dry_run {
            " — dry run, nothing written"
        } else {
            ""
        }
    );
    let c = &r.counts;
    println!(
        "read {} rows: inserted {}, updated {}, unchanged {}, degraded {}, rejected {}",
        c.read, c.inserted, c.updated, c.unchanged, c.degraded, c.rejected
    );
    if let Some(t) = &r.threads {
        println!(
            "the rows are messages of {} conversations, each a complaint ({} rows answer another \
             message; {} of them answer one that is neither in the file nor in the store)",
            t.conversations, t.links, t.dangling
        );
    }
    if let Some(why) = &r.incomplete {
        eprintln!(
            "{}: {why}; its complete rows were imported (--accept-incomplete), the cut one rejected",
            r.file
        );
    }
    if c.read == 0 {
        eprintln!("{}: the file has a header but no rows", r.file);
    }
    if c.rejected > 0 {
        match &r.rejects_file {
            Some(p) => eprintln!("rejected rows, with their line and reason, are in {p}"),
            None => eprintln!("rejected rows (dry run, no rejects file written):"),
        }
        for line in &r.first_rejects {
            eprintln!("  {}: {line}", r.file);
        }
        if c.rejected as usize > r.first_rejects.len() {
            eprintln!(
                "  … and {} more",
                c.rejected as usize - r.first_rejects.len()
            );
        }
    }
    if c.degraded > 0 {
        eprintln!(
            "updates held back, the stored text kept: their text looks like a damaged copy of \
             it (characters turned into _, ? or \u{fffd}, or text cut short)"
        );
        for line in &r.first_degraded {
            eprintln!("  {}: {line}", r.file);
        }
        if c.degraded as usize > r.first_degraded.len() {
            eprintln!(
                "  … and {} more",
                c.degraded as usize - r.first_degraded.len()
            );
        }
    }
}
