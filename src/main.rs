use clap::Parser;

fn main() {
    let cli = signoff::cli::Cli::parse();
    if let Err(err) = signoff::commands::run(cli) {
        let msg = format!("{err:#}");
        if !msg.is_empty() {
            eprintln!("signoff: {msg}");
        }
        std::process::exit(signoff::commands::exit_code(&err));
    }
}
