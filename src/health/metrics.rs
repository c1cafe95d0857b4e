//! `/metrics`: the [`StatusReport`] in the Prometheus text exposition format (version 0.0.4).
//! Every metric is named `smdr_…`, with its HELP and TYPE lines, labelled by `site` (and
//! `format` or `state` where it says).

use std::fmt::Write;

use super::{STATES, SiteReport, StatusReport};

/// The content type Prometheus expects for this format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

type SiteValue = fn(&SiteReport) -> Option<f64>;

/// The per-site metrics: name, type, help, value (a site without a value has no sample).
const PER_SITE: &[(&str, &str, &str, SiteValue)] = &[
    (
        "smdr_site_connected",
        "gauge",
        "1 while the site is connected to its PBX (or its App Suite server is connected to us).",
        |s| Some(f64::from(u8::from(s.connected))),
    ),
    (
        "smdr_records_today",
        "gauge",
        "Records received today, counted from the raw day logs.",
        |s| Some(s.records_today as f64),
    ),
    (
        "smdr_unparsed_records_total",
        "counter",
        "Records received since the collector started that could not be decoded.",
        |s| Some(s.unparsed_received as f64),
    ),
    (
        "smdr_reconnects_total",
        "counter",
        "Connections made after the first one.",
        |s| Some(f64::from(s.reconnects)),
    ),
    (
        "smdr_seconds_since_last_record",
        "gauge",
        "Seconds since the site's last record (no sample before its first).",
        |s| s.seconds_since_last_record,
    ),
    (
        "smdr_gaps_today",
        "gauge",
        "Spans today when the site was not collected (records may be missing).",
        |s| Some(s.gaps.len() as f64),
    ),
    (
        "smdr_raw_log_write_errors_total",
        "counter",
        "Records received but not written to the raw day log.",
        |s| Some(s.raw_log_write_errors as f64),
    ),
    (
        "smdr_raw_log_failing",
        "gauge",
        "1 while the raw day log cannot be written (records are not being saved).",
        |s| Some(f64::from(u8::from(s.raw_log_error.is_some()))),
    ),
    (
        "smdr_relay_listeners",
        "gauge",
        "Relay entries (listen and push) configured for the site.",
        |s| Some(f64::from(s.relay.listeners)),
    ),
    (
        "smdr_relay_clients",
        "gauge",
        "Programs getting the site's feed through the relay now.",
        |s| Some(f64::from(s.relay.clients)),
    ),
    (
        "smdr_relay_frames_total",
        "counter",
        "Frames or lines handed to relay clients, counted once per client.",
        |s| Some(s.relay.frames as f64),
    ),
    (
        "smdr_relay_bytes_total",
        "counter",
        "Bytes handed to relay clients, counted once per client.",
        |s| Some(s.relay.bytes as f64),
    ),
    (
        "smdr_relay_drops_total",
        "counter",
        "Relay clients disconnected for falling too far behind.",
        |s| Some(s.relay.drops as f64),
    ),
    (
        "smdr_relay_refused_total",
        "counter",
        "Relay connections refused (not on the allow-list, wrong relay password).",
        |s| Some(s.relay.refused as f64),
    ),
];

/// The report as Prometheus text.
pub fn render(report: &StatusReport) -> String {
    let mut out = String::new();
    header(
        &mut out,
        "smdr_collector_start_time_seconds",
        "gauge",
        "When the collector started, in seconds since the Unix epoch.",
    );
    let started = report.started.timestamp_millis() as f64 / 1000.0;
    let _ = writeln!(out, "smdr_collector_start_time_seconds {started}");

    header(
        &mut out,
        "smdr_records_received_total",
        "counter",
        "Records received since the collector started, by site and format (unparsed included).",
    );
    for s in &report.sites {
        for (format, n) in &s.records_received {
            let _ = writeln!(
                out,
                "smdr_records_received_total{{site=\"{}\",format=\"{}\"}} {n}",
                escape(&s.name),
                escape(format)
            );
        }
    }

    header(
        &mut out,
        "smdr_site_state",
        "gauge",
        "The site's state: 1 for the state it is in, 0 for the others.",
    );
    for s in &report.sites {
        for state in STATES {
            let _ = writeln!(
                out,
                "smdr_site_state{{site=\"{}\",state=\"{state}\"}} {}",
                escape(&s.name),
                u8::from(s.state == state)
            );
        }
    }

    for (name, kind, help, value) in PER_SITE {
        header(&mut out, name, kind, help);
        for s in &report.sites {
            if let Some(v) = value(s) {
                let _ = writeln!(out, "{name}{{site=\"{}\"}} {v}", escape(&s.name));
            }
        }
    }

    if report.alarms.is_some() {
        header(
            &mut out,
            "smdr_alarms_raised_total",
            "counter",
            "Alarms raised since the collector started, by site.",
        );
        for s in &report.sites {
            let _ = writeln!(
                out,
                "smdr_alarms_raised_total{{site=\"{}\"}} {}",
                escape(&s.name),
                s.alarms_raised
            );
        }
    }
    if let Some(history) = &report.history {
        header(
            &mut out,
            "smdr_history_up_to_date",
            "gauge",
            "1 while everything received is in the history database.",
        );
        let up = u8::from(history.state == "up_to_date");
        let _ = writeln!(out, "smdr_history_up_to_date {up}");
        header(
            &mut out,
            "smdr_history_behind_records",
            "gauge",
            "Records received but not yet in the history database.",
        );
        let _ = writeln!(out, "smdr_history_behind_records {}", history.behind);
    }
    out
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the format wants it: backslash, double quote and line feed escaped.
fn escape(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}
