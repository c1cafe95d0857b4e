//! The alarm channel to the history database: every alarm as a row of its `alarms` table, beside
//! the records and calls it concerns. The engine's, not the alarms': it needs the history. Opened on the channel's own thread at the first alarm, and again after a
//! failure (the dispatcher retries with backoff).

use crate::alarm::Alarm;
use crate::alarm::deliver::{Channel, DeliveryError};
use crate::history::{AlarmRow, HistoryStore, Target};

pub struct HistoryChannel {
    target: Target,
    store: Option<Box<dyn HistoryStore>>,
}

impl HistoryChannel {
    pub fn new(target: Target) -> Self {
        Self {
            target,
            store: None,
        }
    }

    /// Where alarms go: the history database `settings.toml` names, else the embedded one when
    /// it exists already (alarms alone never create a history).
    pub fn configured() -> Option<Target> {
        let settings = crate::history::target::default_settings_path();
        match crate::history::target::target_from_settings(&settings) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                let path = crate::history::target::default_embedded_path();
                path.exists().then_some(Target::Embedded(path))
            }
            Err(e) => {
                tracing::warn!("alarms are not written to the history database: {e}");
                None
            }
        }
    }
}

/// The history channel, when `settings.toml` or an existing embedded database gives it a
/// database: what [`crate::alarm::deliver::channels`] is handed.
pub fn history_channel() -> Option<Box<dyn Channel>> {
    HistoryChannel::configured().map(|t| Box::new(HistoryChannel::new(t)) as Box<dyn Channel>)
}

/// The alarm as its table keeps it.
pub fn row(a: &Alarm) -> AlarmRow {
    let record = a.record.as_ref();
    AlarmRow {
        at_ms: a.at.timestamp_millis(),
        utc_offset_s: a.at.offset().local_minus_utc(),
        day: a.at.format("%Y-%m-%d").to_string(),
        site: a.site.clone(),
        rule: a.rule.clone(),
        severity: a.severity.as_str().to_string(),
        text: a.text.clone(),
        record_received_at: record
            .and_then(|r| r.received)
            .map(|t| t.timestamp_millis()),
        record_raw: record.map(|r| r.text.clone()),
        call_id: a.call_id.clone(),
        test: a.test,
    }
}

impl Channel for HistoryChannel {
    fn name(&self) -> &'static str {
        "history"
    }

    fn target(&self) -> String {
        self.target.to_string()
    }

    fn deliver(&mut self, alarm: &Alarm) -> Result<String, DeliveryError> {
        let store = match &mut self.store {
            Some(s) => s,
            None => self.store.insert(
                crate::history::open(&self.target)
                    .map_err(|e| DeliveryError::retry(e.to_string()))?,
            ),
        };
        match store.add_alarm(&row(alarm)) {
            Ok(true) => Ok("written".into()),
            Ok(false) => Ok("there already".into()),
            Err(e) => {
                // Opened again at the next try (the server may have restarted).
                self.store = None;
                Err(DeliveryError::retry(e.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::{RecordRef, Severity};

    #[test]
    fn an_alarm_is_one_row_and_a_replay_adds_none() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("history.sqlite3");
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T14:02:11.250-06:00")
            .unwrap_or_else(|e| panic!("{e}"));
        let alarm = Alarm {
            at,
            site: "HQ".into(),
            rule: "Emergency call".into(),
            severity: Severity::Critical,
            text: "Extension 2101 dialled 911 at 14:02:11 on HQ".into(),
            record: Some(RecordRef {
                received: Some(at),
                text: "2026-11-30 14:02:11 |OUT| …".into(),
                source: None,
            }),
            call_id: Some("2026113014021100002101".into()),
            test: false,
        };
        let mut channel = HistoryChannel::new(Target::Embedded(path.clone()));
        assert_eq!(channel.deliver(&alarm), Ok("written".to_string()));
        assert_eq!(channel.deliver(&alarm), Ok("there already".to_string()));
        let r = row(&alarm);
        assert_eq!((r.utc_offset_s, r.day.as_str()), (-6 * 3600, "2026-11-30"));
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let (n, text, severity): (i64, String, String) = conn
            .query_row(
                "SELECT COUNT(*), MAX(text), MAX(severity) FROM alarms",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, 1);
        assert_eq!(text, alarm.text);
        assert_eq!(severity, "critical");
    }
}
