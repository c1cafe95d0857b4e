//! The writers' output stays what it was, byte for byte. The first versions of the JSON lines
//! and CSV writers (a `String` per record, `Display` for every value, chrono's `strftime`)
//! are kept here as the reference; every record of every fixture, of the simulator's traffic
//! in each format, and of lines spoilt with control characters, quotes, backslashes, invalid
//! UTF-8 and other non-ASCII bytes, is written by both and compared. The references read the
//! fields through `visit_fields` like the writers, so they follow any change to the fields.
//! An integration test because it takes the simulator's traffic (which `export` may not use).

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::NaiveDate;

use smdr_monitor::export::calls::{
    CALL_COLUMNS, CallValue, CallWriter, row as call_row, visit_call_fields,
};
use smdr_monitor::export::{RecordWriter, TextFormat};
use smdr_monitor::import;
use smdr_monitor::protocol::fields::{RECORD_COLUMNS, Value, visit_fields};
use smdr_monitor::protocol::{DecodeOptions, Decoded, Source, StreamDecoder};
use smdr_monitor::sim::{Generator, TrafficFormat};
use smdr_monitor::timeline::{Call, CallTracker};

fn first_push_str(buf: &mut String, s: &str) {
    buf.push('"');
    for c in s.chars() {
        match c {
            '"' => buf.push_str("\\\""),
            '\\' => buf.push_str("\\\\"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            '\t' => buf.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(buf, "\\u{:04x}", c as u32);
            }
            c => buf.push(c),
        }
    }
    buf.push('"');
}

fn first_push_value(buf: &mut String, v: Value<'_>) {
    match v {
        Value::Null => buf.push_str("null"),
        Value::Bool(b) => buf.push_str(if b { "true" } else { "false" }),
        Value::UInt(n) => {
            let _ = write!(buf, "{n}");
        }
        Value::Str(s) => first_push_str(buf, s),
        other => first_push_str(buf, &other.to_string()),
    }
}

fn first_jsonl(d: &Decoded<'_>, source: &Source) -> String {
    let mut buf = String::from("{");
    let mut first = true;
    visit_fields(d, source, |name, v| {
        if !first {
            buf.push(',');
        }
        first = false;
        first_push_str(&mut buf, name);
        buf.push(':');
        first_push_value(&mut buf, v);
    });
    buf.push_str("}\n");
    buf
}

fn first_csv_row<'a>(values: impl Iterator<Item = Value<'a>>) -> String {
    let mut buf = String::new();
    for (i, v) in values.enumerate() {
        if i > 0 {
            buf.push(',');
        }
        let cell = v.to_string();
        if cell.contains([',', '"', '\r', '\n']) || cell.starts_with(' ') || cell.ends_with(' ') {
            let _ = write!(buf, "\"{}\"", cell.replace('"', "\"\""));
        } else {
            buf.push_str(&cell);
        }
    }
    buf.push_str("\r\n");
    buf
}

fn first_csv(d: &Decoded<'_>, source: &Source) -> String {
    let mut row = [Value::Null; RECORD_COLUMNS.len()];
    visit_fields(d, source, |name, v| {
        if let Some(i) = RECORD_COLUMNS.iter().position(|c| *c == name) {
            row[i] = v;
        }
    });
    first_csv_row(row.into_iter())
}

fn first_call_jsonl(call: &Call) -> String {
    let mut buf = String::from("{");
    let mut first = true;
    visit_call_fields(call, |name, v| {
        if !first {
            buf.push(',');
        }
        first = false;
        first_push_str(&mut buf, name);
        buf.push(':');
        match v {
            CallValue::Scalar(v) => first_push_value(&mut buf, v),
            CallValue::Path(path) => {
                buf.push('[');
                for (i, ext) in path.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    first_push_str(&mut buf, ext);
                }
                buf.push(']');
            }
            CallValue::Events(events) => {
                buf.push('[');
                for (i, e) in events.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    buf.push_str("{\"at\":");
                    first_push_value(&mut buf, Value::DateTime(e.at));
                    buf.push_str(",\"event\":");
                    first_push_str(&mut buf, &e.name);
                    buf.push_str(",\"extension\":");
                    first_push_str(&mut buf, &e.extension);
                    buf.push_str(",\"source_extension\":");
                    first_push_str(&mut buf, &e.source_extension);
                    buf.push('}');
                }
                buf.push(']');
            }
        }
    });
    buf.push_str("}\n");
    buf
}

fn first_call_csv(call: &Call) -> String {
    first_csv_row(call_row(call).iter().map(|v| match v {
        CallValue::Scalar(s) => *s,
        list => Value::Display(list),
    }))
}

/// The inputs: every fixture, the simulator's traffic in each format, and lines spoilt with
/// the bytes escaping and quoting care about. (name, bytes).
fn inputs() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut all = Vec::new();
    for dir in ["mitel5000", "appsuite", "mivb"] {
        let mut names = std::fs::read_dir(format!("tests/fixtures/{dir}"))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<Vec<_>>>()?;
        names.sort();
        for path in names {
            let data = std::fs::read(&path)?;
            all.push((path.display().to_string(), data));
        }
    }
    let start = NaiveDate::from_ymd_opt(2026, 11, 27)
        .and_then(|d| d.and_hms_opt(23, 0, 0))
        .unwrap_or_default();
    for (format, name) in [
        (TrafficFormat::Mitel5000, "sim \"5000\", a\\b.txt"),
        (TrafficFormat::AppSuite, "sim appsuite.txt"),
        (TrafficFormat::Mivb, " sim mivb.txt"),
    ] {
        let mut g = Generator::with_rate(format, 12, start, 5.0);
        let mut text = Vec::new();
        for _ in 0..3000 {
            text.extend_from_slice(g.next_line().text.as_bytes());
            text.extend_from_slice(b"\r\n");
        }
        all.push((name.to_string(), text));
    }
    let mut rng = fastrand::Rng::with_seed(7);
    let special: Vec<&[u8]> = vec![
        b"\"",
        b"\\",
        b",",
        b" ",
        b"\r",
        b"\x7f",
        b"\x80",
        b"\xff",
        b"\xc3\xa9",
        b"\xe2\x82\xac",
        b"\xf0\x9f\x98\x80",
        b"\xc3",
        b"\xe2\x82",
        b"\xc2\xa0",
    ];
    let controls: Vec<[u8; 1]> = (0u8..0x20).filter(|b| *b != b'\n').map(|b| [b]).collect();
    let mut spoilt = Vec::new();
    for (_, data) in all.iter().filter(|(n, _)| n.ends_with(".txt")) {
        for line in data.split(|b| *b == b'\n').take(400) {
            for _ in 0..3 {
                let mut l = line.to_vec();
                for _ in 0..rng.usize(1..5) {
                    let at = rng.usize(0..=l.len());
                    let piece: &[u8] = if rng.bool() {
                        special[rng.usize(0..special.len())]
                    } else {
                        &controls[rng.usize(0..controls.len())]
                    };
                    l.splice(at..at, piece.iter().copied());
                }
                spoilt.extend_from_slice(&l);
                spoilt.push(b'\n');
            }
        }
    }
    all.push(("spoilt, \"lines\".txt".to_string(), spoilt));
    Ok(all)
}

fn options() -> DecodeOptions {
    DecodeOptions {
        date: NaiveDate::from_ymd_opt(2012, 7, 3),
        today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(),
        ..DecodeOptions::default()
    }
}

/// What a comparison test ends with: the writers' own errors stop it.
type Outcome = Result<(), Box<dyn std::error::Error>>;

#[test]
fn records_are_written_as_the_first_writers_wrote_them() -> Outcome {
    let mut compared = 0;
    for format in [TextFormat::Jsonl, TextFormat::Csv] {
        let mut writer = RecordWriter::batched(Vec::new(), format, 1 << 16);
        let mut expected = String::new();
        if format == TextFormat::Csv {
            expected.push_str(&first_csv_row(RECORD_COLUMNS.iter().map(|c| Value::Str(c))));
        }
        let mut failed = None;
        for (name, data) in inputs()? {
            let origin: Arc<str> = name.into();
            let mut decoder = StreamDecoder::new(options());
            import::decode_each(&data, &mut decoder, |line, d| {
                let source = Source {
                    origin: origin.clone(),
                    line,
                };
                if let Err(e) = writer.write(d, &source) {
                    failed.get_or_insert(e);
                }
                expected.push_str(&match format {
                    TextFormat::Jsonl => first_jsonl(d, &source),
                    TextFormat::Csv => first_csv(d, &source),
                });
                compared += 1;
            });
        }
        if let Some(e) = failed {
            return Err(e.into());
        }
        let ours = String::from_utf8(writer.finish()?)?;
        for (i, (a, b)) in ours.lines().zip(expected.lines()).enumerate() {
            assert_eq!(a, b, "{format:?} line {}", i + 1);
        }
        assert_eq!(ours, expected, "{format:?}");
    }
    assert!(compared > 2 * 12_000, "{compared}");
    Ok(())
}

#[test]
fn calls_are_written_as_the_first_writers_wrote_them() -> Outcome {
    let mut tracker = CallTracker::new(chrono::Duration::minutes(240));
    let site: Arc<str> = "calls".into();
    for (name, data) in inputs()? {
        if name.contains("appsuite") || name.contains("spoilt") {
            let mut decoder = StreamDecoder::new(options());
            import::decode_each(&data, &mut decoder, |_, d| {
                tracker.push_decoded(&site, d);
            });
        }
    }
    assert!(tracker.calls().len() > 300, "{}", tracker.calls().len());
    for format in [TextFormat::Jsonl, TextFormat::Csv] {
        let mut writer = CallWriter::batched(Vec::new(), format, 1 << 16);
        let mut expected = String::new();
        if format == TextFormat::Csv {
            expected.push_str(&first_csv_row(CALL_COLUMNS.iter().map(|c| Value::Str(c))));
        }
        for call in tracker.calls() {
            writer.write(call)?;
            expected.push_str(&match format {
                TextFormat::Jsonl => first_call_jsonl(call),
                TextFormat::Csv => first_call_csv(call),
            });
        }
        let ours = String::from_utf8(writer.finish()?)?;
        assert_eq!(ours, expected, "{format:?}");
    }
    Ok(())
}
