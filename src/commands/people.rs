//! `signoff people sync`: on a PostgreSQL store, a database login per person with exactly the
//! rights of their role, enforced by the server for signoff and psql alike.

use crate::cli::{PeopleArgs, PeopleCommand};
use crate::commands::Ctx;
use crate::error::{failed, usage};
use crate::store::pg::{self, PersonGrant, PgStore};

pub fn run(ctx: &Ctx, args: &PeopleArgs) -> anyhow::Result<()> {
    match &args.command {
        PeopleCommand::Sync { dry_run } => sync(ctx, *dry_run),
    }
}

fn sync(ctx: &Ctx, dry_run: bool) -> anyhow::Result<()> {
    let Some(url) = ctx.store_url() else {
        return Err(usage(
            "`people sync` sets up the people of a PostgreSQL store (give it with --db, \
             SIGNOFF_DB or store.path as postgresql://…); on a SQLite store the people are \
             the configuration's [[people]] and who you are is your system login",
        ));
    };
    if ctx.cfg.people.is_empty() {
        return Err(usage(format!(
            "the configuration{} lists no [[people]]: there is no one to give rights to",
            ctx.config_file
                .as_ref()
                .map(|p| format!(" ({})", p.display()))
                .unwrap_or_default()
        )));
    }
    let people: Vec<PersonGrant> = ctx
        .cfg
        .people
        .iter()
        .map(|p| PersonGrant {
            login: p.login.clone(),
            name: p.name.clone(),
            title: p.title.clone(),
            role: p.role.as_str().to_string(),
            divisions: if p.role == crate::config::Role::DivisionHead {
                p.divisions.clone()
            } else {
                Vec::new()
            },
        })
        .collect();
    let mut store = PgStore::connect(&url)?;
    let me = store.login()?;
    if dry_run {
        let pending = store.pending_steps()?;
        println!(
            "Would sync {} people on {} as {me}{}:",
            people.len(),
            pg::shown_url(&url),
            if pending.is_empty() {
                String::new()
            } else {
                format!(" after migration steps {pending:?}")
            }
        );
        for p in &people {
            println!(
                "  {:<16} {:<14}{}",
                p.login,
                p.role,
                divisions(&p.divisions)
            );
        }
        return Ok(());
    }
    let steps = store.migrate().map_err(|e| {
        failed(format!(
            "{e} (`people sync` runs as the login that owns the store's database)"
        ))
    })?;
    let report = store.sync_people(&people).map_err(|e| {
        failed(format!(
            "{e} (`people sync` needs a login that owns the store's tables and may create roles)"
        ))
    })?;
    if !steps.is_empty() {
        println!(
            "Migrated {} to step {}.",
            pg::shown_url(&url),
            steps[steps.len() - 1]
        );
    }
    println!("People on {} (synced by {me}):", store.database());
    for p in &people {
        let what = if report.created.contains(&p.login) {
            "new login"
        } else if report.added.contains(&p.login) {
            "added (existing login)"
        } else if report.changed.contains(&p.login) {
            "changed"
        } else {
            "unchanged"
        };
        println!(
            "  {:<16} {:<14}{:<24} {what}",
            p.login,
            p.role,
            divisions(&p.divisions)
        );
    }
    for login in &report.removed {
        println!("  {login:<16} removed: no longer among the people; every right taken away");
    }
    for (login, why) in &report.unbound {
        println!(
            "  warning: {login} is {why}: the server cannot hold them to their role; \
             give them an everyday login of their own"
        );
    }
    println!("Rights are held by the roles {}.", {
        report
            .groups
            .iter()
            .map(|(_, g)| g.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    });
    if !report.created.is_empty() {
        println!(
            "New logins connect once your server's authentication admits them \
             (pg_hba.conf: peer, cert or scram-sha-256 with a password you set)."
        );
    }
    Ok(())
}

fn divisions(d: &[String]) -> String {
    if d.is_empty() {
        String::new()
    } else {
        format!(" {}", d.join(", "))
    }
}
