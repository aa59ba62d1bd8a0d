//! `signoff profile list | show NAME | draft FILE`

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde_json::json;

use crate::cli::{ProfileArgs, ProfileCommand, ProfileDraftArgs, ProfileShowArgs};
use crate::config::Role;
use crate::domain::text::{inert, one_line};
use crate::error::{failed, usage};
use crate::import::catalogue::{catalogue, Entry, Origin};
use crate::import::draft::draft as draft_profile;
use crate::import::peek::peek;
use crate::import::profile::{DateOrder, BUILT_IN};

use super::import::{parse_delimiter, parse_encoding};
use super::Ctx;

/// How far down the file the draft looks for the header: further than a profile's default,
/// since the draft then says where it is.
const SEARCH_LINES: usize = 100;

pub fn run(ctx: &Ctx, a: ProfileArgs) -> anyhow::Result<()> {
    match a.command {
        ProfileCommand::List => list(ctx),
        ProfileCommand::Show(s) => show(ctx, s),
        ProfileCommand::Draft(d) => draft(ctx, d),
    }
}

fn list(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.person()?;
    let all = catalogue(ctx.cfg.profiles_dir()).map_err(|e| usage(e.to_string()))?;
    if ctx.json {
        let rows: Vec<_> = all.iter().map(entry_json).collect();
        return ctx.print_json(&rows);
    }
    let width = all
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(0);
    let origin_width = all
        .iter()
        .map(|e| e.origin.label().chars().count())
        .max()
        .unwrap_or(0);
    for e in &all {
        let mut about = match &e.problem {
            Some(p) => format!("NOT USABLE: {}", one_line(p, 200)),
            None => one_line(&e.description, 100),
        };
        if let Some(r) = &e.replaces {
            about.push_str(&format!(" (replaces {r})"));
        }
        crate::out!(
            "{:<width$}  {:<origin_width$}  {about}",
            one_line(&e.name, 60),
            one_line(&e.origin.label(), 200)
        )?;
    }
    Ok(())
}

fn entry_json(e: &Entry) -> serde_json::Value {
    json!({
        "name": e.name,
        "origin": match e.origin {
            Origin::BuiltIn => "built-in",
            Origin::File(_) => "file",
        },
        "path": match &e.origin {
            Origin::BuiltIn => None,
            Origin::File(p) => Some(p.display().to_string()),
        },
        "description": e.description,
        "replaces": e.replaces,
        "problem": e.problem,
    })
}

fn show(ctx: &Ctx, a: ProfileShowArgs) -> anyhow::Result<()> {
    ctx.person()?;
    let all = catalogue(ctx.cfg.profiles_dir()).map_err(|e| usage(e.to_string()))?;
    let Some(e) = all.iter().find(|e| e.name == a.name) else {
        return Err(usage(format!(
            "no profile named {:?} (there are: {}); `signoff profile list` says where each comes from",
            a.name,
            all.iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    if ctx.json {
        let mut v = entry_json(e);
        v["text"] = json!(e.text);
        return ctx.print_json(&v);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(inert(&e.text).as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to standard output")?;
    Ok(())
}

fn draft(ctx: &Ctx, a: ProfileDraftArgs) -> anyhow::Result<()> {
    ctx.require(&[Role::Admin, Role::Executive], "draft a profile")?;
    let encoding = a.encoding.as_deref().map(parse_encoding).transpose()?;
    let delimiter = a.delimiter.as_deref().map(parse_delimiter).transpose()?;
    let shown = a.file.display().to_string();
    let p = peek(&a.file, encoding, delimiter, SEARCH_LINES, a.rows)
        .map_err(|e| failed(format!("{shown}: {e}")))?;
    let file_name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let name = a.name.clone().unwrap_or_else(|| name_from(&a.file));
    let d = draft_profile(&name, &p.header, p.header_line, &p.rows);
    let delimiter = delimiter_name(p.delimiter);
    let mut intro = vec![format!(
        "Drafted by `signoff profile draft` from {file_name}: {}, {delimiter}-delimited, header on line {}, {} rows read.",
        p.encoding.label(),
        p.header_line,
        p.rows.len()
    )];
    if p.ragged > 0 {
        intro.push(format!(
            "{} rows read have more or fewer fields than the header: the import will reject them.",
            p.ragged
        ));
    }
    let text = d.toml(&intro, &format!("Drafted from {file_name}"));
    if ctx.json {
        return ctx.print_json(&json!({
            "file": shown,
            "encoding": p.encoding.label(),
            "delimiter": delimiter,
            "header_line": p.header_line,
            "rows_read": p.rows.len(),
            "rows_ragged": p.ragged,
            "name": d.name,
            "profile": text,
            "guesses": d.guesses,
            "unmapped": d.unmapped,
            "dates": {
                "formats": d.date_formats,
                "order": match d.date_order { DateOrder::Auto => "auto", DateOrder::Dmy => "dmy", DateOrder::Mdy => "mdy" },
                "why": d.date_order_why,
            },
            "warnings": d.warnings,
        }));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to standard output")?;
    for w in &d.warnings {
        eprintln!("signoff: check: {w}");
    }
    eprintln!(
        "{shown}: drafted profile {name:?}: {} fields mapped, {} columns left unmapped (listed in the profile)",
        d.guesses.len(),
        d.unmapped.len()
    );
    Ok(())
}

/// A profile name from the file's: lowercase letters, digits and dashes, and never a
/// built-in's.
fn name_from(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-').to_string();
    if name.is_empty() {
        "drafted".into()
    } else if BUILT_IN.iter().any(|(b, _)| *b == name) {
        // Saved in the profiles folder, it would replace the built-in of that name.
        format!("{name}-draft")
    } else {
        name
    }
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        b',' => "comma".into(),
        b';' => "semicolon".into(),
        b'|' => "pipe".into(),
        other => format!("{:?}", other as char),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_file_names() {
        assert_eq!(
            name_from(Path::new("/x/FCC Complaints (Nov).csv")),
            "fcc-complaints-nov"
        );
        assert_eq!(name_from(Path::new("___.csv")), "drafted");
        assert_eq!(name_from(Path::new("helpdesk.csv")), "helpdesk-draft");
    }
}
