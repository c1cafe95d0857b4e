//! Alarm rule evaluation per record with 100 rules (target ≤ 1 µs a record): what the engine
//! adds to each record it receives. The records are the simulator's busy traffic of one format
//! on a Monday morning, decoded beforehand; each sample evaluates all of them with a fresh
//! evaluator (`Evaluator::record`), its rules compiled beforehand: the ten default rules all
//! switched on, and 90 number rules of exact numbers, prefixes and patterns (about 200
//! patterns, presets included). Under `cargo test` each benchmark runs once, on 200 records.

mod common;

use std::sync::{Arc, LazyLock};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use smdr_monitor::alarm::config::{NumberRule, Rule, RuleKind, Sites};
use smdr_monitor::alarm::pattern::Preset;
use smdr_monitor::alarm::{AlarmsConfig, Evaluator, Rules, Severity};
use smdr_monitor::protocol::{DecodeOptions, Decoded, Format, StreamDecoder};
use smdr_monitor::sim::{Generator, TrafficFormat};

use common::{BUSY_RATE, size};

fn main() {
    divan::main();
}

/// Records per sample.
fn records() -> usize {
    size(10_000, 200)
}

/// 100 rules: the defaults, all on, and 90 number rules.
fn config() -> AlarmsConfig {
    let mut c = AlarmsConfig::default();
    for r in &mut c.rules {
        r.enabled = true;
    }
    let mut n = 0;
    while c.rules.len() < 100 {
        n += 1;
        let numbers = match n % 6 {
            // An area code or exchange a customer wants to hear about.
            0 => vec![format!("1-{}-*", 200 + n * 7)],
            1 => vec![format!("1NXX{:03}XXXX", n * 3)],
            2 => vec![format!("{:04}", 4000 + n), format!("{:04}", 5000 + n)],
            3 => vec![format!("0044{}*", 20 + n)],
            4 => vec![format!("9{:03}XXX*", n)],
            _ => vec![format!("{}X{}55501XX", n % 10, (n * 3) % 10)],
        };
        c.rules.push(Rule {
            name: format!("Watch {n}"),
            enabled: true,
            sites: if n % 4 == 0 {
                Sites::Only(vec!["HQ".into(), "Branch".into()])
            } else {
                Sites::All
            },
            severity: Severity::Warning,
            kind: RuleKind::Number(NumberRule {
                numbers,
                presets: if n % 15 == 0 {
                    vec![Preset::Premium]
                } else {
                    Vec::new()
                },
                ..NumberRule::default()
            }),
        });
    }
    c
}

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    let c = config();
    assert_eq!(c.rules.len(), 100);
    Rules::compile(&c).expect("the bench's rules compile")
});

type Sample = (Vec<DateTime<FixedOffset>>, Vec<Decoded<'static>>);

/// The lines of `format`, with receipt times, decoded (texts kept for the program's life).
fn sample(format: TrafficFormat) -> Sample {
    let start = NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default();
    let mut g = Generator::with_rate(format, 15, start, BUSY_RATE);
    let lines: &'static [_] = (0..records())
        .map(|_| g.next_line())
        .collect::<Vec<_>>()
        .leak();
    let offset = FixedOffset::west_opt(6 * 3600).unwrap_or_else(|| unreachable!());
    let received: Vec<_> = lines
        .iter()
        .map(|l| {
            offset
                .from_local_datetime(&l.at)
                .single()
                .unwrap_or_default()
        })
        .collect();
    let f = match format {
        TrafficFormat::Mitel5000 => Format::Mitel5000,
        TrafficFormat::AppSuite => Format::AppSuite,
        TrafficFormat::Mivb => Format::Mivb,
    };
    let mut decoder = StreamDecoder::new(DecodeOptions {
        format: Some(f),
        ..Default::default()
    });
    let decoded = lines
        .iter()
        .zip(&received)
        .map(|(l, r)| decoder.decode(&l.text, Some(*r)))
        .collect();
    (received, decoded)
}

static MITEL5000: LazyLock<Sample> = LazyLock::new(|| sample(TrafficFormat::Mitel5000));
static APPSUITE: LazyLock<Sample> = LazyLock::new(|| sample(TrafficFormat::AppSuite));
static MIVB: LazyLock<Sample> = LazyLock::new(|| sample(TrafficFormat::Mivb));

fn evaluate(bencher: Bencher, (received, decoded): &Sample) {
    let site: Arc<str> = "HQ".into();
    let mut alarms = Vec::new();
    let mut e = Evaluator::with_rules(RULES.clone());
    for (d, r) in decoded.iter().zip(received) {
        e.record(&site, Some(*r), d, &mut alarms);
    }
    // The simulator's random numbers match now and then (a `09…` local number is premium-rate
    // to the preset): the matching path is measured too, but most records match nothing.
    assert!(alarms.len() < decoded.len() / 5, "{} alarms", alarms.len());
    bencher
        .counter(ItemsCount::new(decoded.len()))
        .with_inputs(|| {
            (
                Evaluator::with_rules(RULES.clone()),
                Vec::with_capacity(1024),
            )
        })
        .bench_local_values(|(mut e, mut out)| {
            for (d, r) in decoded.iter().zip(received) {
                e.record(&site, Some(*r), black_box(d), &mut out);
            }
            black_box(out.len());
            (e, out)
        });
}

#[divan::bench(sample_count = 50)]
fn mitel5000_records(bencher: Bencher) {
    evaluate(bencher, &MITEL5000);
}

#[divan::bench(sample_count = 50)]
fn appsuite_events(bencher: Bencher) {
    evaluate(bencher, &APPSUITE);
}

#[divan::bench(sample_count = 50)]
fn mivb_records(bencher: Bencher) {
    evaluate(bencher, &MIVB);
}
