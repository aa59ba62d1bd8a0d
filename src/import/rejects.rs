//! The rows an import rejects: the first few for its report, all of them in a rejects file
//! beside the export (written only when there are any, and only when the import commits).

use std::path::PathBuf;

use crate::domain::Complaint;

pub(super) struct Rejects {
    pub(super) path: PathBuf,
    header: Vec<String>,
    writer: Option<csv::Writer<crate::files::Output>>,
    pub(super) first: Vec<String>,
    /// The first few updates held back as damaged copies, as "line N: why": listed as rejects
    /// are, but not written to the rejects file (they need no fixing, only a clean copy).
    pub(super) first_degraded: Vec<String>,
    enabled: bool,
}

impl Rejects {
    pub(super) fn new(path: PathBuf, header: Vec<String>, enabled: bool) -> Rejects {
        Rejects {
            path,
            header,
            writer: None,
            first: Vec::new(),
            first_degraded: Vec::new(),
            enabled,
        }
    }

    pub(super) fn add(
        &mut self,
        line: u64,
        reason: &str,
        fields: Vec<String>,
    ) -> std::io::Result<()> {
        if self.first.len() < 10 {
            self.first.push(format!("line {line}: {reason}"));
        }
        if !self.enabled {
            return Ok(());
        }
        if self.writer.is_none() {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(crate::files::Output::create(&self.path)?);
            let mut h = vec!["line".to_string(), "reason".to_string()];
            h.extend(self.header.iter().cloned());
            w.write_record(&h)?;
            self.writer = Some(w);
        }
        let mut row = vec![line.to_string(), reason.to_string()];
        row.extend(fields);
        if let Some(w) = self.writer.as_mut() {
            w.write_record(&row)?;
        }
        Ok(())
    }

    pub(super) fn finish(&mut self) -> std::io::Result<Option<String>> {
        match self.writer.take() {
            Some(w) => {
                w.into_inner()
                    .map_err(|e| std::io::Error::other(e.to_string()))?
                    .commit()?;
                Ok(Some(self.path.display().to_string()))
            }
            None => Ok(None),
        }
    }

    /// Notes an update held back as a damaged copy, among the first few shown.
    pub(super) fn held_back(
        &mut self,
        line: u64,
        c: &Complaint,
        field: &str,
        damage: crate::domain::degrade::Damage,
    ) {
        if self.first_degraded.len() < 10 {
            self.first_degraded.push(format!(
                "line {line}: {:?}: {field}: {damage}; the stored text is kept \
                 (--accept-degraded applies it)",
                c.external_id
            ));
        }
    }
}
