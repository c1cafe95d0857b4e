use super::*;
use crate::protocol::Kind;

fn no_wake() -> Wake {
    Arc::new(|| {})
}

fn finish(rx: Receiver<JobEvent>) -> (Store, Result<String, JobError>) {
    let mut store = Store::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(JobEvent::Records(batch)) => store.append(batch),
            Ok(JobEvent::Progress { done, total }) => assert!(done <= total),
            Ok(JobEvent::Rebuilt { store: s, .. }) => store = s,
            Ok(JobEvent::Finished(r)) => return (store, r),
            Ok(_) => {}
            Err(e) => panic!("job did not finish: {e}"),
        }
    }
}

fn imported(paths: &[&str]) -> (Store, Result<String, JobError>) {
    let files = paths
        .iter()
        .map(|p| PathBuf::from(format!("tests/fixtures/{p}")))
        .collect();
    finish(import(files, DecodeOptions::default(), no_wake()))
}

#[test]
fn imports_logs_and_captures_as_sources_named_after_files() {
    let (store, result) = imported(&[
        "mitel5000/seed-debug-output.txt",
        "mitel5000/socket-stream.bin",
    ]);
    let summary = result.unwrap();
    assert!(
        summary.starts_with("imported 16 records from 2 files, 3 of them not decoded"),
        "{summary}"
    );
    assert_eq!(
        store.sites().iter().map(|s| &**s).collect::<Vec<_>>(),
        ["seed-debug-output.txt", "socket-stream.bin"]
    );
    let calls = store.iter().filter(|r| r.kind() == Kind::Call).count();
    assert_eq!(calls, 4 + 6);
    let first_call = store.iter().find(|r| r.kind() == Kind::Call).unwrap();
    assert_eq!(
        first_call.date().date.map(|d| d.to_string()).as_deref(),
        Some("2012-04-07")
    );
}

/// Runs an import to its end: the store, the refusals and the summary.
fn import_files(files: Vec<ImportFile>) -> (Store, Vec<Refusal>, Vec<u64>, String) {
    let rx = import_as(files, no_wake());
    let (mut store, mut refused, mut counts) = (Store::new(), Vec::new(), Vec::new());
    loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(JobEvent::Records(batch)) => store.append(batch),
            Ok(JobEvent::Refused(r)) => refused.push(r),
            Ok(JobEvent::Imported { records, .. }) => counts.push(records),
            Ok(JobEvent::Finished(r)) => return (store, refused, counts, r.unwrap()),
            Ok(_) => {}
            Err(e) => panic!("job did not finish: {e}"),
        }
    }
}

fn fixture(p: &str, anyway: bool) -> ImportFile {
    let path = PathBuf::from(format!("tests/fixtures/{p}"));
    ImportFile::named_after(path, DecodeOptions::default(), anyway)
}

#[test]
fn a_file_without_smdr_is_refused_unless_asked() {
    let (store, refused, counts, summary) = import_files(vec![
        fixture("other/apt-history.log", false),
        fixture("mitel5000/axxess-8520-records.txt", false),
    ]);
    assert_eq!(
        refused,
        [Refusal {
            path: "tests/fixtures/other/apt-history.log".into(),
            why: Refused::NoSmdr
        }]
    );
    assert_eq!(counts, [7]);
    assert_eq!(store.len(), 7);
    assert!(
        summary.starts_with("imported 7 records from 1 file"),
        "{summary}"
    );
    let (store, refused, counts, _) = import_files(vec![fixture("other/apt-history.log", true)]);
    assert!(refused.is_empty());
    assert_eq!((store.len(), counts.as_slice()), (8, &[8][..]));
    assert!(store.iter().all(|r| r.kind() == Kind::Unparsed));
}

#[test]
fn a_connection_log_is_not_imported_as_records() {
    let (store, refused, counts, summary) =
        import_files(vec![fixture("other/HQ.20261129.connection.log", true)]);
    assert_eq!(refused[0].why, Refused::ConnectionLog);
    assert!(
        refused[0]
            .to_string()
            .ends_with("HQ.20261129.connection.log is a connection log, not SMDR")
    );
    assert!(store.is_empty() && counts.is_empty());
    assert_eq!(summary, "nothing imported");
}

#[test]
fn a_file_is_opened_once_and_closing_it_forgets_it() {
    let mut open = OpenFiles::default();
    let options = DecodeOptions::default();
    let axxess = PathBuf::from("tests/fixtures/mitel5000/axxess-8520-records.txt");
    let (take, refused) = open.claim(vec![axxess.clone()], &options, false);
    assert_eq!(take.len(), 1);
    assert!(refused.is_empty());
    assert_eq!(open.list().count(), 0, "listed once imported");
    open.imported(&take[0].origin(), 7);
    // The same file by another path, and twice in one request.
    let again = PathBuf::from("tests/fixtures/mitel5000/../mitel5000/axxess-8520-records.txt");
    let seed = PathBuf::from("tests/fixtures/mitel5000/seed-debug-output.txt");
    let (take, refused) = open.claim(
        vec![again.clone(), seed.clone(), seed.clone()],
        &options,
        false,
    );
    assert_eq!(
        take.iter().map(|f| f.path.as_path()).collect::<Vec<_>>(),
        [seed.as_path()]
    );
    assert_eq!(
        refused.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            format!("already open: {}", again.display()),
            format!("already open: {}", seed.display())
        ]
    );
    open.release(&seed);
    let closed = open.close(&axxess.display().to_string()).unwrap();
    assert_eq!(closed.records, Some(7));
    assert_eq!(open.list().count(), 0);
    let (take, _) = open.claim(vec![axxess, seed], &options, false);
    assert_eq!(take.len(), 2, "closed and released files open again");
}

#[test]
fn closing_a_file_rebuilds_the_store_without_its_rows() {
    let (store, _, _, _) = import_files(vec![
        fixture("mitel5000/axxess-8520-records.txt", false),
        fixture("appsuite/manual-examples-162.txt", false),
    ]);
    let all = store.len();
    let site: Arc<str> = "axxess-8520-records.txt".into();
    let origin: Arc<str> = "tests/fixtures/mitel5000/axxess-8520-records.txt".into();
    let (rebuilt, r) = finish(close_file(store, site, origin, no_wake()));
    assert_eq!(
        r.unwrap(),
        "closed tests/fixtures/mitel5000/axxess-8520-records.txt: 7 records removed"
    );
    assert_eq!(rebuilt.len(), all - 7);
    assert_eq!(
        rebuilt.sites().iter().map(|s| &**s).collect::<Vec<_>>(),
        ["manual-examples-162.txt"]
    );
    assert!(rebuilt.iter().all(|r| r.kind() == Kind::Event));
}

#[test]
fn a_missing_file_is_an_error_in_words() {
    let (_, result) = imported(&["no/such/file.log"]);
    assert!(
        result
            .unwrap_err()
            .to_string()
            .starts_with("cannot read tests/fixtures/no/such/file.log")
    );
}

/// An export file as the tests read it.
enum Written {
    Csv(String),
    /// The first line.
    Json(serde_json::Value),
    /// The first sheet's XML.
    Xlsx(String),
}

fn read_export(path: &Path, format: ExportFormat) -> Written {
    match format {
        ExportFormat::Csv => Written::Csv(std::fs::read_to_string(path).unwrap()),
        ExportFormat::Json => {
            let text = std::fs::read_to_string(path).unwrap();
            Written::Json(serde_json::from_str(text.lines().next().unwrap()).unwrap())
        }
        ExportFormat::Xlsx => Written::Xlsx(crate::export::tests::xlsx_sheet(path)),
    }
}

#[test]
fn exports_csv_json_and_xlsx() {
    let (store, _) = imported(&["appsuite/manual-examples-162.txt"]);
    let dir = tempfile::tempdir().unwrap();
    let snap = store.snapshot((0..store.len() as u32).rev());
    for format in ExportFormat::ALL {
        let path = dir.path().join(format!("day.{}", format.extension()));
        let (_, r) = finish(export(
            export::Exported::Records(store.snapshot(snap.iter().map(|r| r.id))),
            path.clone(),
            format,
            no_wake(),
        ));
        assert!(r.unwrap().starts_with("exported 20 records"));
        match read_export(&path, format) {
            Written::Csv(text) => {
                let lines: Vec<&str> = text.lines().collect();
                assert_eq!(lines.len(), 21);
                assert!(lines[0].starts_with("site,format,kind,source,date"));
                assert!(lines[1].starts_with("manual-examples-162.txt,appsuite,event,"));
            }
            Written::Json(first) => {
                assert_eq!(first["event"], "RINGING");
                assert_eq!(first["call_id"], "2012030901204052070264");
            }
            Written::Xlsx(sheet) => {
                assert!(sheet.contains("DISCONNECTED") && sheet.contains("CHRIS R MOBILE"));
                assert_eq!(sheet.matches("<row ").count(), 21);
            }
        }
    }
}

#[test]
fn the_history_tab_result_exports_page_by_page() {
    use crate::history::browse::{Browse, find_ids};
    use crate::history::ingest::{Ingest, import_file};
    let dir = tempfile::tempdir().unwrap();
    let target = crate::history::Target::Embedded(dir.path().join("h.sqlite3"));
    let mut store = crate::history::open(&target).unwrap();
    let path = Path::new("tests/fixtures/mitel5000/axxess-8520-records.txt");
    let mut ingest = Ingest::new(chrono::Duration::minutes(30));
    import_file(
        store.as_mut(),
        &mut ingest,
        path,
        &"HQ".into(),
        &DecodeOptions::default(),
    )
    .unwrap();
    let ids: Arc<[_]> = find_ids(store.as_mut(), &Browse::default(), &mut |_| {})
        .unwrap()
        .into();
    assert_eq!(ids.len(), 7);
    for format in ExportFormat::ALL {
        let out = dir.path().join(format!("h.{}", format.extension()));
        let rx = export_history(target.clone(), ids.clone(), out.clone(), format, no_wake());
        let (_, result) = finish(rx);
        assert!(
            result
                .unwrap()
                .starts_with("exported 7 records from the history")
        );
        match read_export(&out, format) {
            Written::Csv(text) => {
                assert_eq!(text.lines().count(), 8);
                assert!(text.starts_with("site,received_at,format,kind,"), "{text}");
                assert!(text.lines().nth(1).unwrap().starts_with("HQ,,mitel5000,"));
            }
            Written::Json(first) => {
                assert_eq!(first["site"], "HQ");
                assert_eq!(first["format"], "mitel5000");
            }
            Written::Xlsx(sheet) => {
                assert_eq!(sheet.matches("<row ").count(), 8);
                assert!(sheet.contains("952-474-1742"));
            }
        }
    }
}
