//! The engine's side of the history: [`HistoryWriter`] takes records as collectors deliver
//! them and writes them on its own thread, in batches. It never blocks the caller: when its
//! queue is full or the database cannot be reached, records are left behind — they are in the
//! raw day logs already — and it catches up from the logs, by their checkpoints, as soon as it
//! can. A raw day log's checkpoint only ever moves over lines that were written, in order.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};

use super::ingest::{
    self, BATCH_LINES, Checkpoints, Ingest, SiteLogs, live_origin, raw_log_name, warm_up,
};
use super::{HistoryError, HistoryStore, Target};
use crate::protocol::{Incoming, Record};

/// Messages (each a handful of records) the queue holds before records are left behind.
pub const QUEUE: usize = 1024;

/// A tracker holding this many calls more than its warm-up gave it starts afresh (after a
/// warm-up): a collector that runs for months keeps memory bounded. Counted from the warm-up,
/// not from zero: a warm-up of a busy hour can hold more than this itself, and restarting
/// again at every batch (each restart reading that hour back) was most of the live writer's
/// time in the live bench.
const MAX_CALLS_HELD: usize = 200_000;

/// How long live records are gathered into one transaction (unless [`BATCH_LINES`] come
/// sooner). They arrive a few at a time, with each engine batch; a commit per handful
/// rewrote the same table and index pages into the WAL each time, which cost more than the
/// records themselves and took CPU from the window's own thread on a small machine.
const GATHER: Duration = Duration::from_millis(250);

/// The longest wait between two attempts to reach the database.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What the writer is doing, for the window's and `collect -v`'s status.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryStatus {
    /// Opening the database.
    Connecting,
    /// Everything received is in the database.
    UpToDate,
    /// Records received (or in the raw day logs) but not yet in the database.
    Behind {
        records: u64,
    },
    /// The database cannot be reached or refused: why, in words (password masked), and when
    /// the next attempt is.
    Unreachable {
        reason: String,
        retry_at: DateTime<Local>,
    },
    Stopped,
}

impl HistoryStatus {
    /// The status in words, as a technician reads it.
    pub fn describe(&self) -> String {
        match self {
            Self::Connecting => "history: opening the database".into(),
            Self::UpToDate => "history: up to date".into(),
            Self::Behind { records } => format!(
                "history: {records} record{} behind",
                if *records == 1 { "" } else { "s" }
            ),
            Self::Unreachable { reason, retry_at } => format!(
                "history: not written, retrying at {} — {reason}",
                retry_at.format("%H:%M:%S")
            ),
            Self::Stopped => "history: stopped".into(),
        }
    }
}

/// What the writer needs to run.
#[derive(Clone)]
pub struct WriterOptions {
    pub target: Target,
    /// Where the raw day logs are: the source of every catch-up.
    pub log_dir: PathBuf,
    /// The sites, for their names and decode options (other folders in `log_dir` are caught
    /// up under their folder names).
    pub sites: Vec<SiteLogs>,
    /// A call with no end and no event for this long is written as aged out.
    pub age_out: chrono::Duration,
    /// Called whenever the status changes (the window asks for a repaint).
    pub wake: Arc<dyn Fn() + Send + Sync>,
}

enum Msg {
    Records(Vec<Record>),
    Span {
        site: Arc<str>,
        from_ms: i64,
        to_ms: i64,
    },
    Sites(Vec<SiteLogs>),
}

struct Shared {
    status: Mutex<HistoryStatus>,
    stop: AtomicBool,
    /// Records in the queue.
    queued: AtomicU64,
    /// Records left behind (queue full, database unreachable) since the last catch-up.
    missed: AtomicU64,
    /// Lines written to the database (records and unparsed, duplicates included).
    written: AtomicU64,
}

/// The history writer: a named thread, a bounded queue, a status.
pub struct HistoryWriter {
    tx: SyncSender<Msg>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl HistoryWriter {
    /// Starts the writer thread (`smdr-history`). It opens the database, warms its call
    /// tracker up and catches up from the raw day logs before taking live records.
    pub fn start(options: WriterOptions) -> std::io::Result<Self> {
        let (tx, rx) = sync_channel(QUEUE);
        let shared = Arc::new(Shared {
            status: Mutex::new(HistoryStatus::Connecting),
            stop: AtomicBool::new(false),
            queued: AtomicU64::new(0),
            missed: AtomicU64::new(0),
            written: AtomicU64::new(0),
        });
        let worker = Worker {
            ingest: Ingest::new(options.age_out),
            options,
            rx,
            shared: shared.clone(),
            store: None,
            cps: Checkpoints::default(),
            need_catch_up: true,
            retry_at: Instant::now(),
            backoff: Duration::from_secs(1),
            reason: String::new(),
            pending_behind: 0,
            warm_calls: 0,
        };
        let thread = std::thread::Builder::new()
            .name("smdr-history".into())
            .spawn(move || worker.run())?;
        Ok(Self {
            tx,
            shared,
            thread: Some(thread),
        })
    }

    /// Hands records over; returns at once. When the queue is full they are left behind and
    /// caught up from the raw day logs later.
    pub fn submit(&self, records: Vec<Record>) {
        let n = records.len() as u64;
        if n == 0 {
            return;
        }
        self.shared.queued.fetch_add(n, Ordering::SeqCst);
        if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
            self.tx.try_send(Msg::Records(records))
        {
            self.shared.queued.fetch_sub(n, Ordering::SeqCst);
            self.shared.missed.fetch_add(n, Ordering::SeqCst);
        }
    }

    /// A span without a connection to `site`: records from it may be missing.
    pub fn span(&self, site: Arc<str>, from: DateTime<Local>, to: DateTime<Local>) {
        // A span lost to a full queue comes again with the site's next status.
        let _ = self.tx.try_send(Msg::Span {
            site,
            from_ms: from.timestamp_millis(),
            to_ms: to.timestamp_millis(),
        });
    }

    /// The sites changed: their names and decode options, for catching up.
    pub fn set_sites(&self, sites: Vec<SiteLogs>) {
        if self.tx.try_send(Msg::Sites(sites)).is_err() {
            tracing::warn!("the history writer's queue is full: the new site list waits");
        }
    }

    pub fn status(&self) -> HistoryStatus {
        let status = self
            .shared
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        // Records handed over since the thread last said so are not in yet.
        let waiting =
            self.shared.queued.load(Ordering::SeqCst) + self.shared.missed.load(Ordering::SeqCst);
        match status {
            HistoryStatus::UpToDate if waiting > 0 => HistoryStatus::Behind { records: waiting },
            other => other,
        }
    }

    /// Lines written to the database so far (records and unparsed; duplicates included).
    pub fn written(&self) -> u64 {
        self.shared.written.load(Ordering::SeqCst)
    }

    /// Writes what it holds and stops the thread.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the history writer thread panicked");
        }
    }
}

impl Drop for HistoryWriter {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Worker {
    options: WriterOptions,
    rx: Receiver<Msg>,
    shared: Arc<Shared>,
    store: Option<Box<dyn HistoryStore>>,
    ingest: Ingest,
    cps: Checkpoints,
    need_catch_up: bool,
    retry_at: Instant,
    backoff: Duration,
    /// Why the database is unreachable (empty while it is not).
    reason: String,
    /// Lines a running catch-up still has to read.
    pending_behind: u64,
    /// Calls the tracker held after its last warm-up.
    warm_calls: usize,
}

impl Worker {
    fn run(mut self) {
        loop {
            if self.shared.stop.load(Ordering::SeqCst) {
                while let Ok(msg) = self.rx.try_recv() {
                    self.handle(msg);
                }
                self.flush();
                // What was left behind is in the raw day logs: in before the end.
                if self.need_catch_up || self.shared.missed.load(Ordering::SeqCst) > 0 {
                    self.catch_up();
                }
                break;
            }
            if self.store.is_none() && Instant::now() >= self.retry_at {
                self.connect();
            }
            if self.store.is_some()
                && (self.need_catch_up || self.shared.missed.load(Ordering::SeqCst) > 0)
            {
                self.catch_up();
            }
            match self.rx.recv_timeout(Duration::from_millis(200)) {
                Ok(msg) => {
                    self.handle(msg);
                    let until = Instant::now() + GATHER;
                    while self.ingest.pending() < BATCH_LINES
                        && !self.shared.stop.load(Ordering::SeqCst)
                    {
                        let left = until.saturating_duration_since(Instant::now());
                        match self.rx.recv_timeout(left) {
                            Ok(msg) => self.handle(msg),
                            Err(_) => break,
                        }
                    }
                    self.flush();
                }
                Err(RecvTimeoutError::Timeout) => self.flush(),
                Err(RecvTimeoutError::Disconnected) => {
                    self.flush();
                    break;
                }
            }
            self.publish();
        }
        self.set_status(HistoryStatus::Stopped);
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Records(records) => {
                let n = records.len() as u64;
                self.shared.queued.fetch_sub(n, Ordering::SeqCst);
                if self.store.is_none() {
                    self.shared.missed.fetch_add(n, Ordering::SeqCst);
                    return;
                }
                for r in &records {
                    self.live(r);
                }
            }
            Msg::Span {
                site,
                from_ms,
                to_ms,
            } => self.ingest.span(site, from_ms, to_ms),
            Msg::Sites(sites) => {
                self.options.sites = sites;
                self.need_catch_up = true;
            }
        }
    }

    /// One live record: written when it is the next line of its raw day log; a line further
    /// on means lines were left behind, so the log is caught up instead.
    fn live(&mut self, r: &Record) {
        let Some(file) = live_origin(r) else {
            // Not in any log (it could not be written): nothing to key it by.
            return;
        };
        let line = i64::try_from(r.source.line).unwrap_or(i64::MAX);
        if raw_log_name(&file).is_some() {
            let done = self.cps.line(&r.site, &file);
            if line <= done {
                return;
            }
            if line > done + 1 {
                self.need_catch_up = true;
                return;
            }
            let c = self.cps.advance(&r.site, &file, line);
            self.ingest.mark(c);
        }
        let origin: Arc<str> = file.into();
        let d = r.decode();
        self.ingest.push(
            &Incoming {
                site: &r.site,
                origin: &origin,
                line: r.source.line,
                received: r.received,
                padding: r.padding,
                bytes: r.bytes.as_deref(),
                decoded: &d,
                problem: r.problem.as_deref(),
            },
            &origin,
            &origin,
        );
    }

    fn connect(&mut self) {
        // While retrying, the status keeps saying why it failed last.
        if self.reason.is_empty() {
            self.set_status(HistoryStatus::Connecting);
        }
        let opened = super::open(&self.options.target).and_then(|mut store| {
            let cps = Checkpoints::load(store.as_mut())?;
            Ok((store, cps))
        });
        match opened {
            Ok((store, cps)) => {
                tracing::info!("history: writing to {}", self.options.target);
                self.store = Some(store);
                self.cps = cps;
                self.reason.clear();
                self.backoff = Duration::from_secs(1);
                self.need_catch_up = true;
                self.restart_tracker();
            }
            Err(e) => self.failed(e),
        }
    }

    /// A fresh call tracker, warmed up with the App Suite events of the last age-out period.
    fn restart_tracker(&mut self) {
        self.ingest = Ingest::new(self.options.age_out);
        let since = super::now_ms()
            - self.options.age_out.num_milliseconds()
            - Duration::from_secs(3600).as_millis() as i64;
        if let Some(store) = self.store.as_mut()
            && let Err(e) = warm_up(store.as_mut(), &mut self.ingest, since)
        {
            self.failed(e);
        }
        self.warm_calls = self.ingest.calls_held();
    }

    fn catch_up(&mut self) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        // Drops from now on are caught up by the next round.
        let missed = self.shared.missed.swap(0, Ordering::SeqCst);
        self.need_catch_up = false;
        let shared = &self.shared;
        let wake = &self.options.wake;
        let pending = &mut self.pending_behind;
        let result = ingest::catch_up(
            store.as_mut(),
            &mut self.ingest,
            &mut self.cps,
            &self.options.log_dir,
            &self.options.sites,
            false,
            &mut |p| {
                *pending = p.total.saturating_sub(p.lines);
                let behind = *pending + shared.queued.load(Ordering::SeqCst);
                set(shared, wake, HistoryStatus::Behind { records: behind });
            },
        );
        self.pending_behind = 0;
        match result {
            Ok(done) => {
                self.shared.written.fetch_add(done.lines, Ordering::SeqCst);
                if done.lines > 0 {
                    tracing::info!(
                        "history: caught up {} lines from {} raw day logs",
                        done.lines,
                        done.files
                    );
                }
            }
            Err(e) => {
                self.shared.missed.fetch_add(missed, Ordering::SeqCst);
                self.failed(e);
            }
        }
    }

    fn flush(&mut self) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let batch = self.ingest.take();
        if batch.is_empty() {
            return;
        }
        match store.write(&batch) {
            Ok(_) => {
                self.shared
                    .written
                    .fetch_add(batch.lines() as u64, Ordering::SeqCst);
                if self.ingest.calls_held() > self.warm_calls + MAX_CALLS_HELD {
                    self.restart_tracker();
                }
            }
            Err(e) => {
                self.shared
                    .missed
                    .fetch_add(batch.lines() as u64, Ordering::SeqCst);
                self.failed(e);
            }
        }
    }

    /// The database failed: say why (once per streak), let go of it, and try again later from
    /// the checkpoints it has.
    fn failed(&mut self, e: HistoryError) {
        let reason = e.to_string();
        if reason != self.reason {
            tracing::warn!("{reason}");
        }
        self.reason = reason;
        self.store = None;
        self.need_catch_up = true;
        self.retry_at = Instant::now() + self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        let retry_at = Local::now()
            + chrono::Duration::from_std(self.retry_at - Instant::now()).unwrap_or_default();
        self.set_status(HistoryStatus::Unreachable {
            reason: self.reason.clone(),
            retry_at,
        });
    }

    /// The status as things stand between batches.
    fn publish(&self) {
        if self.store.is_none() {
            return;
        }
        let behind = self.shared.queued.load(Ordering::SeqCst)
            + self.shared.missed.load(Ordering::SeqCst)
            + self.pending_behind
            + self.ingest.pending() as u64;
        self.set_status(if behind == 0 && !self.need_catch_up {
            HistoryStatus::UpToDate
        } else {
            HistoryStatus::Behind { records: behind }
        });
    }

    fn set_status(&self, status: HistoryStatus) {
        set(&self.shared, &self.options.wake, status);
    }
}

fn set(shared: &Shared, wake: &Arc<dyn Fn() + Send + Sync>, status: HistoryStatus) {
    let mut s = shared.status.lock().unwrap_or_else(PoisonError::into_inner);
    if *s != status {
        *s = status;
        drop(s);
        wake();
    }
}
