//! What collectors tell their consumers (the window, `collect`, tests), over channels.

use std::sync::Arc;

use chrono::{DateTime, Local};

use crate::protocol::Record;

/// A site's connection state, for the status light and its words.
#[derive(Debug, Clone, PartialEq)]
pub enum SiteState {
    Connecting,
    /// Connected (and logged in, for a 5000): nothing received yet on this connection.
    WaitingForData,
    Receiving,
    /// Waiting before the next attempt.
    BackingOff {
        until: DateTime<Local>,
        last_error: String,
    },
    /// Push mode: listening for the server to connect.
    Listening,
    Stopped,
}

impl SiteState {
    /// The state in words, as a technician reads it.
    pub fn describe(&self) -> String {
        match self {
            Self::Connecting => "connecting".into(),
            Self::WaitingForData => "connected, waiting for data".into(),
            Self::Receiving => "receiving".into(),
            Self::BackingOff { until, last_error } => {
                format!("retrying at {} — {last_error}", until.format("%H:%M:%S"))
            }
            Self::Listening => "listening for the server".into(),
            Self::Stopped => "stopped".into(),
        }
    }
}

/// A span when a site was not collected: records from it may be missing (a PBX buffers only
/// so many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub from: DateTime<Local>,
    pub to: DateTime<Local>,
    pub cause: GapCause,
}

/// Why a site was not collected for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapCause {
    /// Collecting, but with no connection to the PBX.
    NoConnection,
    /// The site was paused (or removed).
    Paused,
    /// The program was closed (or ended unexpectedly).
    ProgramClosed,
    /// The site restarted with new settings.
    SettingsChanged,
}

impl GapCause {
    /// Why, in words, after "not collecting 14:02–16:40: ".
    pub fn words(self) -> &'static str {
        match self {
            Self::NoConnection => "no connection",
            Self::Paused => "paused",
            Self::ProgramClosed => "program closed",
            Self::SettingsChanged => "site settings changed",
        }
    }

    /// Read back from [`GapCause::words`].
    pub fn from_words(words: &str) -> Option<Self> {
        [
            Self::NoConnection,
            Self::Paused,
            Self::ProgramClosed,
            Self::SettingsChanged,
        ]
        .into_iter()
        .find(|c| c.words() == words)
    }
}

impl Gap {
    /// The span as the site's card shows it: "records may be missing 14:02–14:09" without a
    /// connection, "not collecting 14:02–16:40: program closed" otherwise.
    pub fn describe(&self) -> String {
        let (from, to) = (self.from.format("%H:%M"), self.to.format("%H:%M"));
        match self.cause {
            GapCause::NoConnection => format!("records may be missing {from}–{to}"),
            cause => format!("not collecting {from}–{to}: {}", cause.words()),
        }
    }

    /// What the span means for the records (a tooltip).
    pub fn explain(&self) -> &'static str {
        match self.cause {
            GapCause::NoConnection => {
                "The site had no connection in this span: the PBX may have dropped records it \
                 could not buffer."
            }
            GapCause::Paused => {
                "Collection was paused in this span: the PBX may have dropped records it could \
                 not buffer."
            }
            GapCause::ProgramClosed => {
                "The program was closed in this span: the PBX may have dropped records it could \
                 not buffer."
            }
            GapCause::SettingsChanged => {
                "The site restarted with new settings in this span: the PBX may have dropped \
                 records it could not buffer."
            }
        }
    }
}

/// A site's state and counters. Today's counters and spans start from the site's raw day logs
/// and connection log, so they survive a pause or a restart of the program.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteStatus {
    pub state: SiteState,
    pub records_today: u64,
    pub last_record: Option<DateTime<Local>>,
    /// Connections made after the first one (failed attempts do not count).
    pub reconnects: u32,
    pub gaps: Vec<Gap>,
    /// Records received but not written to the raw day log, since collection started.
    pub unsaved: u64,
    /// Why the raw day log cannot be written, while it cannot: records are not being saved.
    pub raw_log_error: Option<String>,
    /// The site's relay: clients now, frames and bytes relayed, drops, refusals.
    pub relay: super::relay::RelayStatus,
}

impl SiteStatus {
    /// A site in `state` with nothing counted yet.
    pub fn new(state: SiteState) -> Self {
        Self {
            state,
            records_today: 0,
            last_record: None,
            reconnects: 0,
            gaps: Vec::new(),
            unsaved: 0,
            raw_log_error: None,
            relay: Default::default(),
        }
    }
}

/// Which way bytes went, for the raw stream view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the PBX to us.
    Received,
    /// From us to the PBX (the 5000 login; password bytes already masked).
    Sent,
}

#[derive(Debug, Clone)]
pub enum CollectorEvent {
    /// A decoded record (already written to the raw day log).
    Record(Record),
    /// Bytes as they crossed the socket, for the raw stream view (logins masked).
    Raw {
        site: Arc<str>,
        at: DateTime<Local>,
        direction: Direction,
        bytes: Vec<u8>,
    },
    /// The site's state or counters changed.
    Status { site: Arc<str>, status: SiteStatus },
    /// A line of the site's connection log (connects, logins, drops, errors, gaps), in words.
    Log {
        site: Arc<str>,
        at: DateTime<Local>,
        message: String,
    },
}

/// How one step of a connection test went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Ok,
    Failed,
    /// Information only (e.g. the warning about resident loggers).
    Note,
}

/// One step of a connection test, reported as it happens.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeStep {
    /// What was tried: "resolve", "TCP connect", "login sent", "first bytes", "first record"…
    pub label: String,
    /// Time since the test started.
    pub elapsed: std::time::Duration,
    /// What happened, in words (addresses, hex with the password masked, the record…).
    pub detail: String,
    pub outcome: StepOutcome,
}

/// The end of a connection test: success, and a verdict in words.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeVerdict {
    pub success: bool,
    pub verdict: String,
}
