//! The PostgreSQL store's side of an import, behind the same door as the SQLite loader: the
//! records go to [`PgLoader`], which stages them a chunk at a time and merges them at the
//! commit. What an import does on SQLite beyond writing the complaints, their threads and their
//! customer keys (opening CARs, keeping the phrase rules' matches, bringing the checks up to
//! date) is done by [`PgLoader`] in the same transaction.

use std::sync::mpsc;

use super::{Batch, ImportLoader, LoadError, LoadOptions};
use crate::domain::Complaint;
use crate::store::complaints::{Counts, Upsert};
use crate::store::pg::{PgImportMeta, PgLoader, PgRowCounts, PgStore};

/// One import's load into a PostgreSQL store; see [`PgStore::load_import`].
pub struct PgImport<'c, 'o, B: Batch> {
    /// None once committed or rolled back.
    loader: Option<PgLoader<'c>>,
    options: &'o LoadOptions<'o>,
    recycle: mpsc::Sender<B>,
}

impl PgStore {
    /// Runs one import's load, as [`crate::store::Db::load`] does on SQLite: `body` writes
    /// through the loader and commits. A login that may not import is refused before `body`
    /// runs ([`LoadError::Refused`]), and nothing is kept.
    pub fn load_import<B: Batch, T, E: From<LoadError>>(
        &mut self,
        options: &LoadOptions,
        recycle: mpsc::Sender<B>,
        body: impl FnOnce(&mut PgImport<'_, '_, B>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut loader = self
            .loader(options.accept_degraded, Some(options.write_wait))
            .map_err(LoadError::from)?;
        loader.keep_phrase_rules(&options.after_import.phrase_rules);
        loader.open_cars_by(options.after_import);
        loader.bring_checks_up_to_date(options.after_import);
        let mut import = PgImport {
            loader: Some(loader),
            options,
            recycle,
        };
        body(&mut import)
    }
}

impl<'c, B: Batch> PgImport<'c, '_, B> {
    fn loader(&mut self) -> Result<&mut PgLoader<'c>, LoadError> {
        self.loader
            .as_mut()
            .ok_or_else(|| LoadError::Other("the load has ended".into()))
    }
}

impl<B: Batch> ImportLoader<B> for PgImport<'_, '_, B> {
    fn prefetch<'k>(
        &mut self,
        keys: impl Iterator<Item = (&'k Complaint, &'k [u8; 32])>,
    ) -> Result<(), LoadError> {
        Ok(self.loader()?.prefetch(keys)?)
    }

    fn write(
        &mut self,
        c: &Complaint,
        hash: &[u8; 32],
        line: u64,
    ) -> Result<(Upsert, Option<i64>), LoadError> {
        // The store numbers the new rows when it merges them.
        Ok((self.loader()?.write(c, hash, line)?, None))
    }

    fn batch_written(&mut self, batch: B, _inserted: Vec<(u32, i64)>) -> Result<(), LoadError> {
        // The store indexes its rows for search itself: the batch goes back to the reader.
        let _ = self.recycle.send(batch);
        Ok(())
    }

    fn rows_written(&mut self, _rows: Vec<(i64, Complaint)>) -> Result<(), LoadError> {
        Ok(())
    }

    fn stored(&mut self, external_id: &str) -> Result<Option<Complaint>, LoadError> {
        let source = self.options.meta.source;
        Ok(self.loader()?.stored(source, external_id)?)
    }

    fn owner_of_message(&mut self, message_id: &str) -> Result<Option<String>, LoadError> {
        let source = self.options.meta.source;
        Ok(self.loader()?.owner_of_message(source, message_id)?)
    }

    fn finish(&mut self) -> Result<(), LoadError> {
        // The staged rows are merged at the commit, with the import's counts.
        self.loader().map(|_| ())
    }

    fn commit(
        &mut self,
        counts: &Counts,
        rejects_file: Option<&str>,
    ) -> Result<Option<i64>, LoadError> {
        let loader = self
            .loader
            .take()
            .ok_or_else(|| LoadError::Other("the load has ended".into()))?;
        let m = &self.options.meta;
        let meta = PgImportMeta {
            source: m.source,
            profile: m.profile,
            file_name: m.file_name,
            file_size: m.file_size,
            encoding: m.encoding,
            delimiter: m.delimiter,
            started_at: m.started_at,
            rows_read: counts.read,
            rejected: counts.rejected,
            rejects_file,
            dry_run: self.options.dry_run,
        };
        // The imports row counts rows, as the report does (a conversation's rows count as it).
        let rows = PgRowCounts {
            inserted: counts.inserted,
            updated: counts.updated,
            unchanged: counts.unchanged,
            degraded: counts.degraded,
        };
        let done = loader.commit(&meta, Some(rows))?;
        Ok((!self.options.dry_run).then_some(done.import_id))
    }

    fn abort(&mut self) -> Result<(), LoadError> {
        match self.loader.take() {
            Some(l) => Ok(l.abort()?),
            None => Ok(()),
        }
    }
}
