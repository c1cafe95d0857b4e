//! Records into the history: rows for each line, calls correlated as they go (written when they
//! complete or age out, again when they change), and the roads in — raw day logs from their
//! checkpoints on, and saved files of any kind — all through the import road `decode` takes.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::rows::{Batch, Checkpoint, LineRow, StoredLine, call_row, line_row};
use super::{HistoryError, HistoryStore, RecordQuery, Result};
use crate::collect::daylog::file_name_for;
use crate::import::each_incoming;
use crate::protocol::{DecodeOptions, Record, StreamDecoder};
use crate::store::{Incoming, summary};
use crate::timeline::{CallTracker, Outcome};

/// Lines per transaction when reading files.
pub const BATCH_LINES: usize = 5_000;

/// Lines → a [`Batch`]: rows, and the calls that completed or changed.
pub struct Ingest {
    age_out: Duration,
    /// One call tracker per site, each aging its calls out by its own latest event, as
    /// `calls` does for a site's logs.
    sites: HashMap<Arc<str>, SiteCalls>,
    batch: Batch,
    marks: HashMap<(Arc<str>, String), Checkpoint>,
}

struct SiteCalls {
    tracker: CallTracker,
    /// Per call (tracker index): the trunk its records named, and the natural key of the
    /// record it started from.
    info: Vec<CallInfo>,
    read_changes: usize,
    /// The latest event seen: the clock calls age out by.
    latest: Option<NaiveDateTime>,
}

#[derive(Default, Clone)]
struct CallInfo {
    trunk: String,
    first: String,
}

impl Ingest {
    pub fn new(age_out: Duration) -> Self {
        Self {
            age_out,
            sites: HashMap::new(),
            batch: Batch::default(),
            marks: HashMap::new(),
        }
    }

    /// Adds one line, keyed by `origin` (a raw day log's file name, or `import:<hash>`) and
    /// its line number; `source` is what `source` shows.
    pub fn push(&mut self, r: &Incoming<'_>, origin: &Arc<str>, source: &Arc<str>) {
        match line_row(r, origin, source) {
            LineRow::Record(row) => self.batch.records.push(row),
            LineRow::Unparsed(row) => self.batch.unparsed.push(row),
        }
        self.track(r, origin);
    }

    fn track(&mut self, r: &Incoming<'_>, origin: &str) {
        let age_out = self.age_out;
        let site = self
            .sites
            .entry(r.site.clone())
            .or_insert_with(|| SiteCalls {
                tracker: CallTracker::new(age_out),
                info: Vec::new(),
                read_changes: 0,
                latest: None,
            });
        let Some(idx) = site.tracker.push_decoded(r.site, r.decoded) else {
            return;
        };
        if idx >= site.info.len() {
            site.info.resize(idx + 1, CallInfo::default());
            site.info[idx].first = format!("{origin}:{}", r.line);
        }
        let trunk = summary(r.decoded).trunk;
        if site.info[idx].trunk.is_empty() && !trunk.is_empty() {
            site.info[idx].trunk = trunk.to_string();
        }
        let last = site.tracker.calls()[idx].last_event_at();
        site.latest = Some(site.latest.map_or(last, |l| l.max(last)));
    }

    /// A record already in the database, for its call only (the tracker's warm-up after a
    /// restart: a call whose events span the restart stays whole).
    pub fn warm(&mut self, line: &StoredLine) {
        let d = line.decode();
        let site: Arc<str> = line.site.as_str().into();
        let origin: Arc<str> = line.origin.as_str().into();
        let incoming = Incoming {
            site: &site,
            origin: &origin,
            line: u64::try_from(line.line).unwrap_or(0),
            received: line.received(),
            padding: line.padding_char(),
            bytes: None,
            decoded: &d,
            problem: None,
        };
        self.track(&incoming, &line.origin);
        if let Some(site) = self.sites.get_mut(&site) {
            site.read_changes = site.tracker.changes().len();
        }
    }

    /// Moves a raw day log's checkpoint with this batch.
    pub fn mark(&mut self, c: Checkpoint) {
        let key = (c.site.clone(), c.file.clone());
        match self.marks.get_mut(&key) {
            Some(m) => {
                m.line = m.line.max(c.line);
                if c.read_to > m.read_to {
                    (m.read_to, m.read_to_line) = (c.read_to, c.read_to_line);
                }
            }
            None => {
                self.marks.insert(key, c);
            }
        }
    }

    /// Lines waiting to be written.
    pub fn pending(&self) -> usize {
        self.batch.lines()
    }

    /// Calls the tracker holds (the writer starts afresh past a limit).
    pub fn calls_held(&self) -> usize {
        self.sites.values().map(|s| s.tracker.calls().len()).sum()
    }

    /// Adds a span without a connection.
    pub fn span(&mut self, site: Arc<str>, from_ms: i64, to_ms: i64) {
        self.batch.spans.push((site, from_ms, to_ms));
    }

    /// What is ready to write: the lines so far, the calls that completed (or aged out, as of
    /// the latest event) or changed since, and the checkpoints.
    pub fn take(&mut self) -> Batch {
        let mut keys = HashSet::new();
        for site in self.sites.values_mut() {
            if let Some(now) = site.latest {
                site.tracker.age_out(now);
            }
            let mut seen = HashSet::new();
            let changes = &site.tracker.changes()[site.read_changes..];
            // Newest first, so each call is written once per batch.
            for &idx in changes.iter().rev() {
                let idx = idx as usize;
                if !seen.insert(idx) {
                    continue;
                }
                let call = &site.tracker.calls()[idx];
                if call.outcome == Outcome::InProgress {
                    continue;
                }
                let info = site.info.get(idx).cloned().unwrap_or_default();
                let row = call_row(call, &info.trunk, &info.first);
                // One row per key and batch (PostgreSQL refuses to update a row twice in one
                // statement); keys are unique per call, this only guards that.
                if keys.insert((row.site.clone(), row.call_key.clone())) {
                    self.batch.calls.push(row);
                }
            }
            site.read_changes = site.tracker.changes().len();
        }
        let mut batch = std::mem::take(&mut self.batch);
        batch.checkpoints = self.marks.drain().map(|(_, c)| c).collect();
        batch
    }
}

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

/// The unread tail of a raw day log: from the checkpoint's offset to the last whole line.
struct Tail {
    path: PathBuf,
    file: String,
    data: Vec<u8>,
    /// The offset `data` starts at, and the number of the line before it.
    start: u64,
    start_line: i64,
    /// Lines before this number are in the database already.
    skip_to: i64,
}

fn read_tail(path: &Path, site: &str, cps: &Checkpoints, from_start: bool) -> Result<Option<Tail>> {
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
    let mut data = Vec::with_capacity((len - start) as usize);
    f.read_to_end(&mut data).map_err(read_err)?;
    // Only whole lines: the collector may be writing the last one right now.
    match memchr::memrchr(b'\n', &data) {
        Some(end) => data.truncate(end + 1),
        None => return Ok(None),
    }
    Ok(Some(Tail {
        path: path.into(),
        file,
        data,
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
    for (site, dir) in sites_in(log_dir, sites)? {
        for path in raw_logs(&dir)? {
            if let Some(tail) = read_tail(&path, &site.name, cps, from_start)? {
                let lines = memchr::memchr_iter(b'\n', &tail.data).count() as i64;
                let new = (tail.start_line + lines - tail.skip_to.max(tail.start_line)).max(0);
                if new == 0 && !from_start {
                    // Read already, line by line, by a live writer: only the offset moves.
                    let c = Checkpoint {
                        site: site.name.clone(),
                        file: tail.file.clone(),
                        line: tail.skip_to,
                        read_to: (tail.start + tail.data.len() as u64) as i64,
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
    let mut done = CatchUp::default();
    for (site, path) in todo {
        let Some(tail) = read_tail(&path, &site.name, cps, from_start)? else {
            continue;
        };
        done.files += 1;
        read_lines(store, ingest, cps, &site, &tail, &mut done, total, progress)?;
    }
    if ingest.pending() > 0 || !ingest.marks.is_empty() {
        done.new += store.write(&ingest.take())?;
    }
    Ok(done)
}

#[allow(clippy::too_many_arguments)]
fn read_lines(
    store: &mut dyn HistoryStore,
    ingest: &mut Ingest,
    cps: &mut Checkpoints,
    site: &SiteLogs,
    tail: &Tail,
    done: &mut CatchUp,
    total: u64,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<()> {
    let origin: Arc<str> = tail.file.as_str().into();
    let mut decoder = StreamDecoder::new(site.options.clone());
    let mut result = Ok(0);
    let mut last = tail.start_line;
    // The end of the line numbered `.1` is at offset `.0` of the data.
    let mut cursor = (0usize, tail.start_line);
    let mut write = |ingest: &mut Ingest, cps: &mut Checkpoints, line: i64, offset: u64| {
        let mut c = cps.advance(&site.name, &tail.file, line);
        if offset as i64 > c.read_to {
            (c.read_to, c.read_to_line) = (offset as i64, line);
        }
        ingest.mark(c.clone());
        let batch = ingest.take();
        let new = store.write(&batch)?;
        cps.set(c);
        Ok::<_, HistoryError>(new)
    };
    each_incoming(
        &tail.data,
        &origin,
        &site.name,
        &mut decoder,
        |incoming, _| {
            let Ok(new) = result else {
                return;
            };
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
                let offset = line_end(&tail.data, &mut cursor, line);
                result = write(ingest, cps, line, tail.start + offset as u64).map(|n| n + new);
                progress(&Progress {
                    site: &site.name,
                    file: &tail.file,
                    lines: done.lines,
                    total,
                });
            }
        },
    );
    done.new += result?;
    // The end of the file's whole lines, blank ones included.
    let lines = memchr::memchr_iter(b'\n', &tail.data).count() as i64;
    last = last.max(tail.start_line + lines);
    done.new += write(ingest, cps, last, tail.start + tail.data.len() as u64)?;
    progress(&Progress {
        site: &site.name,
        file: &tail.file,
        lines: done.lines,
        total,
    });
    Ok(())
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

/// The key a live record is stored under: its raw day log's file name (or connection log's,
/// for bytes that were never a record), or `None` when it was not saved to any log.
pub fn live_origin(r: &Record) -> Option<String> {
    if r.source.line == 0 {
        return None;
    }
    Path::new(&*r.source.origin)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}

/// Feeds the App Suite events received since `since_ms` to `ingest`'s call trackers, so calls
/// open across a restart are completed, not restarted.
pub fn warm_up(store: &mut dyn HistoryStore, ingest: &mut Ingest, since_ms: i64) -> Result<u64> {
    // The day bound lets the (day, site) index find them; the receipt time picks exactly.
    let from = chrono::DateTime::from_timestamp_millis(since_ms)
        .map(|t| t.with_timezone(&chrono::Local).date_naive())
        .and_then(|d| d.pred_opt());
    let q = RecordQuery {
        from,
        received_since: Some(since_ms),
        app_suite_only: true,
        ..Default::default()
    };
    store.records(&q, &mut |line| {
        ingest.warm(line);
        Ok(())
    })
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
    fn content_hashes_are_stable() {
        assert_eq!(content_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(content_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
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
