//! The history stage: every record, on its way to the consumer, is handed to the
//! [`HistoryWriter`] (in batches, after each batch of events), every span a site was not
//! collected goes in as a connection span, and the writer's status comes out as
//! [`EngineEvent::History`] when it changes. Nothing here waits on the database: the writer has
//! its own thread and queue, and catches up from the raw day logs whatever it missed.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Local};

use super::{EngineEvent, Stage};
use crate::collect::{CollectorEvent, SiteConfig};
use crate::history::{HistoryStatus, HistoryWriter, SiteLogs, Target, WriterOptions};
use crate::protocol::Record;
use crate::sync::lock;

/// Where the history should go from now on, set by whoever started the stage (the window's
/// Settings › History); the stage switches writers at its next tick.
#[derive(Clone, Default)]
pub struct Retarget(Arc<Mutex<Option<Target>>>);

impl Retarget {
    pub fn set(&self, target: Target) {
        *lock(&self.0) = Some(target);
    }

    fn take(&self) -> Option<Target> {
        lock(&self.0).take()
    }
}

pub struct HistoryStage {
    writer: Option<HistoryWriter>,
    options: WriterOptions,
    batch: Vec<Record>,
    /// Spans already handed over, per site: start → end (a span grows while it lasts).
    spans: HashMap<Arc<str>, HashMap<i64, i64>>,
    /// Sites whose raw day logs are elsewhere (the demo's): not history.
    elsewhere: HashSet<String>,
    last: Option<HistoryStatus>,
    retarget: Retarget,
}

impl HistoryStage {
    /// Starts the writer for `target`, catching up from `log_dir` with `sites`' names and
    /// decode options.
    pub fn start(
        target: Target,
        log_dir: PathBuf,
        sites: &[SiteConfig],
        age_out: chrono::Duration,
    ) -> std::io::Result<Self> {
        let (logs, elsewhere) = split_sites(sites);
        let options = WriterOptions {
            target,
            log_dir,
            sites: logs,
            age_out,
            // The stage polls the status each tick; the engine wakes the consumer.
            wake: Arc::new(|| {}),
        };
        let writer = HistoryWriter::start(options.clone())?;
        Ok(Self {
            writer: Some(writer),
            options,
            batch: Vec::new(),
            spans: HashMap::new(),
            elsewhere,
            last: None,
            retarget: Retarget::default(),
        })
    }

    /// A handle to point the stage at another database while it runs.
    pub fn retarget(&self) -> Retarget {
        self.retarget.clone()
    }

    /// The stage listening to a handle made beforehand.
    pub fn retargeted_by(mut self, retarget: Retarget) -> Self {
        self.retarget = retarget;
        self
    }

    /// Where it writes.
    pub fn target(&self) -> &Target {
        &self.options.target
    }

    fn switch(&mut self, target: Target) {
        if target == self.options.target {
            return;
        }
        tracing::info!("history: from now on written to {target}");
        self.options.target = target;
        if let Some(old) = self.writer.take() {
            // It writes what it holds first: not on the engine thread.
            let spawned = std::thread::Builder::new()
                .name("smdr-history-stop".into())
                .spawn(move || old.shutdown());
            if let Err(e) = spawned {
                tracing::warn!("cannot start a thread to stop the old history writer: {e}");
            }
        }
        match HistoryWriter::start(self.options.clone()) {
            Ok(w) => self.writer = Some(w),
            Err(e) => tracing::error!("cannot start the history writer: {e}"),
        }
        self.spans.clear();
        self.last = None;
    }
}

/// Sites whose raw day logs are in the collector's folder (as the writer catches them up), and
/// the names of those that log elsewhere.
fn split_sites(sites: &[SiteConfig]) -> (Vec<SiteLogs>, HashSet<String>) {
    let today = Local::now().date_naive();
    let mut logs = Vec::new();
    let mut elsewhere = HashSet::new();
    for s in sites {
        if s.log_dir.is_some() {
            elsewhere.insert(s.name.clone());
        } else {
            logs.push(SiteLogs {
                name: s.name.as_str().into(),
                options: s.decode_options(today),
            });
        }
    }
    (logs, elsewhere)
}

impl Stage for HistoryStage {
    fn event(&mut self, event: &CollectorEvent, _out: &mut Vec<EngineEvent>) {
        match event {
            CollectorEvent::Record(r) if !self.elsewhere.contains(&*r.site) => {
                self.batch.push(r.clone());
            }
            CollectorEvent::Status { site, status } if !self.elsewhere.contains(&**site) => {
                let Some(writer) = &self.writer else { return };
                let sent = self.spans.entry(site.clone()).or_default();
                for gap in &status.gaps {
                    let (from, to) = (gap.from.timestamp_millis(), gap.to.timestamp_millis());
                    if sent.get(&from).is_none_or(|&end| end < to) {
                        sent.insert(from, to);
                        writer.span(site.clone(), gap.from, gap.to);
                    }
                }
            }
            _ => {}
        }
    }

    fn flush(&mut self, _out: &mut Vec<EngineEvent>) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        // No writer (it could not start): the raw day logs have them for a later catch-up.
        if let Some(w) = &self.writer {
            w.submit(batch);
        }
    }

    fn tick(&mut self, _now: DateTime<Local>, out: &mut Vec<EngineEvent>) {
        if let Some(target) = self.retarget.take() {
            self.switch(target);
        }
        let Some(writer) = &self.writer else { return };
        let status = writer.status();
        if self.last.as_ref() != Some(&status) {
            self.last = Some(status.clone());
            out.push(EngineEvent::History(status));
        }
    }

    fn set_sites(&mut self, sites: &[SiteConfig]) {
        let (logs, elsewhere) = split_sites(sites);
        self.elsewhere = elsewhere;
        self.options.sites = logs.clone();
        if let Some(w) = &self.writer {
            w.set_sites(logs);
        }
    }

    fn shutdown(mut self: Box<Self>) {
        let batch = std::mem::take(&mut self.batch);
        if let Some(w) = self.writer.take() {
            w.submit(batch);
            w.shutdown();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::collect::{CollectOptions, Collector, Gap, GapCause, SiteState, SiteStatus};
    use crate::engine::Engine;
    use crate::history::{self, RecordQuery};
    use crate::protocol::{DecodeOptions, Source, StreamDecoder};

    /// Records fed through the engine reach the database, a gap becomes a span, the status
    /// says "up to date" in the end, and the demo's sites stay out.
    #[test]
    fn records_and_gaps_reach_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let db = dir.path().join("h.sqlite3");
        let options = CollectOptions {
            log_dir: logs.clone(),
            wake: Arc::new(|| {}),
        };
        let (collector, _own) = Collector::start(options.clone()).unwrap();
        let (feed, events) = channel();
        let hq = SiteConfig::from_url("HQ", "mivb://127.0.0.1:9").unwrap();
        let demo = SiteConfig {
            log_dir: Some(dir.path().join("demo")),
            ..SiteConfig::from_url("Demo", "mivb://127.0.0.1:9").unwrap()
        };
        let sites = vec![hq, demo];
        let stage = HistoryStage::start(
            Target::Embedded(db.clone()),
            logs.clone(),
            &sites,
            chrono::Duration::minutes(30),
        )
        .unwrap();
        let (engine, rx) =
            Engine::around(collector, events, vec![Box::new(stage)], options.wake).unwrap();
        engine.set_sites(sites);

        // Two raw day log lines of HQ, as the collectors write them, and one of the demo.
        let now = Local::now();
        let text = " 03/12 09:20  00:01:10 2104  004 6135550199                A T014                    000  ";
        let name = format!("HQ.{}.1.log", now.format("%Y%m%d"));
        std::fs::create_dir_all(logs.join("HQ")).unwrap();
        let log = format!("{}\t{text}\n", now.to_rfc3339()).repeat(2);
        std::fs::write(logs.join("HQ").join(&name), &log).unwrap();
        let path: Arc<str> = logs.join("HQ").join(&name).to_string_lossy().into();
        let mut decoder = StreamDecoder::new(DecodeOptions::default());
        for (line, site) in [(1, "HQ"), (2, "HQ"), (1, "Demo")] {
            let site: Arc<str> = site.into();
            let source = Source {
                origin: path.clone(),
                line,
            };
            let r = decoder.record(&site, source, text.as_bytes(), Some(now.fixed_offset()));
            feed.send(CollectorEvent::Record(r)).unwrap();
        }
        let gap = Gap {
            from: now - chrono::Duration::minutes(10),
            to: now - chrono::Duration::minutes(5),
            cause: GapCause::NoConnection,
        };
        let status = SiteStatus {
            records_today: 2,
            gaps: vec![gap],
            ..SiteStatus::new(SiteState::Connecting)
        };
        feed.send(CollectorEvent::Status {
            site: "HQ".into(),
            status,
        })
        .unwrap();

        let until = Instant::now() + Duration::from_secs(20);
        let mut statuses = Vec::new();
        while Instant::now() < until {
            if let Ok(EngineEvent::History(s)) = rx.recv_timeout(Duration::from_millis(100)) {
                let done = s == HistoryStatus::UpToDate;
                statuses.push(s);
                if done {
                    break;
                }
            }
        }
        assert_eq!(
            statuses.last(),
            Some(&HistoryStatus::UpToDate),
            "{statuses:?}"
        );
        drop(feed);
        engine.shutdown();

        let mut store = history::open(&Target::Embedded(db)).unwrap();
        let counts = store.counts().unwrap();
        assert_eq!(counts.records + counts.unparsed, 2, "{counts:?}");
        assert_eq!(counts.spans, 1);
        let mut sites = Vec::new();
        store
            .records(&RecordQuery::default(), &mut |l| {
                sites.push(l.site.clone());
                Ok(())
            })
            .unwrap();
        assert_eq!(sites, ["HQ", "HQ"]);
    }
}
