//! Shell completions and the manual page, generated from the clap definitions.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

pub fn completions(a: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "signoff", &mut std::io::stdout());
    Ok(())
}

pub fn man() -> anyhow::Result<()> {
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
    Ok(())
}
