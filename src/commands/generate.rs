//! `signoff generate`: large, realistic helpdesk exports for benchmarks.

use chrono::NaiveDate;

use crate::cli::GenerateArgs;
use crate::error::usage;
use crate::synthetic_export::write_helpdesk;

use super::failed;

pub fn run(a: GenerateArgs) -> anyhow::Result<()> {
    let until = match &a.until {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|e| usage(format!("--until {s:?}: {e}")))?,
        None => chrono::Utc::now().date_naive(),
    };
    match &a.out {
        Some(p) => {
            let err = |e: std::io::Error| failed(format!("{}: {e}", p.display()));
            let out = crate::files::Output::create(p).map_err(err)?;
            let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, out));
            write_helpdesk(&mut w, a.rows, a.seed, until)?;
            let out = w
                .into_inner()
                .map_err(|e| err(std::io::Error::other(e.to_string())))?;
            out.into_inner()
                .map_err(|e| err(e.into_error()))?
                .commit()
                .map_err(err)
        }
        None => {
            let out = std::io::stdout().lock();
            let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, out));
            write_helpdesk(&mut w, a.rows, a.seed, until)?;
            w.flush()?;
            Ok(())
        }
    }
}
