//! Numbers for the raw day logs (and imports) records come from: a record's id is its file's
//! number times 2^32 plus its line, so the table's own key keeps replays out (no second unique
//! index to keep up). Numbers are given out once per database and never change, so each engine
//! keeps them in memory once looked up.

use std::collections::HashMap;
use std::sync::Arc;

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

    /// The (site, origin) pairs of `keys` not looked up yet, each once.
    pub fn missing<'a>(
        &self,
        keys: impl Iterator<Item = (&'a Arc<str>, &'a Arc<str>)>,
    ) -> Vec<(Arc<str>, Arc<str>)> {
        let mut out: Vec<(Arc<str>, Arc<str>)> = Vec::new();
        for (site, origin) in keys {
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
