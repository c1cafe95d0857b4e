//! Alarms: rules over what the engine sees (records, calls, site connections, raw-log writes),
//! and their delivery (desktop, webhook, email, the alarm log).
//!
//! - [`config`]: `alarms.toml` — rules, business hours, delivery; defaults when there is none;
//! - [`pattern`]: number patterns and presets, matched without allocating;
//! - [`hours`]: a site's business hours in its time zone;
//! - [`rules`]: the rules compiled once;
//! - [`eval`]: the [`Evaluator`], pure (no I/O, no clock, no tokio): fed records, calls, link
//!   changes, raw-log failures and ticks, it returns [`Alarm`]s;
//! - [`check`]: the evaluator and a call tracker over saved logs (`alarms check`, tests);
//! - [`deliver`]: the [`Dispatcher`](deliver::Dispatcher), one named thread and bounded queue
//!   per channel, so a channel that is down never slows the engine.
//!
//! The engine owns one `Evaluator` and one `Dispatcher`; every alarm the evaluator returns goes
//! to the dispatcher (`send` never blocks) and to whoever shows alarms (the window).

pub mod check;
pub mod config;
pub mod deliver;
pub mod eval;
mod facts;
pub mod hours;
pub mod pattern;
mod record;
pub mod rules;
mod words;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub use config::{AlarmsConfig, ConfigError, Severity, default_alarms_path};
pub use eval::{Evaluator, Link};
pub use pattern::Preset;
pub use rules::Rules;

/// One alarm: what happened, where, which rule saw it, and what it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// When it happened: the record's receipt time (else its printed time in the site's zone),
    /// the call's end, or the tick that found a site down or silent.
    pub at: DateTime<FixedOffset>,
    pub site: String,
    pub rule: String,
    pub severity: Severity,
    /// In words: "Extension 2101 dialled 911 at 14:02:11 on HQ".
    pub text: String,
    /// The record that showed it (App Suite: the first event that did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordRef>,
    /// The call it concerns (App Suite call id; calls view id for 5000 and MiVB calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    /// A test alarm (`alarms test`, "Send test alarm"), not a real event.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
}

/// A record, by what finds it again in the store or a raw day log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    /// Receipt time (live collection, raw day logs); `None` for captures and text logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<DateTime<FixedOffset>>,
    pub text: String,
    /// `file:line` when it came from a file (`alarms check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Alarm {
    /// One line for a desktop notification title or a mail subject: "CRITICAL Emergency call
    /// on HQ".
    pub fn title(&self) -> String {
        let test = if self.test { "TEST " } else { "" };
        format!(
            "{test}{} {} on {}",
            self.severity.as_str().to_uppercase(),
            self.rule,
            self.site
        )
    }
}

#[cfg(test)]
mod tests;
