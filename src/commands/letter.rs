//! `signoff letter REF`: a signed complaint's letter to its customer, as an e-mail, an HTML page
//! or Markdown. Unsigned and pushed-back complaints have none, and are refused with the reason.

use std::io::Write;
use std::path::Path;

use crate::cli::{LetterArgs, LetterFormat};
use crate::error::{failed, refused, usage};
use crate::mail::compose;
use crate::render::letter as render;

use super::{refs, Ctx};

/// The format: the flag, else the output file's extension, else Markdown.
fn format_of(a: &LetterArgs) -> anyhow::Result<LetterFormat> {
    if let Some(f) = a.format {
        return Ok(f);
    }
    let ext = a
        .out
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match ext.as_deref() {
        None | Some("md") | Some("markdown") | Some("txt") => LetterFormat::Md,
        Some("eml") => LetterFormat::Eml,
        Some("html") | Some("htm") => LetterFormat::Html,
        Some(other) => {
            return Err(usage(format!(
                "--out: cannot tell the format from .{other}: say --format eml, html or md"
            )))
        }
    })
}

pub fn run(ctx: &Ctx, a: LetterArgs) -> anyhow::Result<()> {
    ctx.person()?;
    let format = format_of(&a)?;
    let mut db = ctx.open_store()?;
    let id = refs::resolve(ctx, db.as_mut(), &a.reference)?;
    let now = ctx.now.timestamp();
    let l = db.letter(id, now)?.map_err(refused)?;
    let bytes = match format {
        LetterFormat::Md => render::markdown(&l).into_bytes(),
        LetterFormat::Html => render::html(&l).into_bytes(),
        LetterFormat::Eml => {
            if ctx.cfg.mail.from.trim().is_empty() {
                return Err(usage(
                    "an e-mail needs a sender: set [mail] from (\"Dana Reyes <ceo@example.com>\")",
                ));
            }
            compose::signed_letter(&l, &ctx.cfg.mail.from, now)
                .map_err(refused)?
                .bytes
        }
    };
    match &a.out {
        Some(path) => {
            super::not_the_store(ctx, path, "--out", &[])?;
            let err = |e: std::io::Error| failed(format!("{}: {e}", path.display()));
            let mut out = crate::files::Output::create(path).map_err(err)?;
            out.write_all(&bytes).map_err(err)?;
            out.commit().map_err(err)?;
            if ctx.json {
                ctx.print_json(&serde_json::json!({
                    "written": path, "code": l.code, "decision": l.decision_id,
                    "to": l.to, "statement": l.statement,
                }))?;
            } else {
                eprintln!(
                    "letter for {} written to {} (verification code {})",
                    l.external_id,
                    path.display(),
                    l.code
                );
            }
        }
        None if ctx.json => ctx.print_json(&l)?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(())
}
