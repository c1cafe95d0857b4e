//! The command line, as a technician runs it: `simulate`, `probe`, `collect`, `decode`.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::harness::{free_port, raw_log_files};

pub(crate) struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `smdr-monitor simulate` and returns it with the address it listens on.
pub(crate) fn simulate(args: &[&str]) -> (Spawned, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .arg("simulate")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let addr = line.split_whitespace().last().unwrap().to_string();
    (Spawned(child), addr)
}

pub(crate) fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn probe_against_simulate() {
    let (_sim, addr) = simulate(&[
        "mitel5000://127.0.0.1:0",
        "--password",
        "pw1234",
        "--rate",
        "5",
    ]);
    let url = format!("mitel5000://{addr}");
    let (code, out, err) = run(&["probe", &url, "--password", "pw1234", "--timeout", "10s"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("first record") && out.contains("OK: connected to"),
        "{out}"
    );
    assert!(out.contains("08 00 00 00 84 ** ** ** ** ** ** 00"), "{out}");
    let (code, out, _) = run(&["probe", &url, "--password", "nope12", "--timeout", "10s"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED: ") && out.contains("wrong SMDR password"),
        "{out}"
    );
    assert!(!out.contains("pw1234") && !out.contains("nope12"));
    // Nothing listening: refused, in words.
    let closed = format!("mivb://127.0.0.1:{}", free_port());
    let (code, out, _) = run(&["probe", &closed, "--timeout", "5s"]);
    assert_eq!(code, 1);
    assert!(out.contains("refused the connection"), "{out}");
}

#[test]
fn collect_for_a_while_then_export() {
    let (_sim, addr) = simulate(&[
        "appsuite://127.0.0.1:0",
        "--rate",
        "200",
        "--count",
        "30",
        "--fault",
        "split",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("calls.jsonl");
    let (code, out, err) = run(&[
        "collect",
        "--site",
        &format!("Shop=appsuite://{addr}"),
        "--log-dir",
        &dir.path().display().to_string(),
        "--for",
        "5s",
        "--export",
        &export.display().to_string(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("Shop: receiving"), "{err}");
    assert!(err.contains("30 records exported"), "{err}");
    let exported = fs::read_to_string(&export).unwrap();
    assert_eq!(exported.lines().count(), 30);
    let first: serde_json::Value = serde_json::from_str(exported.lines().next().unwrap()).unwrap();
    assert_eq!(first["format"], "appsuite");
    assert_eq!(first["kind"], "event");
    assert!(first["source"].as_str().unwrap().contains("Shop.") && first["call_id"].is_string());
    let logs = raw_log_files(&dir.path().join("Shop"));
    assert_eq!(logs.len(), 1);
    assert_eq!(fs::read_to_string(&logs[0]).unwrap().lines().count(), 30);
    // `decode` reads the raw log back with the same records.
    let (code, decoded, _) = run(&["decode", &logs[0].display().to_string()]);
    assert_eq!(code, 0);
    assert_eq!(decoded, exported);
}

/// Raw day logs and their unparsed lines: junk lines (bytes ≥ 0x80) must be the only ones.
fn check_raw_logs_decode(dir: &Path) -> usize {
    let logs = raw_log_files(dir);
    assert_eq!(logs.len(), 1, "{}", dir.display());
    let data = fs::read(&logs[0]).unwrap();
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let junk = lines.iter().filter(|l| !l.is_ascii()).count();
    let (code, _, err) = run(&["decode", &logs[0].display().to_string()]);
    assert_eq!(code, 0);
    assert!(
        err.contains(&format!("{} records decoded, {junk} unparsed", lines.len())),
        "{err}"
    );
    lines.len()
}

#[test]
fn probe_and_collect_every_mode_with_faults_on() {
    for scheme in ["mitel5000", "appsuite", "mivb", "appsuite-push"] {
        let faults = [
            "--rate",
            "50",
            "--password",
            "pw",
            "--fault",
            "split,drop,garbage",
        ];
        let (_sim, url) = if scheme == "appsuite-push" {
            let url = format!("appsuite-push://127.0.0.1:{}", free_port());
            let (sim, _) = simulate(&[&[url.as_str()][..], &faults].concat());
            (sim, url)
        } else {
            let listen = format!("{scheme}://127.0.0.1:0");
            let (sim, addr) = simulate(&[&[listen.as_str()][..], &faults].concat());
            (sim, format!("{scheme}://{addr}"))
        };
        let (code, out, err) = run(&["probe", &url, "--password", "pw", "--timeout", "15s"]);
        assert_eq!(code, 0, "{scheme}: {out}{err}");
        let dir = tempfile::tempdir().unwrap();
        let (code, out, err) = run(&[
            "collect",
            "--site",
            &format!("S={url}"),
            "--password",
            "pw",
            "--log-dir",
            &dir.path().display().to_string(),
            "--for",
            "3s",
        ]);
        assert_eq!(code, 0, "{scheme}: {out}{err}");
        assert!(err.contains("S: receiving"), "{scheme}: {err}");
        assert!(check_raw_logs_decode(&dir.path().join("S")) > 0, "{scheme}");
    }
}

#[cfg(unix)]
#[test]
fn collect_stops_cleanly_on_ctrl_c() {
    use crate::harness::WAIT;
    use std::time::Instant;

    let (_sim, addr) = simulate(&["mivb://127.0.0.1:0", "--rate", "100"]);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("out.csv");
    let child = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .args(["collect", "--site", &format!("M=mivb://{addr}")])
        .arg("--log-dir")
        .arg(dir.path())
        .arg("--export")
        .arg(&export)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Spawned(child);
    let until = Instant::now() + WAIT;
    while raw_log_files(&dir.path().join("M")).is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let pid = child.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let until = Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < until, "collect did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("M: stopped"), "{err}");
    let raw = check_raw_logs_decode(&dir.path().join("M"));
    let exported = fs::read_to_string(&export).unwrap().lines().count();
    assert_eq!(
        exported,
        raw + 1,
        "every record exported, after the CSV header"
    );
}

/// A log dir that cannot be written: the warning is on stderr without -v, once, the export
/// still has every record, and `collect` fails at the end saying how many were not saved.
#[test]
fn collect_into_an_unwritable_log_dir_is_loud_and_fails() {
    let (_sim, addr) = simulate(&["mivb://127.0.0.1:0", "--rate", "200", "--count", "20"]);
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: unwritable even for root.
    let not_a_dir = dir.path().join("logs");
    fs::write(&not_a_dir, b"").unwrap();
    let export = dir.path().join("out.jsonl");
    let (code, out, err) = run(&[
        "collect",
        "--site",
        &format!("M=mivb://{addr}"),
        "--log-dir",
        &not_a_dir.display().to_string(),
        "--for",
        "5s",
        "--export",
        &export.display().to_string(),
    ]);
    assert_ne!(code, 0, "{out}{err}");
    assert_eq!(
        err.matches("M: WARNING: records are NOT saved — cannot write the raw day log in ")
            .count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("M: 20 records, 0 unparsed, 20 NOT saved"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "20 records could not be written to the raw day logs in {} and are NOT saved there (the export has them)",
            not_a_dir.display()
        )),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&export).unwrap().lines().count(), 20);
}

/// A --config that does not exist is an error naming it, with or without --site; sites whose
/// names make one log folder are refused.
#[test]
fn collect_refuses_a_missing_config_and_sites_sharing_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let missing_arg = missing.display().to_string();
    for extra in [&[][..], &["--site", "A=mivb://127.0.0.1:1"][..]] {
        let args = [
            &["collect", "--config", &missing_arg, "--for", "1s"][..],
            extra,
        ]
        .concat();
        let (code, _, err) = run(&args);
        assert_ne!(code, 0, "{err}");
        assert!(
            err.contains(&format!("the site list {missing_arg} does not exist")),
            "{err}"
        );
    }
    let (code, _, err) = run(&[
        "collect",
        "--site",
        "A B=mivb://127.0.0.1:1",
        "--site",
        "a_b=mivb://127.0.0.1:2",
        "--for",
        "1s",
    ]);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains(r#"sites "A B" and "a_b" would share one log folder ("A_B")"#),
        "{err}"
    );
    // The same in a site list.
    let config = dir.path().join("sites.toml");
    fs::write(
        &config,
        "[[site]]\nname = \"HQ\"\nprotocol = \"mivb\"\nhost = \"127.0.0.1\"\n\n[[site]]\nname = \"hq\"\nprotocol = \"mivb\"\nhost = \"127.0.0.2\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&["collect", "--config", &config.display().to_string()]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains(r#"has sites "HQ" and "hq""#), "{err}");
}
