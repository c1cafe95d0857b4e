//! Health for existing monitoring: `collect --status ADDRESS:PORT` answers `GET /status` (JSON)
//! and `GET /metrics` (Prometheus text).
//!
//! A [`HealthStage`] on the engine thread keeps each site's figures from the collectors' events;
//! the consumer hands it what the other stages say ([`Health::engine_event`]: history status,
//! alarms). The HTTP server ([`server`]) answers from a [`StatusReport`] taken under a short lock,
//! so a scrape never waits on collection and collection never waits on a scrape.

pub mod metrics;
pub mod server;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Local};
use serde::{Deserialize, Serialize};

use crate::collect::{CollectorEvent, GapCause, SiteConfig, SiteState, SiteStatus};
use crate::engine::{EngineEvent, Stage};
use crate::history::HistoryStatus;
use crate::sync::lock;

/// The figures `/status` and `/metrics` show, shared by the stage, the consumer and the server.
#[derive(Clone)]
pub struct Health {
    inner: Arc<Mutex<Figures>>,
}

struct Figures {
    started: DateTime<Local>,
    /// The configured sites, in the sites file's order; events of other sites are ignored (a
    /// removed site's last events arrive after it was removed).
    sites: Vec<SiteFigures>,
    history: Option<HistoryReport>,
    alarms: Option<AlarmsReport>,
}

struct SiteFigures {
    name: String,
    protocol: &'static str,
    relay_entries: u32,
    status: Option<SiteStatus>,
    /// Records received since the collector started, by format.
    received: BTreeMap<&'static str, u64>,
    unparsed: u64,
    alarms: u64,
}

/// What `GET /status` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    pub version: String,
    pub started: DateTime<Local>,
    pub now: DateTime<Local>,
    pub sites: Vec<SiteReport>,
    /// The history writer's status; `null` when `collect` writes no history.
    pub history: Option<HistoryReport>,
    /// Alarms raised since the start; `null` when `collect` evaluates no alarm rules.
    pub alarms: Option<AlarmsReport>,
}

/// One site in `/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteReport {
    pub name: String,
    /// `mitel5000`, `appsuite`, `appsuite-push` or `mivb`.
    pub protocol: String,
    /// One word: `starting` (no status yet), `connecting`, `waiting_for_data`, `receiving`,
    /// `backing_off`, `listening` or `stopped`.
    pub state: String,
    /// The state as the site's card says it ("retrying at 14:02:11 — connection refused").
    pub state_words: String,
    /// Connected to the PBX (or the App Suite server connected to us).
    pub connected: bool,
    /// Records today, read back from the raw day logs at the start.
    pub records_today: u64,
    /// Records received since the collector started, by format (`mitel5000`, `appsuite`,
    /// `mivb`, `unknown`); unparsed ones included.
    pub records_received: BTreeMap<String, u64>,
    /// Of those, the ones that could not be decoded.
    pub unparsed_received: u64,
    pub last_record: Option<DateTime<Local>>,
    pub seconds_since_last_record: Option<f64>,
    pub reconnects: u32,
    /// Today's spans without collection.
    pub gaps: Vec<GapReport>,
    /// Records received but NOT written to the raw day log since the start.
    pub raw_log_write_errors: u64,
    /// Why the raw day log cannot be written, while it cannot.
    pub raw_log_error: Option<String>,
    pub relay: RelayReport,
    /// Alarms raised for this site since the start.
    pub alarms_raised: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapReport {
    pub from: DateTime<Local>,
    pub to: DateTime<Local>,
    /// `no_connection`, `paused`, `program_closed` or `settings_changed`.
    pub cause: String,
    pub words: String,
}

/// A site's relay (issue 16 §1): configured entries, and what the relay reports in the site's
/// status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayReport {
    /// `listen` and `push` entries configured for the site.
    pub listeners: u32,
    /// Programs getting the feed now.
    pub clients: u32,
    /// Frames or lines handed to relay clients, counted once per client.
    pub frames: u64,
    pub bytes: u64,
    /// Clients disconnected for falling too far behind.
    pub drops: u64,
    /// Connections refused (allow-list, relay password).
    pub refused: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryReport {
    /// `connecting`, `up_to_date`, `behind`, `unreachable` or `stopped`.
    pub state: String,
    pub words: String,
    /// Records not yet in the database (when `behind`).
    pub behind: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmsReport {
    pub raised: u64,
    pub last: Option<serde_json::Value>,
}

impl Default for Health {
    fn default() -> Self {
        Self::new()
    }
}

impl Health {
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Mutex::new(Figures {
                started: Local::now(),
                sites: Vec::new(),
                history: None,
                alarms: None,
            })),
        }
    }

    /// The stage that keeps the figures; give it to [`crate::engine::Engine::start`].
    pub fn stage(&self) -> Box<dyn Stage> {
        Box::new(HealthStage {
            health: self.clone(),
        })
    }

    /// `/status` shows an `alarms` object (not `null`): alarm rules are evaluated.
    pub fn alarms_on(&self) {
        lock(&self.inner).alarms.get_or_insert_default();
    }

    /// What the other stages said (history status, alarms), as the consumer receives it.
    pub fn engine_event(&self, event: &EngineEvent) {
        let mut f = lock(&self.inner);
        match event {
            EngineEvent::History(status) => f.history = Some(history_report(status)),
            EngineEvent::Alarm(alarm) if !alarm.test => {
                let a = f.alarms.get_or_insert_default();
                a.raised += 1;
                a.last = serde_json::to_value(alarm).ok();
                if let Some(s) = f.sites.iter_mut().find(|s| s.name == alarm.site) {
                    s.alarms += 1;
                }
            }
            _ => {}
        }
    }

    /// The figures now.
    pub fn report(&self) -> StatusReport {
        let now = Local::now();
        let f = lock(&self.inner);
        StatusReport {
            version: env!("CARGO_PKG_VERSION").to_string(),
            started: f.started,
            now,
            sites: f.sites.iter().map(|s| s.report(now)).collect(),
            history: f.history.clone(),
            alarms: f.alarms.clone(),
        }
    }

    fn set_sites(&self, sites: &[SiteConfig]) {
        let mut f = lock(&self.inner);
        let mut old = std::mem::take(&mut f.sites);
        for site in sites.iter().filter(|s| s.enabled) {
            let figures = match old.iter().position(|o| o.name == site.name) {
                Some(i) => old.swap_remove(i),
                None => SiteFigures {
                    name: site.name.clone(),
                    protocol: site.protocol.scheme(),
                    relay_entries: 0,
                    status: None,
                    received: BTreeMap::new(),
                    unparsed: 0,
                    alarms: 0,
                },
            };
            f.sites.push(SiteFigures {
                protocol: site.protocol.scheme(),
                relay_entries: relay_entries(site),
                ..figures
            });
        }
    }

    fn collector_event(&self, event: &CollectorEvent) {
        let mut f = lock(&self.inner);
        match event {
            CollectorEvent::Record(r) => {
                if let Some(s) = f.sites.iter_mut().find(|s| *s.name == *r.site) {
                    *s.received.entry(r.format.as_str()).or_insert(0) += 1;
                    s.unparsed += u64::from(r.kind == crate::protocol::Kind::Unparsed);
                }
            }
            CollectorEvent::Status { site, status } => {
                if let Some(s) = f.sites.iter_mut().find(|s| *s.name == **site) {
                    s.status = Some(status.clone());
                }
            }
            CollectorEvent::Raw { .. } | CollectorEvent::Log { .. } => {}
        }
    }
}

/// The `listen`/`push` relay entries configured for a site.
fn relay_entries(site: &SiteConfig) -> u32 {
    u32::try_from(site.relay.entries.len()).unwrap_or(u32::MAX)
}

/// The relay's counters in a site's status.
fn relay_of(status: &SiteStatus) -> RelayReport {
    let r = &status.relay;
    RelayReport {
        listeners: 0,
        clients: r.clients,
        frames: r.frames,
        bytes: r.bytes,
        drops: r.drops,
        refused: r.refused,
    }
}

impl SiteFigures {
    fn report(&self, now: DateTime<Local>) -> SiteReport {
        let (state, state_words, connected) = match &self.status {
            Some(s) => (
                state_word(&s.state),
                s.state.describe(),
                matches!(s.state, SiteState::WaitingForData | SiteState::Receiving),
            ),
            None => ("starting", "starting".to_string(), false),
        };
        let last_record = self.status.as_ref().and_then(|s| s.last_record);
        SiteReport {
            name: self.name.clone(),
            protocol: self.protocol.to_string(),
            state: state.to_string(),
            state_words,
            connected,
            records_today: self.status.as_ref().map_or(0, |s| s.records_today),
            records_received: self
                .received
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            unparsed_received: self.unparsed,
            last_record,
            seconds_since_last_record: last_record
                .map(|at| (now - at).num_milliseconds().max(0) as f64 / 1000.0),
            reconnects: self.status.as_ref().map_or(0, |s| s.reconnects),
            gaps: self
                .status
                .iter()
                .flat_map(|s| &s.gaps)
                .map(|g| GapReport {
                    from: g.from,
                    to: g.to,
                    cause: cause_word(g.cause).to_string(),
                    words: g.describe(),
                })
                .collect(),
            raw_log_write_errors: self.status.as_ref().map_or(0, |s| s.unsaved),
            raw_log_error: self.status.as_ref().and_then(|s| s.raw_log_error.clone()),
            relay: RelayReport {
                listeners: self.relay_entries,
                ..self.status.as_ref().map(relay_of).unwrap_or_default()
            },
            alarms_raised: self.alarms,
        }
    }
}

/// Every state word, in the order `/metrics` lists them.
pub const STATES: [&str; 7] = [
    "starting",
    "connecting",
    "waiting_for_data",
    "receiving",
    "backing_off",
    "listening",
    "stopped",
];

fn state_word(state: &SiteState) -> &'static str {
    match state {
        SiteState::Connecting => "connecting",
        SiteState::WaitingForData => "waiting_for_data",
        SiteState::Receiving => "receiving",
        SiteState::BackingOff { .. } => "backing_off",
        SiteState::Listening => "listening",
        SiteState::Stopped => "stopped",
    }
}

fn cause_word(cause: GapCause) -> &'static str {
    match cause {
        GapCause::NoConnection => "no_connection",
        GapCause::Paused => "paused",
        GapCause::ProgramClosed => "program_closed",
        GapCause::SettingsChanged => "settings_changed",
    }
}

fn history_report(status: &HistoryStatus) -> HistoryReport {
    let (state, behind) = match status {
        HistoryStatus::Connecting => ("connecting", 0),
        HistoryStatus::UpToDate => ("up_to_date", 0),
        HistoryStatus::Behind { records } => ("behind", *records),
        HistoryStatus::Unreachable { .. } => ("unreachable", 0),
        HistoryStatus::Stopped => ("stopped", 0),
    };
    HistoryReport {
        state: state.to_string(),
        words: status.describe(),
        behind,
    }
}

/// Keeps the figures from the collectors' events, on the engine thread (a short lock each).
pub struct HealthStage {
    health: Health,
}

impl Stage for HealthStage {
    fn event(&mut self, event: &CollectorEvent, _out: &mut Vec<EngineEvent>) {
        self.health.collector_event(event);
    }

    fn set_sites(&mut self, sites: &[SiteConfig]) {
        self.health.set_sites(sites);
    }
}

#[cfg(test)]
mod tests;
