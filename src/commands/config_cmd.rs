//! `signoff config`

use crate::cli::ConfigArgs;
use crate::config::{platform_config_path, DEFAULT_TOML};

use super::Ctx;

pub fn run(ctx: &Ctx, a: ConfigArgs) -> anyhow::Result<()> {
    if a.default {
        print!("{DEFAULT_TOML}");
        return Ok(());
    }
    if a.path {
        match platform_config_path() {
            Some(p) => println!("{}", p.display()),
            None => println!("(this platform has no config directory; use --config)"),
        }
        return Ok(());
    }
    let c = &ctx.cfg;
    match &ctx.config_file {
        Some(p) => println!("configuration file: {}", p.display()),
        None => println!("configuration file: none (built-in defaults)"),
    }
    println!("store: {}", c.store_path()?.display());
    println!(
        "you: {}",
        match ctx.login.as_deref().and_then(|l| c.person(l)) {
            Some(p) => format!(
                "{} — {}, {} ({})",
                p.login,
                p.name,
                p.title,
                p.role.as_str()
            ),
            None => format!(
                "{} (not among the people)",
                ctx.login.as_deref().unwrap_or("?")
            ),
        }
    );
    println!(
        "divisions: {}",
        c.divisions
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("people:");
    for p in &c.people {
        println!(
            "  {:<12} {:<24} {:<24} {:<14} {}",
            p.login,
            p.name,
            p.title,
            p.role.as_str(),
            p.divisions.join(", ")
        );
    }
    Ok(())
}
