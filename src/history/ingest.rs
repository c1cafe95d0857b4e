//! Records into the history: rows for each line, calls correlated as they go (written when they
//! complete or age out, again when they change), and the roads in — raw day logs from their
//! checkpoints on ([`daylogs`]), and saved files of any kind ([`import`]) — all through the
//! import road `decode` takes.

mod daylogs;
mod import;
mod pipeline;

pub use daylogs::{
    CatchUp, Checkpoints, Progress, SiteLogs, catch_up, raw_log_name, rebuild, sites_in,
};
pub use import::{Imported, content_hash, import_file};

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use super::rows::{Batch, Checkpoint, LineRow, RecordRow, StoredLine, call_row, line_row_reusing};
use super::{HistoryStore, RecordQuery, Result};
use crate::protocol::summary::summary;
use crate::protocol::{Incoming, Record};
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
    /// Record rows of written batches, to be written over (see [`line_row_reusing`]).
    spare: Vec<RecordRow>,
}

struct SiteCalls {
    tracker: CallTracker,
    /// Per call (tracker index): the trunk its records named, and the natural key of the
    /// record it started from.
    info: Vec<CallInfo>,
    read_changes: usize,
    /// The latest event seen: the clock calls age out by.
    latest: Option<NaiveDateTime>,
    /// Events came since the last age-out (without any, another finds nothing new).
    to_age: bool,
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
            spare: Vec::new(),
        }
    }

    /// Adds one line, keyed by `origin` (a raw day log's file name, or `import:<hash>`) and
    /// its line number; `source` is what `source` shows.
    pub fn push(&mut self, r: &Incoming<'_>, origin: &Arc<str>, source: &Arc<str>) {
        match line_row_reusing(r, origin, source, self.spare.pop()) {
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
                to_age: false,
            });
        let Some(idx) = site.tracker.push_decoded(r.site, r.decoded) else {
            return;
        };
        site.to_age = true;
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

    /// Takes back a written batch: its record rows are written over by the next records, and
    /// its list holds the next batch's.
    pub fn recycle(&mut self, mut batch: Batch) {
        if self.spare.len() < BATCH_LINES {
            self.spare.append(&mut batch.records);
        }
        if self.batch.records.is_empty() && batch.records.capacity() > self.batch.records.capacity()
        {
            batch.records.clear();
            self.batch.records = batch.records;
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
            // Only a site with events since its last age-out: a scan of every site's open
            // calls per batch was most of the live writer's time (a catch-up takes a batch
            // per raw day log, so every file scanned all sites).
            if let Some(now) = site.latest
                && std::mem::take(&mut site.to_age)
            {
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
