//! `smdr-monitor decode` as a user runs it: field names, formats, exit codes.

mod common;

fn decode(args: &[&str]) -> (i32, String, String) {
    common::run("decode", args)
}

fn keys(line: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v.as_object().unwrap().keys().cloned().collect()
}

fn sorted(mut v: Vec<&str>) -> Vec<String> {
    v.sort();
    v.into_iter().map(String::from).collect()
}

#[test]
fn jsonl_has_exactly_the_contract_fields_for_each_kind() {
    let (code, out, err) = decode(&[
        "tests/fixtures/mitel5000/seed-debug-output.txt",
        "tests/fixtures/appsuite/manual-examples-162.txt",
        "tests/fixtures/mivb/standard-90-synthetic.txt",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("33 records decoded, 3 unparsed"), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 33);
    let all = ["format", "kind", "raw", "source"];
    assert_eq!(keys(lines[0]), sorted([&all[..], &["error"]].concat()));
    let call_5000 = [
        "date",
        "start",
        "call_type",
        "ring_in",
        "extension",
        "trunk",
        "digits",
        "duration_s",
        "cost",
        "account_code",
        "trunk_disconnect",
    ];
    assert_eq!(keys(lines[4]), sorted([&all[..], &call_5000[..]].concat()));
    let event = [
        "timestamp",
        "direction",
        "call_id",
        "trunk",
        "extension",
        "source_extension",
        "number",
        "contact_name",
        "ddi",
        "ddi_name",
        "account_code",
        "event",
    ];
    assert_eq!(keys(lines[8]), sorted([&all[..], &event[..]].concat()));
    let mivb = [
        "date",
        "start",
        "duration_s",
        "calling_party",
        "called_party",
        "third_party",
        "digits",
        "time_to_answer_s",
        "completion",
        "transfer_flag",
        "attendant",
        "account_code",
        "long_call",
        "system_id",
    ];
    assert_eq!(keys(lines[28]), sorted([&all[..], &mivb[..]].concat()));

    let first: serde_json::Value = serde_json::from_str(lines[4]).unwrap();
    assert_eq!(
        first["source"],
        "tests/fixtures/mitel5000/seed-debug-output.txt:5"
    );
    assert_eq!(first["duration_s"], 214);
    assert_eq!(first["ring_in"], false);
    let unanswered: serde_json::Value = serde_json::from_str(lines[30]).unwrap();
    assert!(unanswered["time_to_answer_s"].is_null());
}

#[test]
fn csv_uses_the_field_names_as_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let (code, stdout, err) = decode(&[
        "--as",
        "csv",
        "--output",
        out.to_str().unwrap(),
        "tests/fixtures/mitel5000/socket-stream.bin",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], &["format", "kind", "source"]);
    assert_eq!(header.last(), Some(&"raw"));
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row: Vec<&str> = text.lines().nth(5).unwrap().split(',').collect();
    assert_eq!(row[col("call_type")], "TLC");
    assert_eq!(row[col("digits")], "952-474-1742");
    assert_eq!(row[col("duration_s")], "226");
    assert_eq!(row[col("date")], "2012-07-03");
    assert_eq!(text.lines().count(), 9);
}

#[test]
fn options_date_padding_and_format() {
    let (code, out, _) = decode(&[
        "--format",
        "mitel5000",
        "--date",
        "2026-11-22",
        "tests/fixtures/mitel5000/doc-example-frame.bin",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v["date"], "2026-11-22");
}

#[test]
fn clear_errors_for_a_missing_file_or_a_bad_option() {
    let (code, out, err) = decode(&["no-such-file.txt"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(err.contains("no-such-file.txt: no such file"), "{err}");
    let (code, _, err) = decode(&["--date", "22/11/2026", "x.txt"]);
    assert_ne!(code, 0);
    assert!(err.contains("not a date like 2026-11-22"), "{err}");
    let (code, _, err) = decode(&["--padding", "ab", "x.txt"]);
    assert_ne!(code, 0);
    assert!(err.contains("not a single character"), "{err}");
    let (code, _, _) = decode(&["--as", "xml", "x.txt"]);
    assert_ne!(code, 0);
}

/// §2.3: an App Suite time no reading puts at or after its call's start is output as printed
/// and counted in the summary; a 12-hour time that resolves is not.
#[test]
fn unresolved_app_suite_times_are_counted_on_stderr() {
    let shifted = "2012-03-09 12:46:59 |OUT| 2012030900465982190047 0092808 0001843 0000000 0000079XXXXXXXX | | 000000000000000 000000000000 |RINGING |";
    let early = shifted
        .replacen("2012030900465982190047", "2012030914000082190047", 1)
        .replacen("12:46:59", "13:30:00", 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.txt");
    std::fs::write(&path, format!("{shifted}\r\n{early}\r\n{early}\r\n")).unwrap();
    let (code, out, err) = decode(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "2 App Suite event times could not be resolved against their call start and are kept as printed"
        ),
        "{err}"
    );
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["timestamp"], "2012-03-09T00:46:59");
    assert_eq!(rows[1]["timestamp"], "2012-03-09T13:30:00");
    std::fs::write(&path, format!("{shifted}\r\n")).unwrap();
    let (_, _, err) = decode(&[path.to_str().unwrap()]);
    assert!(!err.contains("could not be resolved"), "{err}");
}

/// The reviewer's repro as a capture file: header, four stray bytes reading as a length of
/// 768, the title line, two call records. `decode` decodes every line; the stray bytes are
/// the one unparsed item.
#[test]
fn a_capture_with_a_stray_length_decodes_every_record() {
    let stream = std::fs::read("tests/fixtures/mitel5000/socket-stream.bin").unwrap();
    // Header and title are 85-byte frames, records 86: the capture is header, junk, title,
    // then the first two records after the title.
    let mut data = stream[..85].to_vec();
    data.extend_from_slice(&[0x00, 0x03, 0x00, 0x00]);
    data.extend_from_slice(&stream[85..170 + 2 * 86]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capture.bin");
    std::fs::write(&path, &data).unwrap();
    let (code, out, err) = decode(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("5 records decoded, 1 unparsed"), "{err}");
    assert!(err.contains("call dates: 2 from SMDR headers"), "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["header", "unparsed", "header", "call", "call"]);
    assert!(rows[1]["error"].as_str().unwrap().contains("768"));
    assert_eq!(
        (&rows[3]["extension"], &rows[4]["extension"]),
        (&serde_json::json!("*****"), &serde_json::json!("181"))
    );
    assert!(rows[3..].iter().all(|r| r["date"] == "2012-07-03"));
}

const MIVB_ATTENDANT: &str = "tests/fixtures/mivb/attendant-and-lost-column-synthetic.txt";

/// §3: the attendant flag as a JSON bool in both layouts; a line that lost its first column
/// decodes with `long_call` empty.
#[test]
fn mivb_attendant_flag_and_lost_first_column_as_jsonl() {
    let (code, out, err) = decode(&["--as", "jsonl", "--date", "2026-11-22", MIVB_ATTENDANT]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("5 records decoded, 0 unparsed"), "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let attendant: Vec<&serde_json::Value> = rows.iter().map(|r| &r["attendant"]).collect();
    let (t, f) = (serde_json::json!(true), serde_json::json!(false));
    assert_eq!(attendant, [&t, &f, &t, &f, &t]);
    assert!(rows.iter().all(|r| r["kind"] == "call"));
    assert_eq!(rows[2]["long_call"], "-");
    let lost = &rows[4];
    assert_eq!(
        (&lost["long_call"], &lost["date"], &lost["start"]),
        (
            &serde_json::json!(""),
            &serde_json::json!("2026-03-12"),
            &serde_json::json!("11:40")
        )
    );
    assert_eq!(
        (
            &lost["calling_party"],
            &lost["called_party"],
            &lost["account_code"]
        ),
        (
            &serde_json::json!("T009"),
            &serde_json::json!("2301"),
            &serde_json::json!("4455")
        )
    );
}

#[test]
fn mivb_attendant_flag_and_lost_first_column_as_csv() {
    let (code, out, err) = decode(&["--as", "csv", "--date", "2026-11-22", MIVB_ATTENDANT]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5);
    let attendant: Vec<&str> = rows.iter().map(|r| r[col("attendant")]).collect();
    assert_eq!(attendant, ["true", "false", "true", "false", "true"]);
    let long_call: Vec<&str> = rows.iter().map(|r| r[col("long_call")]).collect();
    assert_eq!(long_call, ["", "", "-", "", ""]);
    assert_eq!(rows[4][col("calling_party")], "T009");
    assert_eq!(rows[4][col("date")], "2026-03-12");
    // Other formats have the column, empty.
    let (_, out, _) = decode(&["--as", "csv", "tests/fixtures/mitel5000/socket-stream.bin"]);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "attendant").unwrap();
    let call = lines.nth(4).unwrap().split(',').collect::<Vec<_>>();
    assert_eq!(call[at], "");
}

/// §1.2: an old log dated only by headers. The records buffered before a late connect header
/// are on its day; the live flow after it crosses midnight.
#[test]
fn buffered_5000_records_after_a_connect_header_keep_its_day() {
    let record = |start: &str| format!("{:<45}{start} 00:04:56 $00.00\r\n", "IN  3456  90001");
    let mut log = format!(
        "{:<60}22:15:00 03-31-2026\r\n",
        "Station Message Detailed Recording"
    );
    for start in ["07:50", "13:20", "22:05", "23:40", "00:10"] {
        log.push_str(&record(start));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old-log.txt");
    std::fs::write(&path, log).unwrap();
    let (code, out, err) = decode(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("call dates: 5 from SMDR headers"), "{err}");
    let dates: Vec<String> = out
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["date"].to_string())
        .collect();
    assert_eq!(
        dates,
        [
            "\"2026-03-31\"",
            "\"2026-03-31\"",
            "\"2026-03-31\"",
            "\"2026-03-31\"",
            "\"2026-04-01\""
        ]
    );
}
