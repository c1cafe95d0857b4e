//! The collectors' handle: a named tokio runtime running one supervised task per site.
//!
//! CONTRACT (filled in by the collector work; signatures are what the window and CLI code against).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use super::events::{CollectorEvent, ProbeStep, ProbeVerdict};
use super::site::SiteConfig;

/// Called after events are sent, so a consumer can wake up (the window passes
/// `ctx.request_repaint`); must be cheap and non-blocking.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
pub struct CollectOptions {
    /// Raw day logs go to `<log_dir>/<site>/…`.
    pub log_dir: PathBuf,
    pub wake: Wake,
}

/// What a connection test reports, as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeReport {
    Step(ProbeStep),
    Done(ProbeVerdict),
}

/// Running collectors. Dropping it stops them (flushing logs).
pub struct Collector {
    events: Sender<CollectorEvent>,
    options: CollectOptions,
}

impl Collector {
    /// Starts the runtime on its own named thread(s). Events (records already written to the raw
    /// day log, raw bytes, status, connection-log lines) arrive on the returned receiver.
    pub fn start(options: CollectOptions) -> std::io::Result<(Self, Receiver<CollectorEvent>)> {
        let (events, rx) = channel();
        Ok((Self { events, options }, rx))
    }

    /// Makes the running set of sites match `sites`: new ones start, removed or disabled ones
    /// stop, changed ones restart.
    pub fn set_sites(&self, sites: Vec<SiteConfig>) {
        let _ = (sites, &self.events, &self.options);
    }

    /// Starts the built-in demo: simulators on loopback (a `mitel5000` and an `appsuite`
    /// source) and returns their site configs, ready for [`Self::set_sites`].
    pub fn start_demo(&self) -> std::io::Result<Vec<SiteConfig>> {
        Ok(Vec::new())
    }

    /// Runs a connection test on the runtime; steps arrive as they happen, then the verdict.
    pub fn probe(&self, site: SiteConfig, timeout: Duration) -> Receiver<ProbeReport> {
        let _ = (site, timeout);
        channel().1
    }

    /// Stops every site and flushes the logs; returns when done (bounded by a few seconds).
    pub fn shutdown(self) {}
}
