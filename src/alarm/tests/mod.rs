//! The evaluator fed records, calls, links and ticks as the engine feeds it.

mod rules;
mod sites;

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::check::Checker;
use super::config::{AlarmsConfig, RuleKind};
use super::{Alarm, Evaluator};
use crate::protocol::{DecodeOptions, Format, StreamDecoder};

/// The defaults, with `names` switched on as well, changed by `f`.
fn config(names: &[&str], f: impl FnOnce(&mut AlarmsConfig)) -> AlarmsConfig {
    let mut c = AlarmsConfig::default();
    for r in &mut c.rules {
        if names.contains(&r.name.as_str()) {
            r.enabled = true;
        }
    }
    f(&mut c);
    c
}

fn rule_mut<'a>(c: &'a mut AlarmsConfig, name: &str) -> &'a mut RuleKind {
    &mut c
        .rules
        .iter_mut()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no rule {name}"))
        .kind
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Records of one site, decoded and evaluated as they would arrive live.
struct Feed {
    checker: Checker,
    site: Arc<str>,
    decoders: Vec<(Format, StreamDecoder)>,
}

impl Feed {
    fn new(config: &AlarmsConfig) -> Self {
        Self::at_site(config, "HQ")
    }

    fn at_site(config: &AlarmsConfig, site: &str) -> Self {
        let decoders = [Format::Mitel5000, Format::AppSuite, Format::Mivb]
            .into_iter()
            .map(|f| {
                (
                    f,
                    StreamDecoder::new(DecodeOptions {
                        format: Some(f),
                        ..Default::default()
                    }),
                )
            })
            .collect();
        Self {
            checker: Checker::new(Evaluator::new(config).unwrap_or_else(|e| panic!("{e}"))),
            site: site.into(),
            decoders,
        }
    }

    fn eval(&mut self) -> &mut Evaluator {
        &mut self.checker.evaluator
    }

    /// `text` in `format`, received at `received` (RFC 3339).
    fn record(&mut self, format: Format, text: &str, received: &str) -> Vec<Alarm> {
        let received = Some(at(received));
        let decoder = &mut self
            .decoders
            .iter_mut()
            .find(|(f, _)| *f == format)
            .unwrap_or_else(|| panic!("no decoder for {format:?}"))
            .1;
        let d = decoder.decode(text, received);
        assert_ne!(
            d.kind(),
            crate::protocol::Kind::Unparsed,
            "{text:?}: {:?}",
            d.body
        );
        let mut out = Vec::new();
        self.checker.push(&self.site, received, &d, &mut out);
        out
    }

    fn texts(&mut self, format: Format, text: &str, received: &str) -> Vec<String> {
        self.record(format, text, received)
            .into_iter()
            .map(|a| a.text)
            .collect()
    }
}

/// A 5000 call record: `LOC 2101 94101 911 … 14:02 00:00:30`.
fn m5k(typ: &str, ext: &str, digits: &str, start: &str, elapsed: &str) -> String {
    format!(
        "{typ:<3} {ext:<5} {:<5} {digits:<28} {start} {elapsed:>8} {:<6} {:<12} ",
        "94101", "$00.00", ""
    )
}

/// An App Suite event on the 162-character layout.
fn app(
    stamp: &str,
    dir: &str,
    call_id: &str,
    ext: &str,
    number: &str,
    ddi: &str,
    event: &str,
) -> String {
    format!(
        "{stamp} |{dir:<3}| {call_id} {:0>7} {ext:0>7} {:0>7} {number:0>15} |{:<14}| {ddi:0>15} |{:<10}| {:0>12} |{event:<12}|",
        "92101", "", "", "", ""
    )
}

/// A MiVB standard line: calling party, digits, called party, start `mm/dd hh:mm`, duration.
fn mivb(
    calling: &str,
    digits: &str,
    completion: &str,
    called: &str,
    start: &str,
    duration: &str,
) -> String {
    let mut b = [b' '; 90];
    let mut put = |col: usize, s: &str| b[col..col + s.len()].copy_from_slice(s.as_bytes());
    put(1, start);
    put(14, duration);
    put(23, calling);
    put(29, "005");
    put(33, digits);
    put(59, completion);
    put(61, called);
    put(85, "000");
    String::from_utf8(b.to_vec()).unwrap_or_else(|e| panic!("{e}"))
}
