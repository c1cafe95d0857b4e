//! The connection test against a stream of another protocol: one step for the skipped bytes,
//! a verdict that says bytes arrived and what they look like, and product names said once.

use std::time::Duration;

use smdr_monitor::collect::{ProbeReport, ProbeStep, ProbeVerdict, StepOutcome};
use smdr_monitor::sim::Faults;

use crate::harness::*;

/// Probes `url` as `scheme` for `timeout`: the steps and the verdict.
fn probe(
    h: &Harness,
    scheme: &str,
    addr: &str,
    timeout: Duration,
) -> (Vec<ProbeStep>, ProbeVerdict) {
    let rx = h
        .collector()
        .probe(site("Probe", &format!("{scheme}://{addr}")), timeout);
    let mut steps = Vec::new();
    while let Ok(r) = rx.recv_timeout(WAIT) {
        match r {
            ProbeReport::Step(s) => steps.push(s),
            ProbeReport::Done(v) => return (steps, v),
        }
    }
    panic!("no verdict after {steps:?}");
}

#[test]
fn probing_the_wrong_protocol_says_what_arrived() {
    let rt = sim_runtime();
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(dir.path());
    let mivb = sim(&rt, "mivb://127.0.0.1:0", 1_000_000, Faults::default());
    let addr = mivb.local_addr().unwrap().to_string();

    // MiVB lines read as 5000 frames: skipped runs, told once, and a verdict in words.
    let (steps, v) = probe(&h, "mitel5000", &addr, Duration::from_secs(3));
    assert!(!v.success);
    let skipped: Vec<&ProbeStep> = steps.iter().filter(|s| s.label == "not a record").collect();
    assert_eq!(skipped.len(), 1, "{steps:#?}");
    assert!(
        skipped[0].detail.contains(" frames were not records, ")
            && skipped[0]
                .detail
                .contains(" bytes skipped (first: length prefix "),
        "{}",
        skipped[0].detail
    );
    assert!(
        !steps
            .iter()
            .any(|s| s.label == "first bytes" && s.outcome == StepOutcome::Failed),
        "{steps:#?}"
    );
    let last = steps.last().unwrap();
    assert_eq!(
        (last.label.as_str(), last.outcome),
        ("first record", StepOutcome::Failed)
    );
    assert!(
        v.verdict.contains(
            " bytes arrived, but none decoded as Mitel 5000 / MiVoice Office 250 SMDR within 3.0 s: the bytes look like MiVoice Business SMDR — set the site's protocol to MiVoice Business (port 1752); in a URL, mivb://"
        ),
        "{}",
        v.verdict
    );

    // App Suite events read as MiVB lines: three undecodable lines, then the guess.
    let appsuite = sim(&rt, "appsuite://127.0.0.1:0", 1_000_000, Faults::default());
    let addr = appsuite.local_addr().unwrap().to_string();
    let (_, v) = probe(&h, "mivb", &addr, Duration::from_secs(10));
    assert!(!v.success);
    assert!(
        v.verdict.contains("3 lines in a row are not MiVoice Business SMDR")
            && v.verdict.contains("the bytes look like App Suite IP SMDR — set the site's protocol to App Suite IP SMDR, local mode"),
        "{}",
        v.verdict
    );

    // The right protocol: "App Suite IP SMDR" once, not "… SMDR SMDR".
    let (_, v) = probe(&h, "appsuite", &addr, Duration::from_secs(10));
    assert!(v.success, "{}", v.verdict);
    assert!(
        v.verdict
            .contains("receiving App Suite IP SMDR: the first record decoded")
            && !v.verdict.contains("SMDR SMDR"),
        "{}",
        v.verdict
    );
}
