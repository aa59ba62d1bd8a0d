//! `signoff reach-out REF --message FILE`: the executive writes to a customer herself. The
//! letter waits in the outbox for `signoff send`, and is a message of the complaint's
//! conversation from then on (`domain::outreach`).

use crate::cli::ReachOutArgs;
use crate::config::Role;
use crate::error::{failed, refused};

use super::{refs, Ctx};

pub fn run(ctx: &Ctx, a: ReachOutArgs) -> anyhow::Result<()> {
    let p = ctx
        .require(&[Role::Executive], "write to customers")?
        .clone();
    let limit = crate::files::SMALL_FILE_LIMIT;
    let text = if a.message.as_os_str() == "-" {
        crate::files::read_small_from(std::io::stdin().lock(), limit)
            .map_err(|e| failed(format!("--message - (standard input): {e}")))?
    } else {
        crate::files::read_small(&a.message, limit)
            .map_err(|e| failed(format!("--message {}: {e}", a.message.display())))?
    };
    let mut store = ctx.open_store()?;
    let id = refs::resolve(ctx, store.as_mut(), &a.reference)?;
    let queued = crate::mail::outreach::queue(
        store.as_mut(),
        &ctx.cfg.mail.from,
        &p,
        id,
        &text,
        ctx.now.timestamp(),
    )
    .map_err(refused)?;
    if ctx.json {
        return ctx.print_json(&queued);
    }
    println!(
        "{}: your letter to {} waits in the outbox as {} — `signoff send` delivers it, and it \
         is part of the conversation now",
        crate::domain::text::inert(&queued.external_id),
        crate::domain::text::inert(&queued.to),
        queued.message_id
    );
    Ok(())
}
