//! Saved files of any kind into the history, keyed by their content.

use std::path::Path;
use std::sync::Arc;

use super::{BATCH_LINES, Ingest};
use crate::history::{HistoryError, HistoryStore, Result};
use crate::import::each_incoming;
use crate::protocol::{DecodeOptions, StreamDecoder};

/// FNV-1a, 64 bits: a stable name for a file's content, so the same saved log imported twice
/// (from anywhere) is the same rows.
pub fn content_hash(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    pub lines: u64,
    /// Lines the database did not have.
    pub new: u64,
    pub unparsed: u64,
}

/// Imports a saved file of any kind (text log, raw day log, capture) under `site`, through
/// the same road as `decode`. Keyed by the file's content, so importing it again (from any
/// path) adds nothing.
pub fn import_file(
    store: &mut dyn HistoryStore,
    ingest: &mut Ingest,
    path: &Path,
    site: &Arc<str>,
    options: &DecodeOptions,
) -> Result<Imported> {
    let data = std::fs::read(path).map_err(|source| HistoryError::Read {
        path: path.into(),
        source,
    })?;
    let origin: Arc<str> = format!("import:{:016x}", content_hash(&data)).into();
    let source: Arc<str> = path.display().to_string().into();
    let mut decoder = StreamDecoder::new(options.clone());
    let mut result = Ok(0);
    let mut done = Imported::default();
    each_incoming(&data, &source, site, &mut decoder, |incoming, _| {
        let Ok(new) = result else {
            return;
        };
        done.lines += 1;
        done.unparsed += u64::from(incoming.decoded.kind() == crate::protocol::Kind::Unparsed);
        ingest.push(incoming, &origin, &source);
        if ingest.pending() >= BATCH_LINES {
            result = store.write(&ingest.take()).map(|n| n + new);
        }
    });
    done.new = result?;
    done.new += store.write(&ingest.take())?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_stable() {
        assert_eq!(content_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(content_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
