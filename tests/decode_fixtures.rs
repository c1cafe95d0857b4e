//! Every shared fixture decodes to its documented fields (smdr-formats §1–3).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use smdr_monitor::import;
use smdr_monitor::protocol::fields::visit_fields;
use smdr_monitor::protocol::mitel5000::{login_frame, record::parse_line};
use smdr_monitor::protocol::{DecodeOptions, Format, Kind, Source, StreamDecoder};

const FIXTURES: &str = "tests/fixtures";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Each record as field name → printed value (what `decode --as jsonl` prints, as text).
fn decode_fixture(path: &str, options: DecodeOptions) -> Vec<BTreeMap<&'static str, String>> {
    let data = fixture(path);
    let mut decoder = StreamDecoder::new(options);
    let mut out = Vec::new();
    import::decode_each(&data, &mut decoder, |line, d| {
        let source = Source {
            origin: path.into(),
            line,
        };
        let mut fields = BTreeMap::new();
        visit_fields(d, &source, |name, v| {
            fields.insert(name, v.to_string());
        });
        out.push(fields);
    });
    out
}

fn today(y: i32, m: u32, d: u32) -> DecodeOptions {
    DecodeOptions {
        today: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        ..Default::default()
    }
}

fn calls<'a>(
    records: &'a [BTreeMap<&'static str, String>],
) -> Vec<&'a BTreeMap<&'static str, String>> {
    records.iter().filter(|r| r["kind"] == "call").collect()
}

fn check(r: &BTreeMap<&'static str, String>, expected: &[(&str, &str)]) {
    for (k, v) in expected {
        assert_eq!(
            r.get(k).map(String::as_str),
            Some(*v),
            "field {k} of {}",
            r["raw"]
        );
    }
}

#[test]
fn seed_debug_output_gives_four_calls_dated_2012_04_07() {
    let records = decode_fixture("mitel5000/seed-debug-output.txt", DecodeOptions::default());
    // Three debug lines stay visible as unparsed, then the header and four calls.
    assert_eq!(
        records.iter().filter(|r| r["kind"] == "unparsed").count(),
        3
    );
    assert_eq!(records.iter().filter(|r| r["kind"] == "header").count(), 1);
    let c = calls(&records);
    assert_eq!(c.len(), 4);
    for r in &c {
        assert_eq!(r["date"], "2012-04-07");
        assert_eq!(r["format"], "mitel5000");
        assert_eq!(r["cost"], "$00.00");
    }
    let want = [
        ("NET", "1234", "P0001", "94567", "17:11", "214"),
        ("NET", "1234", "P0001", "95678", "17:16", "9"),
        ("NET", "2345", "P0001", "96789", "17:21", "14"),
        ("IN", "3456", "90001", "", "17:19", "296"),
    ];
    for (r, (ty, ext, trunk, digits, start, dur)) in c.iter().zip(want) {
        check(
            r,
            &[
                ("call_type", ty),
                ("extension", ext),
                ("trunk", trunk),
                ("digits", digits),
                ("start", start),
                ("duration_s", dur),
            ],
        );
        check(
            r,
            &[
                ("ring_in", "false"),
                ("trunk_disconnect", "false"),
                ("account_code", ""),
            ],
        );
    }
}

/// The Axxess lines, however they were saved, decode to the same calls.
fn check_axxess_calls(records: &[BTreeMap<&'static str, String>]) {
    let c = calls(records);
    check(
        c[0],
        &[
            ("call_type", ""),
            ("ring_in", "true"),
            ("extension", "*****"),
            ("trunk", "94129"),
            ("digits", "RG 612-804-4082         8907"),
            ("start", "00:29"),
            ("duration_s", "5"),
            ("cost", ""),
            ("trunk_disconnect", "true"),
            ("date", "2012-07-03"),
        ],
    );
    check(
        c[1],
        &[
            ("ring_in", "true"),
            ("extension", "181"),
            ("digits", "RING......0063"),
            ("start", "06:46"),
            ("duration_s", "9"),
        ],
    );
    check(
        c[2],
        &[
            ("call_type", "TLC"),
            ("extension", "104"),
            ("trunk", "94151"),
            ("digits", "952-474-1742"),
            ("start", "08:52"),
            ("duration_s", "226"),
            ("cost", "$00.00"),
            ("trunk_disconnect", "false"),
        ],
    );
    check(
        c[3],
        &[
            ("call_type", "O/I"),
            ("digits", "011-49618296260"),
            ("start", "09:00"),
            ("duration_s", "193"),
            ("trunk_disconnect", "true"),
        ],
    );
    check(
        c[4],
        &[
            ("call_type", "IN"),
            ("extension", "110"),
            ("trunk", "94129"),
            ("digits", "525530894016            0061"),
            ("start", "08:48"),
            ("duration_s", "1"),
            ("trunk_disconnect", "true"),
        ],
    );
}

#[test]
fn axxess_text_capture_and_seed_log_agree() {
    let text = decode_fixture(
        "mitel5000/axxess-8520-records.txt",
        DecodeOptions::default(),
    );
    assert_eq!(text.len(), 7);
    assert_eq!(
        (
            text[0]["kind"].as_str(),
            text[0]["date"].as_str(),
            text[0]["start"].as_str()
        ),
        ("header", "2012-07-03", "00:00:04")
    );
    assert_eq!(
        (text[1]["kind"].as_str(), text[1]["date"].as_str()),
        ("header", "")
    );
    check_axxess_calls(&text);

    let capture = decode_fixture("mitel5000/socket-stream.bin", DecodeOptions::default());
    assert_eq!(capture.len(), 8, "7 lines and the documented example");
    assert!(capture.iter().all(|r| r["kind"] != "unparsed"));
    check_axxess_calls(&capture);
    check(
        calls(&capture)[5],
        &[
            ("call_type", "TLC"),
            ("extension", "11202"),
            ("trunk", "94003"),
            ("digits", "961-9000"),
            ("start", "08:36"),
            ("duration_s", "3"),
        ],
    );

    let seed_log = decode_fixture("mitel5000/log-smdr-ps1.S1.1.txt", DecodeOptions::default());
    assert!(
        seed_log.iter().all(|r| r["kind"] != "unparsed"),
        "{seed_log:?}"
    );
    assert_eq!(seed_log[0]["kind"], "header");
    check_axxess_calls(&seed_log);
    assert_eq!(calls(&seed_log).len(), 6);
}

#[test]
fn documented_example_frame_and_login_frames() {
    let frame = fixture("mitel5000/doc-example-frame.bin");
    assert_eq!(frame.len(), 86);
    assert_eq!(&frame[..4], &[0x52, 0, 0, 0]);
    let records = decode_fixture("mitel5000/doc-example-frame.bin", today(2026, 11, 22));
    assert_eq!(records.len(), 1);
    // No header, no receipt time, no --date: the date is null, never a guess.
    check(
        &records[0],
        &[
            ("call_type", "TLC"),
            ("extension", "11202"),
            ("trunk", "94003"),
            ("duration_s", "3"),
            ("cost", "$00.00"),
            ("date", ""),
        ],
    );
    let with_date = decode_fixture(
        "mitel5000/doc-example-frame.bin",
        DecodeOptions {
            date: NaiveDate::from_ymd_opt(2026, 1, 2),
            ..Default::default()
        },
    );
    assert_eq!(with_date[0]["date"], "2026-01-02");

    assert_eq!(
        login_frame(None).unwrap(),
        fixture("mitel5000/login-no-password.bin")
    );
    assert_eq!(
        login_frame(Some("12345678")).unwrap(),
        fixture("mitel5000/login-password-12345678.bin")
    );
    assert!(parse_line(std::str::from_utf8(&frame[4..84]).unwrap()).is_ok());
}

const APPSUITE_EVENTS: [(&str, &str, &str); 20] = [
    ("2012030901204052070264", "2012-03-09T01:20:40", "RINGING"),
    ("2012030901204052070264", "2012-03-09T01:20:43", "ANSWERED"),
    (
        "2012030901204052070264",
        "2012-03-09T01:20:43",
        "CALLMODIFIED",
    ),
    (
        "2012030901204052070264",
        "2012-03-09T01:20:46",
        "DISCONNECTED",
    ),
    ("2012030900465982190047", "2012-03-09T00:46:59", "RINGING"),
    ("2012030900465982190047", "2012-03-09T00:47:06", "ANSWERED"),
    (
        "2012030900465982190047",
        "2012-03-09T00:47:10",
        "DISCONNECTED",
    ),
    ("2012030901205303270264", "2012-03-09T01:20:53", "RINGING"),
    ("2012030901205303270264", "2012-03-09T01:20:54", "ANSWERED"),
    (
        "2012030901205303270264",
        "2012-03-09T01:20:54",
        "CALLMODIFIED",
    ),
    ("2012030901205303270264", "2012-03-09T01:20:55", "HOLD"),
    ("2012030901205303270264", "2012-03-09T01:20:58", "CONNECTED"),
    (
        "2012030901205303270264",
        "2012-03-09T01:21:00",
        "DISCONNECTED",
    ),
    ("2012030901311586070264", "2012-03-09T01:31:15", "RINGING"),
    ("2012030901311586070264", "2012-03-09T01:31:18", "ANSWERED"),
    ("2012030901311586070264", "2012-03-09T01:31:20", "HOLD"),
    (
        "2012030901311586070264",
        "2012-03-09T01:31:27",
        "TRANSFERRED",
    ),
    ("2012030901311586070264", "2012-03-09T01:31:27", "RINGING"),
    ("2012030901311586070264", "2012-03-09T01:31:27", "CONNECTED"),
    (
        "2012030901311586070264",
        "2012-03-09T01:31:29",
        "DISCONNECTED",
    ),
];

#[test]
fn appsuite_examples_give_20_events_in_4_calls() {
    for path in [
        "appsuite/manual-examples-162.txt",
        "appsuite/manual-examples-as-published.txt",
    ] {
        let records = decode_fixture(path, DecodeOptions::default());
        assert_eq!(records.len(), 20, "{path}");
        let ids: std::collections::BTreeSet<_> =
            records.iter().map(|r| r["call_id"].clone()).collect();
        assert_eq!(ids.len(), 4, "{path}");
        for (r, (call_id, ts, event)) in records.iter().zip(APPSUITE_EVENTS) {
            check(
                r,
                &[
                    ("format", "appsuite"),
                    ("kind", "event"),
                    ("call_id", call_id),
                    ("timestamp", ts),
                    ("event", event),
                ],
            );
        }
        // The inbound calls' shared fields, padding stripped.
        check(
            &records[0],
            &[
                ("direction", "IN"),
                ("trunk", "92108"),
                ("extension", "1843"),
                ("source_extension", ""),
                ("number", "79XXXXXXXX"),
                ("contact_name", "CHRIS R MOBILE"),
                ("ddi", "44161XXXXXXX"),
                ("account_code", ""),
            ],
        );
        // The OUT variant: no contact, DDI and account in one segment.
        check(
            &records[4],
            &[
                ("direction", "OUT"),
                ("trunk", "92808"),
                ("extension", "1843"),
                ("contact_name", ""),
                ("ddi", ""),
                ("ddi_name", ""),
            ],
        );
        // The transfer: from 1843 to 2560.
        check(
            &records[16],
            &[("extension", "2560"), ("source_extension", "1843")],
        );
        check(
            &records[17],
            &[("extension", "2560"), ("source_extension", "")],
        );
        // The retrieved call's last event shows the real number.
        assert_eq!(records[12]["number"], "7968543537");
    }
    let published = decode_fixture(
        "appsuite/manual-examples-as-published.txt",
        DecodeOptions::default(),
    );
    // Non-breaking spaces are kept as received (UTF-8 C2 A0), never mangled.
    assert_eq!(published[0]["ddi_name"], "CHRIS\u{a0}DID");
    let fixed = decode_fixture("appsuite/manual-examples-162.txt", DecodeOptions::default());
    assert_eq!(fixed[0]["ddi_name"], "CHRIS DID");
}

#[test]
fn mivb_standard_lines() {
    let records = decode_fixture("mivb/standard-90-synthetic.txt", today(2026, 11, 22));
    assert_eq!(records.len(), 5);
    assert!(
        records
            .iter()
            .all(|r| r["format"] == "mivb" && r["kind"] == "call")
    );
    check(
        &records[0],
        &[
            ("long_call", "-"),
            ("date", "2026-06-13"),
            ("start", "23:42"),
            ("duration_s", "509"),
            ("calling_party", "214"),
            ("time_to_answer_s", ""),
            ("digits", "6135952122"),
            ("completion", "A"),
            ("called_party", "T054"),
            ("system_id", "000"),
            ("attendant", "false"),
        ],
    );
    check(
        &records[1],
        &[
            ("date", "2026-01-30"),
            ("start", "15:10"),
            ("calling_party", "T102"),
            ("time_to_answer_s", "8"),
            ("called_party", "201"),
        ],
    );
    check(
        &records[2],
        &[
            ("date", "2026-02-04"),
            ("start", "13:31"),
            ("calling_party", "T003"),
            ("time_to_answer_s", ""),
            ("digits", "94163759"),
            ("completion", "E"),
        ],
    );
    check(
        &records[3],
        &[
            ("long_call", "%"),
            ("duration_s", "998"),
            ("calling_party", "7411"),
            ("time_to_answer_s", "3"),
            ("completion", "I"),
            ("called_party", "7406"),
        ],
    );
    check(
        &records[4],
        &[
            ("long_call", "+"),
            ("date", "2026-11-21"),
            ("duration_s", "2467"),
            ("called_party", "2301"),
            ("transfer_flag", "T"),
            ("third_party", "2305"),
            ("account_code", "4455"),
        ],
    );
    // Without ANI/DNIS or call-id options, those fields are absent, not empty.
    assert!(!records[0].contains_key("ani") && !records[0].contains_key("call_id"));
}

/// The attendant flag in both layouts, and a line that lost its first column (§3).
#[test]
fn mivb_attendant_flag_and_a_lost_first_column() {
    let records = decode_fixture(
        "mivb/attendant-and-lost-column-synthetic.txt",
        today(2026, 11, 22),
    );
    assert_eq!(records.len(), 5);
    assert!(
        records
            .iter()
            .all(|r| r["format"] == "mivb" && r["kind"] == "call")
    );
    let attendant: Vec<&str> = records.iter().map(|r| r["attendant"].as_str()).collect();
    assert_eq!(attendant, ["true", "false", "true", "false", "true"]);
    check(
        &records[0],
        &[
            ("calling_party", "T014"),
            ("time_to_answer_s", "6"),
            ("called_party", "ATT1"),
            ("long_call", ""),
        ],
    );
    check(
        &records[2],
        &[
            ("long_call", "-"),
            ("duration_s", "401"),
            ("calling_party", "T0101"),
            ("time_to_answer_s", "11"),
            ("called_party", "ATT1"),
            ("transfer_flag", "T"),
            ("third_party", "7001234"),
            ("system_id", "000"),
        ],
    );
    check(
        &records[3],
        &[
            ("calling_party", "7001234"),
            ("digits", "16135550123"),
            ("called_party", "T0102"),
        ],
    );
    // The date starts in column 0: every field is still in place, the long-call marker empty.
    check(
        &records[4],
        &[
            ("long_call", ""),
            ("date", "2026-03-12"),
            ("start", "11:40"),
            ("duration_s", "210"),
            ("calling_party", "T009"),
            ("time_to_answer_s", "5"),
            ("completion", "A"),
            ("called_party", "2301"),
            ("account_code", "4455"),
            ("system_id", "000"),
        ],
    );
}

#[test]
fn forced_format_and_garbage_stay_visible() {
    let data = b"NET 1234  P0001 94567                        17:11 00:03:34 $00.00\n\xff\xfe garbage \x00\n";
    let mut decoder = StreamDecoder::new(DecodeOptions {
        format: Some(Format::Mitel5000),
        ..Default::default()
    });
    let mut kinds = Vec::new();
    import::decode_each(data, &mut decoder, |_, d| kinds.push((d.format, d.kind())));
    assert_eq!(
        kinds,
        vec![
            (Format::Mitel5000, Kind::Call),
            (Format::Mitel5000, Kind::Unparsed)
        ]
    );
}
