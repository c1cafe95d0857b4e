//! `collect --history FILE` against a simulator: every record in the database, with the right
//! count; a second run the same day adds only its own records, and a rebuild finds nothing new.

use std::process::Command;

use smdr_monitor::history::{self, RecordQuery, Target};

use crate::cli::{run, simulate};

fn lines_in(db: &std::path::Path) -> Vec<(String, String, i64)> {
    let mut store = history::open(&Target::Embedded(db.to_path_buf())).unwrap();
    let mut keys = Vec::new();
    store
        .records(&RecordQuery::default(), &mut |l| {
            keys.push((l.site.clone(), l.origin.clone(), l.line));
            Ok(())
        })
        .unwrap();
    keys
}

#[test]
fn collect_writes_the_history_and_a_restart_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let db = dir.path().join("history.sqlite3");
    let collect = |count: &str| {
        let (_sim, addr) = simulate(&["appsuite://127.0.0.1:0", "--rate", "200", "--count", count]);
        run(&[
            "collect",
            "--site",
            &format!("Shop=appsuite://{addr}"),
            "--log-dir",
            &logs.display().to_string(),
            "--history",
            &db.display().to_string(),
            "--for",
            "5s",
            "-v",
        ])
    };
    let (code, out, err) = collect("30");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains(&format!("history: written to {}", db.display())),
        "{err}"
    );
    assert!(err.contains("history: up to date"), "{err}");
    let first = lines_in(&db);
    assert_eq!(first.len(), 30, "{err}");
    assert!(first.iter().all(|(site, _, _)| site == "Shop"));

    // Started again the same day: a new raw day log, its 10 records added, none twice.
    let (code, out, err) = collect("10");
    assert_eq!(code, 0, "{out}{err}");
    let mut second = lines_in(&db);
    assert_eq!(second.len(), 40, "{err}");
    second.sort();
    second.dedup();
    assert_eq!(second.len(), 40, "a record stored twice");

    // Every raw day log read again: all there already.
    let sites = dir.path().join("sites.toml");
    std::fs::write(&sites, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .args(["history", "--history", &db.display().to_string(), "rebuild"])
        .args(["--log-dir", &logs.display().to_string()])
        .args(["--config", &sites.display().to_string()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("40 lines from 2 raw day logs"), "{err}");
    assert!(err.contains(": 0 new, 40 there already"), "{err}");
    assert_eq!(lines_in(&db).len(), 40);
}

#[test]
fn collect_without_history_writes_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, addr) = simulate(&["mivb://127.0.0.1:0", "--rate", "200", "--count", "5"]);
    let (code, out, err) = run(&[
        "collect",
        "--site",
        &format!("Branch=mivb://{addr}"),
        "--log-dir",
        &dir.path().display().to_string(),
        "--no-history",
        "--for",
        "2s",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("history: not written (--no-history)"), "{err}");
    assert!(!dir.path().join("history.sqlite3").exists());
}
