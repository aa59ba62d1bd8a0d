//! What becomes of each record an import reads: written through the store's loader, rejected
//! with its reason, or kept for the thread builder; counted either way.

use csv::ByteRecord;

use super::mapping::Mapped;
use super::parse::{cut_short, Item};
use super::rejects::Rejects;
use super::run::ImportError;
use super::shape::lossy;
use super::threads as th;
use crate::store::complaints::{Counts, Upsert};
use crate::store::loader::{ImportLoader, LoadError};

/// Why a pass stopped: a problem of the import's, or the store's.
pub(super) enum Stop {
    Import(ImportError),
    Store(LoadError),
}

impl From<ImportError> for Stop {
    fn from(e: ImportError) -> Self {
        Stop::Import(e)
    }
}

impl From<LoadError> for Stop {
    fn from(e: LoadError) -> Self {
        Stop::Store(e)
    }
}

pub(super) struct Intake {
    /// The file, as errors name it.
    file: String,
    pub(super) counts: Counts,
    pub(super) rejects: Rejects,
    /// Why the file is incomplete, when its cut-short last record was rejected.
    pub(super) incomplete: Option<String>,
    /// Rows of a threaded export, built into conversations once the file is read.
    pub(super) thread_rows: Vec<(th::Row, ByteRecord)>,
    accept_incomplete: bool,
    /// The progress bar, and the file's size in bytes.
    progress: Option<(indicatif::ProgressBar, u64)>,
}

impl Intake {
    pub(super) fn new(
        file: String,
        rejects: Rejects,
        accept_incomplete: bool,
        progress: Option<(indicatif::ProgressBar, u64)>,
    ) -> Intake {
        Intake {
            file,
            counts: Counts::default(),
            rejects,
            incomplete: None,
            thread_rows: Vec::new(),
            accept_incomplete,
            progress,
        }
    }

    fn fail(&self, message: String) -> Stop {
        Stop::Import(ImportError {
            file: self.file.clone(),
            message,
            usage: false,
            refused: false,
        })
    }

    fn reject(&mut self, line: u64, reason: &str, rec: &ByteRecord) -> Result<(), Stop> {
        self.counts.rejected += 1;
        self.rejects.add(line, reason, lossy(rec)).map_err(|e| {
            let path = self.rejects.path.display().to_string();
            self.fail(format!("rejects file {path}: {e}"))
        })
    }

    /// Takes one batch of records; returns (slot, id) of the complaints it inserted.
    pub(super) fn batch<L: ImportLoader<Vec<Item>>>(
        &mut self,
        loader: &mut L,
        batch: &mut [Item],
    ) -> Result<Vec<(u32, i64)>, Stop> {
        let mut inserted: Vec<(u32, i64)> = Vec::new();
        loader.prefetch(batch.iter().filter_map(|item| match item {
            Item::Record {
                result: Ok((Mapped::Complaint(c), h)),
                ..
            } => Some((c, h)),
            _ => None,
        }))?;
        for (i, item) in batch.iter_mut().enumerate() {
            let (line, byte, rec, result) = match item {
                Item::Fatal(m) => return Err(self.fail(std::mem::take(m))),
                Item::Cut { line, opened, rec } => {
                    let why = cut_short(*opened);
                    if !self.accept_incomplete {
                        return Err(self.fail(format!(
                            "{why} (or its quote was never closed): nothing of it was \
                             imported. Import a complete copy, or pass --accept-incomplete to \
                             import the rows before line {line}"
                        )));
                    }
                    self.counts.read += 1;
                    self.reject(*line, &why, rec)?;
                    self.incomplete = Some(why);
                    continue;
                }
                Item::Record {
                    line,
                    byte,
                    rec,
                    result,
                } => (*line, *byte, rec, result),
            };
            self.counts.read += 1;
            if let Some((pb, size)) = &self.progress {
                if self.counts.read.is_multiple_of(4096) {
                    pb.set_position(byte.min(*size));
                }
            }
            let rejected = match result {
                Err(reason) => Some(std::mem::take(reason)),
                Ok((Mapped::Message(m), _)) => {
                    let msg = (**m).clone();
                    self.thread_rows
                        .push((th::Row { line, msg }, std::mem::take(rec)));
                    None
                }
                Ok((Mapped::Complaint(c), h)) => match loader.write(c, h, line)? {
                    (Upsert::Inserted, id) => {
                        self.counts.inserted += 1;
                        if let Some(id) = id {
                            inserted.push((i as u32, id));
                        }
                        None
                    }
                    (Upsert::Updated, _) => {
                        self.counts.updated += 1;
                        None
                    }
                    (Upsert::Unchanged, _) => {
                        self.counts.unchanged += 1;
                        None
                    }
                    (Upsert::Degraded { field, damage }, _) => {
                        self.counts.degraded += 1;
                        self.rejects.held_back(line, c, field, damage);
                        None
                    }
                    (Upsert::Duplicate { first_line }, _) => Some(format!(
                        "{:?} appears again: it was first on line {first_line} of this file",
                        c.external_id
                    )),
                },
            };
            if let Some(reason) = rejected {
                self.reject(line, &reason, rec)?;
            }
        }
        Ok(inserted)
    }
}
