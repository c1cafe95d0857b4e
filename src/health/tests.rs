use std::sync::Arc;

use chrono::{Duration, Local};

use super::*;
use crate::collect::{Gap, RelayStatus};
use crate::engine::EngineEvent;

fn status(state: SiteState) -> SiteStatus {
    let now = Local::now();
    SiteStatus {
        state,
        records_today: 12,
        last_record: Some(now - Duration::seconds(5)),
        reconnects: 2,
        gaps: vec![Gap {
            from: now - Duration::minutes(30),
            to: now - Duration::minutes(20),
            cause: GapCause::NoConnection,
        }],
        unsaved: 3,
        raw_log_error: Some("disk full".into()),
        relay: RelayStatus {
            clients: 2,
            frames: 40,
            bytes: 4000,
            drops: 1,
            refused: 3,
        },
    }
}

fn status_event(site: &str, state: SiteState) -> CollectorEvent {
    CollectorEvent::Status {
        site: Arc::from(site),
        status: status(state),
    }
}

#[test]
fn figures_follow_the_events_of_configured_sites_only() {
    let health = Health::new();
    let mut stage = health.stage();
    let mut hq = SiteConfig::from_url("HQ \"main\"", "mitel5000://127.0.0.1:4000").unwrap();
    hq.relay.entries = vec!["listen 127.0.0.1:4001".into(), "push 127.0.0.1:4002".into()];
    let branch = SiteConfig::from_url("Branch", "mivb://127.0.0.1:1752").unwrap();
    stage.set_sites(&[hq.clone(), branch.clone()]);
    let mut out = Vec::new();
    stage.event(&status_event("HQ \"main\"", SiteState::Receiving), &mut out);
    stage.event(&status_event("Gone", SiteState::Receiving), &mut out);
    assert!(out.is_empty());

    let report = health.report();
    assert_eq!(report.sites.len(), 2);
    let s = &report.sites[0];
    assert_eq!(s.name, "HQ \"main\"");
    assert_eq!(s.protocol, "mitel5000");
    assert_eq!(s.state, "receiving");
    assert!(s.connected);
    assert_eq!(s.records_today, 12);
    assert_eq!(s.reconnects, 2);
    assert_eq!(s.raw_log_write_errors, 3);
    assert_eq!(s.raw_log_error.as_deref(), Some("disk full"));
    assert_eq!(s.gaps.len(), 1);
    assert_eq!(s.gaps[0].cause, "no_connection");
    let since = s.seconds_since_last_record.unwrap();
    assert!((4.0..60.0).contains(&since), "{since}");
    let relay = RelayReport {
        listeners: 2,
        clients: 2,
        frames: 40,
        bytes: 4000,
        drops: 1,
        refused: 3,
    };
    assert_eq!(s.relay, relay);
    let b = &report.sites[1];
    assert_eq!((b.state.as_str(), b.connected), ("starting", false));
    assert_eq!(b.seconds_since_last_record, None);
    assert_eq!(report.history, None);
    assert_eq!(report.alarms, None);

    let text = metrics::render(&report);
    assert!(
        text.contains("smdr_site_connected{site=\"HQ \\\"main\\\"\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("smdr_site_connected{site=\"Branch\"} 0\n"),
        "{text}"
    );
    assert!(text.contains("smdr_site_state{site=\"Branch\",state=\"starting\"} 1\n"));
    assert!(text.contains("smdr_raw_log_write_errors_total{site=\"Branch\"} 0\n"));
    assert!(text.contains("# TYPE smdr_reconnects_total counter\n"));
    assert!(
        text.contains("smdr_relay_listeners{site=\"HQ \\\"main\\\"\"} 2\n"),
        "{text}"
    );
    assert!(text.contains("smdr_relay_drops_total{site=\"HQ \\\"main\\\"\"} 1\n"));
    assert!(text.contains("smdr_relay_clients{site=\"Branch\"} 0\n"));
    assert!(!text.contains("smdr_seconds_since_last_record{site=\"Branch\"}"));
    assert!(!text.contains("Gone"));

    // Removing a site drops its figures; keeping one keeps them.
    stage.set_sites(std::slice::from_ref(&hq));
    let report = health.report();
    assert_eq!(report.sites.len(), 1);
    assert_eq!(report.sites[0].records_today, 12);
}

#[test]
fn history_and_alarms_appear_once_present() {
    let health = Health::new();
    let mut stage = health.stage();
    stage.set_sites(&[SiteConfig::from_url("HQ", "mivb://127.0.0.1:1752").unwrap()]);
    health.engine_event(&EngineEvent::History(HistoryStatus::Behind { records: 7 }));
    health.alarms_on();
    let report = health.report();
    let history = report.history.clone().unwrap();
    assert_eq!((history.state.as_str(), history.behind), ("behind", 7));
    assert_eq!(report.alarms, Some(AlarmsReport::default()));
    let text = metrics::render(&report);
    assert!(text.contains("smdr_history_behind_records 7\n"), "{text}");
    assert!(text.contains("smdr_history_up_to_date 0\n"));
    assert!(text.contains("smdr_alarms_raised_total{site=\"HQ\"} 0\n"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["history"]["state"], "behind");
    assert_eq!(json["sites"][0]["name"], "HQ");
}
