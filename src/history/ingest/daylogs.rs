//! The raw day logs into the history: each site's logs from their checkpoints on (or from
//! their first line, for a rebuild), one transaction per [`BATCH_LINES`] lines, the checkpoints
//! moving in the same transactions.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use super::pipeline::{Sink, pipelined};
use super::{BATCH_LINES, Ingest};
use crate::history::rows::Checkpoint;
use crate::history::{HistoryError, HistoryStore, Result};
use crate::import::each_incoming;
use crate::protocol::{DecodeOptions, Incoming, StreamDecoder};
use crate::rawlog::file_name_for;

/// A site whose raw day logs to read, and how its lines are decoded.
#[derive(Debug, Clone)]
pub struct SiteLogs {
    pub name: Arc<str>,
    pub options: DecodeOptions,
}

/// Checkpoints by (site, file name), as the database has them plus what was written since.
#[derive(Debug, Default, Clone)]
pub struct Checkpoints(HashMap<(String, String), Checkpoint>);

impl Checkpoints {
    pub fn load(store: &mut dyn HistoryStore) -> Result<Self> {
        Ok(Self(
            store
                .checkpoints()?
                .into_iter()
                .map(|c| ((c.site.to_string(), c.file.clone()), c))
                .collect(),
        ))
    }

    /// The last line of `file` written (0: none).
    pub fn line(&self, site: &str, file: &str) -> i64 {
        self.get(site, file).map_or(0, |c| c.line)
    }

    pub fn get(&self, site: &str, file: &str) -> Option<&Checkpoint> {
        self.0.get(&(site.to_string(), file.to_string()))
    }

    /// Records that `line` was written.
    pub fn advance(&mut self, site: &Arc<str>, file: &str, line: i64) -> Checkpoint {
        let c = self
            .0
            .entry((site.to_string(), file.to_string()))
            .or_insert_with(|| Checkpoint {
                site: site.clone(),
                file: file.to_string(),
                line: 0,
                read_to: 0,
                read_to_line: 0,
            });
        c.line = c.line.max(line);
        c.clone()
    }

    fn set(&mut self, c: Checkpoint) {
        self.0.insert((c.site.to_string(), c.file.clone()), c);
    }
}

/// `<stem>.<YYYYMMDD>.<N>.log`: the day and `N` of a raw day log's file name.
pub fn raw_log_name(name: &str) -> Option<(&str, NaiveDate, u32)> {
    let rest = name.strip_suffix(".log")?;
    let (rest, n) = rest.rsplit_once('.')?;
    let (stem, day) = rest.rsplit_once('.')?;
    if day.len() != 8 || stem.is_empty() {
        return None;
    }
    let n = n.parse().ok()?;
    let day = NaiveDate::parse_from_str(day, "%Y%m%d").ok()?;
    Some((stem, day, n))
}

/// A site's raw day logs, oldest first.
fn raw_logs(dir: &Path) -> Result<Vec<PathBuf>> {
    let read_err = |source| HistoryError::Read {
        path: dir.into(),
        source,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some((_, day, n)) = raw_log_name(name) {
            found.push((day, n, entry.path()));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, _, p)| p).collect())
}

/// Every site folder under `log_dir` with raw day logs: the configured sites by their names
/// and decode options, any other folder under its own name with the default options.
pub fn sites_in(log_dir: &Path, configured: &[SiteLogs]) -> Result<Vec<(SiteLogs, PathBuf)>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(log_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(source) => {
            return Err(HistoryError::Read {
                path: log_dir.into(),
                source,
            });
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        let site = configured
            .iter()
            .find(|s| file_name_for(&s.name).eq_ignore_ascii_case(&folder))
            .cloned()
            .unwrap_or_else(|| SiteLogs {
                name: folder.as_str().into(),
                options: DecodeOptions::default(),
            });
        out.push((site, path));
    }
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(out)
}

/// What a catch-up or rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CatchUp {
    /// Raw day logs read (in part or whole).
    pub files: u64,
    /// Lines read into the database (including ones it had already).
    pub lines: u64,
    /// Of those, lines it did not have.
    pub new: u64,
}

/// Where a catch-up is, for progress lines.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub site: &'a str,
    pub file: &'a str,
    pub lines: u64,
    /// Lines to read in all (known before reading).
    pub total: u64,
}

/// The unread tail of a raw day log: from the checkpoint's offset to the last whole line
/// (its bytes in a buffer the caller keeps: one per catch-up, not one per file).
struct Tail {
    path: PathBuf,
    file: String,
    /// The offset `data` starts at, and the number of the line before it.
    start: u64,
    start_line: i64,
    /// Lines before this number are in the database already.
    skip_to: i64,
}

fn read_tail(
    path: &Path,
    site: &str,
    cps: &Checkpoints,
    from_start: bool,
    data: &mut Vec<u8>,
) -> Result<Option<Tail>> {
    let read_err = |source| HistoryError::Read {
        path: path.into(),
        source,
    };
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cp = cps.get(site, &file).filter(|_| !from_start);
    let (start, start_line, skip_to) = cp.map_or((0, 0, 0), |c| {
        (c.read_to.max(0) as u64, c.read_to_line, c.line)
    });
    let mut f = File::open(path).map_err(read_err)?;
    let len = f.metadata().map_err(read_err)?.len();
    if len <= start {
        return Ok(None);
    }
    f.seek(SeekFrom::Start(start)).map_err(read_err)?;
    data.clear();
    data.reserve((len - start) as usize);
    f.read_to_end(data).map_err(read_err)?;
    // Only whole lines: the collector may be writing the last one right now.
    match memchr::memrchr(b'\n', data) {
        Some(end) => data.truncate(end + 1),
        None => return Ok(None),
    }
    Ok(Some(Tail {
        path: path.into(),
        file,
        start,
        start_line,
        skip_to,
    }))
}

/// Reads every site's raw day logs under `log_dir` into `store` from the checkpoints on
/// (`from_start`: from the first line, as `history rebuild` does — the natural keys keep it
/// free of duplicates), one transaction per [`BATCH_LINES`] lines, moving the checkpoints in
/// the same transactions.
pub fn catch_up(
    store: &mut dyn HistoryStore,
    ingest: &mut Ingest,
    cps: &mut Checkpoints,
    log_dir: &Path,
    sites: &[SiteLogs],
    from_start: bool,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<CatchUp> {
    let mut todo = Vec::new();
    let mut total = 0u64;
    // Files are read into this one buffer in turn: a fresh one each (megabytes) cost page
    // faults and the allocator's consolidation, which showed in the ingest's profile.
    let mut data = Vec::new();
    for (site, dir) in sites_in(log_dir, sites)? {
        for path in raw_logs(&dir)? {
            if let Some(tail) = read_tail(&path, &site.name, cps, from_start, &mut data)? {
                let lines = memchr::memchr_iter(b'\n', &data).count() as i64;
                let new = (tail.start_line + lines - tail.skip_to.max(tail.start_line)).max(0);
                if new == 0 && !from_start {
                    // Read already, line by line, by a live writer: only the offset moves.
                    let c = Checkpoint {
                        site: site.name.clone(),
                        file: tail.file.clone(),
                        line: tail.skip_to,
                        read_to: (tail.start + data.len() as u64) as i64,
                        read_to_line: tail.start_line + lines,
                    };
                    cps.set(c.clone());
                    ingest.mark(c);
                    continue;
                }
                total += new as u64;
                // Read again when its turn comes: a long outage's logs need not fit in memory.
                todo.push((site.clone(), tail.path));
            }
        }
    }
    let (mut done, new) = pipelined(store, |sink| {
        let mut done = CatchUp::default();
        for (site, path) in todo {
            let Some(tail) = read_tail(&path, &site.name, cps, from_start, &mut data)? else {
                continue;
            };
            done.files += 1;
            let read = TailRead {
                site: &site,
                tail: &tail,
                data: &data,
            };
            if !read_lines(sink, ingest, cps, &read, &mut done, total, progress) {
                break;
            }
        }
        if ingest.pending() > 0 || !ingest.marks.is_empty() {
            let batch = ingest.take();
            sink.send(batch, ingest);
        }
        Ok(done)
    })?;
    done.new = new;
    Ok(done)
}

/// One raw day log's tail to read: whose, where, its bytes.
struct TailRead<'a> {
    site: &'a SiteLogs,
    tail: &'a Tail,
    data: &'a [u8],
}

/// Reads one raw day log's tail into batches. False when the writer stopped (on an error
/// [`pipelined`] returns).
fn read_lines(
    sink: &mut Sink,
    ingest: &mut Ingest,
    cps: &mut Checkpoints,
    read: &TailRead<'_>,
    done: &mut CatchUp,
    total: u64,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> bool {
    let (site, tail, data) = (read.site, read.tail, read.data);
    let origin: Arc<str> = tail.file.as_str().into();
    let mut decoder = StreamDecoder::new(site.options.clone());
    let mut writing = true;
    let mut last = tail.start_line;
    // The end of the line numbered `.1` is at offset `.0` of the data.
    let mut cursor = (0usize, tail.start_line);
    // The checkpoints move with the batch; should its write fail, the caller starts again
    // from the database's.
    let mut write = |ingest: &mut Ingest, cps: &mut Checkpoints, line: i64, offset: u64| {
        let mut c = cps.advance(&site.name, &tail.file, line);
        if offset as i64 > c.read_to {
            (c.read_to, c.read_to_line) = (offset as i64, line);
        }
        ingest.mark(c.clone());
        cps.set(c);
        let batch = ingest.take();
        sink.send(batch, ingest)
    };
    each_incoming(data, &origin, &site.name, &mut decoder, |incoming, _| {
        if !writing {
            return;
        }
        let line = tail.start_line + incoming.line as i64;
        last = line;
        if line <= tail.skip_to {
            return;
        }
        ingest.push(
            &Incoming {
                line: line as u64,
                ..*incoming
            },
            &origin,
            &origin,
        );
        done.lines += 1;
        if ingest.pending() >= BATCH_LINES {
            let offset = line_end(data, &mut cursor, line);
            writing = write(ingest, cps, line, tail.start + offset as u64);
            progress(&Progress {
                site: &site.name,
                file: &tail.file,
                lines: done.lines,
                total,
            });
        }
    });
    if !writing {
        return false;
    }
    // The end of the file's whole lines, blank ones included.
    let lines = memchr::memchr_iter(b'\n', data).count() as i64;
    last = last.max(tail.start_line + lines);
    writing = write(ingest, cps, last, tail.start + data.len() as u64);
    progress(&Progress {
        site: &site.name,
        file: &tail.file,
        lines: done.lines,
        total,
    });
    writing
}

/// The offset just past the end of line `line`, moving `cursor` (offset, line number there)
/// forward: lines are handed over in order, so the data is scanned once.
fn line_end(data: &[u8], cursor: &mut (usize, i64), line: i64) -> usize {
    while cursor.1 < line {
        match memchr::memchr(b'\n', &data[cursor.0..]) {
            Some(i) => {
                cursor.0 += i + 1;
                cursor.1 += 1;
            }
            None => break,
        }
    }
    cursor.0
}

/// Every raw day log into the database from its first line (idempotent).
pub fn rebuild(
    store: &mut dyn HistoryStore,
    log_dir: &Path,
    sites: &[SiteLogs],
    age_out: Duration,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<CatchUp> {
    let mut ingest = Ingest::new(age_out);
    let mut cps = Checkpoints::load(store)?;
    catch_up(store, &mut ingest, &mut cps, log_dir, sites, true, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_log_names() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(raw_log_name("HQ.20261122.3.log"), Some(("HQ", day, 3)));
        assert_eq!(
            raw_log_name("_com1.txt.20261122.10.log"),
            Some(("_com1.txt", day, 10))
        );
        assert_eq!(raw_log_name("HQ.20261122.connection.log"), None);
        assert_eq!(raw_log_name("HQ.2026112.1.log"), None);
        assert_eq!(raw_log_name(".20261122.1.log"), None);
    }

    #[test]
    fn line_ends() {
        let data = b"ab\n\ncd\nef\n";
        let mut cursor = (0, 10);
        assert_eq!(line_end(data, &mut cursor, 10), 0);
        assert_eq!(line_end(data, &mut cursor, 11), 3);
        assert_eq!(line_end(data, &mut cursor, 13), 7);
        assert_eq!(line_end(data, &mut cursor, 14), 10);
        assert_eq!(line_end(data, &mut cursor, 99), 10);
    }
}
