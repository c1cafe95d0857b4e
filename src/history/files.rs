//! Numbers for the raw day logs (and imports) records come from: a record's id is its file's
//! number times 2^32 plus its line, so the table's own key keeps replays out (no second unique
//! index to keep up). Numbers are given out once per database and never change, so each engine
//! keeps them in memory once looked up.

use std::collections::HashMap;
use std::sync::Arc;

use super::rows::RecordRow;

/// A file's number, given to a new (site, origin) as one more than the highest. Two writers
/// giving out the same number at once: one wins, the other finds nothing and tries again.
pub const ENSURE_FILE: &str = "INSERT INTO files (id, site, origin) \
     SELECT COALESCE(MAX(id), 0) + 1, ?, ? FROM files WHERE true ON CONFLICT DO NOTHING";

pub const FILE_ID: &str = "SELECT id FROM files WHERE site = ? AND origin = ?";

/// Attempts at [`ENSURE_FILE`] before giving up (each loses only to another writer's new file).
pub const ATTEMPTS: usize = 20;

/// A record's id: its file's number and its line (lines of a file stay below 2^32: a raw day
/// log of four billion lines would be some 400 GB).
pub fn record_id(file: i64, line: i64) -> i64 {
    (file << 32) | (line & 0xffff_ffff)
}

/// What [`FileIds::number`] asks of an engine for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStep {
    /// [`FILE_ID`]: the number, if the file has one.
    LookUp,
    /// [`FILE_ID`] after [`ATTEMPTS`] lost races: an error when there is still none.
    LastLookUp,
    /// [`ENSURE_FILE`]: give the file a number (nothing to return).
    Give,
}

/// The numbers looked up so far.
#[derive(Debug, Default)]
pub struct FileIds(HashMap<(Arc<str>, Arc<str>), i64>);

impl FileIds {
    pub fn get(&self, site: &Arc<str>, origin: &Arc<str>) -> Option<i64> {
        self.0.get(&(site.clone(), origin.clone())).copied()
    }

    pub fn insert(&mut self, site: &Arc<str>, origin: &Arc<str>, id: i64) {
        self.0.insert((site.clone(), origin.clone()), id);
    }

    /// The id of each of `records` (their files looked up already: see [`Self::missing`]).
    pub fn record_ids(&self, records: &[RecordRow]) -> Vec<i64> {
        // Records of a batch come a file at a time: one look-up per run of them.
        let mut last: Option<(&Arc<str>, &Arc<str>, i64)> = None;
        records
            .iter()
            .map(|r| {
                let file = match last {
                    Some((s, o, id)) if Arc::ptr_eq(s, &r.site) && Arc::ptr_eq(o, &r.origin) => id,
                    _ => {
                        let id = self.get(&r.site, &r.origin).unwrap_or(0);
                        last = Some((&r.site, &r.origin, id));
                        id
                    }
                };
                record_id(file, r.line)
            })
            .collect()
    }

    /// The id of each of `records`, numbering the files not known yet first. For a new file
    /// `step` looks its number up, else gives one ([`ENSURE_FILE`]: another writer may give
    /// it at the same moment, so it is looked up again), [`ATTEMPTS`] times; the last look-up
    /// ([`FileStep::LastLookUp`]) fails in the engine's words when there is still none.
    pub fn number<E>(
        &mut self,
        records: &[RecordRow],
        mut step: impl FnMut(FileStep, &str, &str) -> Result<Option<i64>, E>,
    ) -> Result<Vec<i64>, E> {
        let keys = records.iter().map(|r| (&r.site, &r.origin));
        for (site, origin) in self.missing(keys) {
            for attempt in 0..=ATTEMPTS {
                let last = attempt == ATTEMPTS;
                let how = if last {
                    FileStep::LastLookUp
                } else {
                    FileStep::LookUp
                };
                if let Some(id) = step(how, &site, &origin)? {
                    self.insert(&site, &origin, id);
                    break;
                }
                if !last {
                    step(FileStep::Give, &site, &origin)?;
                }
            }
        }
        Ok(self.record_ids(records))
    }

    /// The (site, origin) pairs of `keys` not looked up yet, each once.
    pub fn missing<'a>(
        &self,
        keys: impl Iterator<Item = (&'a Arc<str>, &'a Arc<str>)>,
    ) -> Vec<(Arc<str>, Arc<str>)> {
        let mut out: Vec<(Arc<str>, Arc<str>)> = Vec::new();
        let mut last: Option<(&Arc<str>, &Arc<str>)> = None;
        for (site, origin) in keys {
            // Records come a file at a time: a run of one file is looked up once (a look-up
            // per record, hashing both names, showed in the writer's profile).
            if last.is_some_and(|(s, o)| Arc::ptr_eq(s, site) && Arc::ptr_eq(o, origin)) {
                continue;
            }
            last = Some((site, origin));
            if !self.0.contains_key(&(site.clone(), origin.clone()))
                && !out.iter().any(|(s, o)| s == site && o == origin)
            {
                out.push((site.clone(), origin.clone()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_order_by_file_then_line() {
        assert_eq!(record_id(1, 1), 4_294_967_297);
        assert!(record_id(1, 4_000_000_000) < record_id(2, 1));
        assert!(record_id(7, 3) < record_id(7, 4));
    }
}
