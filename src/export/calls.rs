//! The fields of a call as `calls`, and the calls view's exports, print them. One definition for
//! every writer (JSON lines, CSV, XLSX), as `protocol::fields` is for records.
//!
//! Two fields are lists. JSON lines keeps them structured: `path` is an array of extensions and
//! `events` an array of `{"at", "event", "extension", "source_extension"}` objects. CSV and XLSX
//! cells hold text: `path` joined with ` > ` (`1843 > 2560`), `events` as
//! `hh:mm:ss EVENT extension[ from source]` joined with `; ` — the date is written before a time
//! only when it differs from the previous event's (a call across midnight).

use std::fmt;
use std::io::{self, Write};

use super::TextFormat;
use super::batch::Batched;
use super::csv::write_row;
use super::jsonl::{self, push_str};
use super::plain::Keys;
use crate::protocol::fields::Value;
use crate::timeline::{Call, CallEvent, Ext};

/// The columns of the window's call exports: the site first, then [`CALL_COLUMNS`] (the
/// `calls` command keeps [`CALL_COLUMNS`]).
pub const EXPORT_CALL_COLUMNS: &[&str] = &[
    "site",
    "call_id",
    "start",
    "end",
    "direction",
    "number",
    "contact_name",
    "ddi",
    "outcome",
    "answered_by",
    "time_to_answer_s",
    "talk_s",
    "hold_s",
    "queued_s",
    "transfers",
    "path",
    "events",
];

/// Every field of a call, in output order: the window's columns but the site.
pub const CALL_COLUMNS: &[&str] = match EXPORT_CALL_COLUMNS.split_first() {
    Some((_site, rest)) => rest,
    None => &[],
};

/// One field's value, borrowed from the call.
#[derive(Clone, Copy)]
pub enum CallValue<'a> {
    Scalar(Value<'a>),
    /// Extensions in order.
    Path(&'a [Ext]),
    Events(&'a [CallEvent]),
}

impl fmt::Display for CallValue<'_> {
    /// The text form (CSV, XLSX, tables).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Scalar(v) => v.fmt(f),
            Self::Path(path) => {
                for (i, ext) in path.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" > ")?;
                    }
                    f.write_str(ext)?;
                }
                Ok(())
            }
            Self::Events(events) => {
                let mut day = None;
                for (i, e) in events.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    if day.is_some_and(|d| d != e.at.date()) {
                        write!(f, "{} ", e.at.format("%Y-%m-%d"))?;
                    }
                    day = Some(e.at.date());
                    write!(f, "{} {}", e.at.format("%H:%M:%S"), e.name)?;
                    if !e.extension.is_empty() {
                        write!(f, " {}", e.extension)?;
                    }
                    if !e.source_extension.is_empty() {
                        write!(f, " from {}", e.source_extension)?;
                    }
                }
                Ok(())
            }
        }
    }
}

fn opt_u32(v: Option<u32>) -> Value<'static> {
    v.map_or(Value::Null, |n| Value::UInt(n.into()))
}

/// Calls `f` with each field of the call, in [`CALL_COLUMNS`] order.
pub fn visit_call_fields<'a>(call: &'a Call, mut f: impl FnMut(&'static str, CallValue<'a>)) {
    let mut s = |name, v| f(name, CallValue::Scalar(v));
    s("call_id", Value::Str(&call.call_id));
    s("start", Value::DateTime(call.start));
    s("end", call.end.map_or(Value::Null, Value::DateTime));
    s("direction", Value::Str(&call.direction));
    s("number", Value::Str(&call.number));
    s("contact_name", Value::Str(&call.contact_name));
    s("ddi", Value::Str(&call.ddi));
    s("outcome", Value::Str(call.outcome.as_str()));
    s(
        "answered_by",
        call.answered_by
            .as_ref()
            .map_or(Value::Null, |e| Value::Str(e.as_str())),
    );
    s("time_to_answer_s", opt_u32(call.time_to_answer_s));
    s("talk_s", opt_u32(call.talk_s));
    s("hold_s", Value::UInt(call.hold_s.into()));
    s("queued_s", Value::UInt(call.queued_s.into()));
    s("transfers", Value::UInt(call.transfers.into()));
    f("path", CallValue::Path(&call.path));
    f("events", CallValue::Events(&call.events));
}

/// One call as a JSON object on one line.
pub fn write_jsonl(out: &mut impl Write, call: &Call) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256 + 128 * call.events.len());
    push_jsonl(
        &mut buf,
        &mut jsonl::Encoder::default(),
        &mut Keys::default(),
        call,
        false,
    );
    out.write_all(&buf)
}

/// Appends one call's JSON line to `buf`.
fn push_jsonl(
    buf: &mut Vec<u8>,
    json: &mut jsonl::Encoder,
    keys: &mut Keys,
    call: &Call,
    site: bool,
) {
    let mut k = 0;
    if site {
        buf.extend_from_slice(b"{\"site\":");
        push_str(buf, &call.site);
        k = 1;
    }
    // Inlined at each field, where the value's kind is known (as `jsonl::Encoder::record_at`).
    visit_call_fields(
        call,
        #[inline(always)]
        |name, v| {
            keys.get(k, name, jsonl::push_key).push(buf, false);
            k += 1;
            match v {
                CallValue::Scalar(v) => json.value(buf, v),
                CallValue::Path(path) => {
                    buf.push(b'[');
                    for (i, ext) in path.iter().enumerate() {
                        if i > 0 {
                            buf.push(b',');
                        }
                        push_str(buf, ext);
                    }
                    buf.push(b']');
                }
                CallValue::Events(events) => {
                    buf.push(b'[');
                    for (i, e) in events.iter().enumerate() {
                        if i > 0 {
                            buf.push(b',');
                        }
                        buf.extend_from_slice(b"{\"at\":");
                        json.value(buf, Value::DateTime(e.at));
                        buf.extend_from_slice(b",\"event\":");
                        push_str(buf, &e.name);
                        buf.extend_from_slice(b",\"extension\":");
                        push_str(buf, &e.extension);
                        buf.extend_from_slice(b",\"source_extension\":");
                        push_str(buf, &e.source_extension);
                        buf.push(b'}');
                    }
                    buf.push(b']');
                }
            }
        },
    );
    buf.extend_from_slice(b"}\n");
}

/// Every field of a call, in [`CALL_COLUMNS`] order.
pub fn row(call: &Call) -> [CallValue<'_>; CALL_COLUMNS.len()] {
    let mut row = [CallValue::Scalar(Value::Null); CALL_COLUMNS.len()];
    let mut i = 0;
    visit_call_fields(call, |_, v| {
        if let Some(cell) = row.get_mut(i) {
            *cell = v;
        }
        i += 1;
    });
    row
}

/// A row's values as CSV and XLSX cells hold them: lists as text.
pub fn cells<'r>(row: &'r [CallValue<'_>]) -> impl Iterator<Item = Value<'r>> {
    row.iter().map(|v| match v {
        CallValue::Scalar(s) => *s,
        list => Value::Display(list),
    })
}

/// One call as a CSV row (no header).
pub fn write_csv(out: &mut impl Write, call: &Call) -> io::Result<()> {
    write_row(out, cells(&row(call)))
}

/// Writes calls one by one in the chosen text format.
pub struct CallWriter<W: Write> {
    out: Batched<W>,
    json: jsonl::Encoder,
    keys: Keys,
    /// A `site` column first ([`EXPORT_CALL_COLUMNS`]), as the window exports.
    site: bool,
}

impl<W: Write> CallWriter<W> {
    pub fn new(out: W, format: TextFormat) -> Self {
        Self::batched(out, format, 0)
    }

    /// Gathers about `bytes` of output before each write to `out` (see `RecordWriter`).
    pub fn batched(out: W, format: TextFormat, bytes: usize) -> Self {
        Self {
            out: Batched::new(out, format, bytes),
            json: jsonl::Encoder::default(),
            keys: Keys::default(),
            site: false,
        }
    }

    /// As the window exports calls: a `site` column first ([`EXPORT_CALL_COLUMNS`]).
    pub fn with_site(out: W, format: TextFormat) -> Self {
        let mut w = Self::new(out, format);
        w.site = true;
        w
    }

    pub fn write(&mut self, call: &Call) -> io::Result<()> {
        match self.out.format {
            TextFormat::Jsonl => push_jsonl(
                &mut self.out.buf,
                &mut self.json,
                &mut self.keys,
                call,
                self.site,
            ),
            TextFormat::Csv => {
                self.header()?;
                if self.site {
                    let site = std::iter::once(Value::Str(&call.site));
                    write_row(&mut self.out.buf, site.chain(cells(&row(call))))?;
                } else {
                    write_csv(&mut self.out.buf, call)?;
                }
            }
        }
        self.out.write_out()
    }

    fn header(&mut self) -> io::Result<()> {
        if self.out.header_due() {
            let names = if self.site {
                EXPORT_CALL_COLUMNS
            } else {
                CALL_COLUMNS
            };
            write_row(&mut self.out.buf, names.iter().map(|c| Value::Str(c)))?;
        }
        Ok(())
    }

    /// Writes the CSV header even when there were no calls, then flushes.
    pub fn finish(mut self) -> io::Result<W> {
        self.header()?;
        self.out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{ExportFormat, Exported, write};
    use crate::protocol::Format;
    use crate::protocol::appsuite::EventKind;
    use chrono::NaiveDateTime;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn transferred() -> Call {
        let mut c = Call::empty(
            "s".into(),
            Format::AppSuite,
            "ID1".into(),
            at("2012-03-09 23:59:58"),
        );
        c.end = Some(at("2012-03-10 00:00:09"));
        c.direction = Ext::new("IN");
        c.number = "79XXXXXXXX".into();
        c.contact_name = "SMITH, \"J\"".into();
        c.answered_by = Some(Ext::new("1843"));
        c.time_to_answer_s = Some(3);
        c.talk_s = Some(4);
        c.hold_s = 7;
        c.outcome = crate::timeline::Outcome::Answered;
        c.transfers = 1;
        c.path = vec![Ext::new("1843"), Ext::new("2560")];
        let mut t = CallEvent::new(at("2012-03-10 00:00:07"), EventKind::Transferred, "2560");
        t.source_extension = Ext::new("1843");
        c.events = vec![
            CallEvent::new(at("2012-03-09 23:59:58"), EventKind::Ringing, "1843"),
            t,
            CallEvent::new(at("2012-03-10 00:00:09"), EventKind::Disconnected, "2560"),
        ];
        c
    }

    #[test]
    fn jsonl_has_exactly_the_fields_with_lists_as_arrays() {
        let mut out = Vec::new();
        write_jsonl(&mut out, &transferred()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        let mut expected: Vec<&str> = CALL_COLUMNS.to_vec();
        expected.sort();
        let mut keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
        keys.sort();
        assert_eq!(keys, expected);
        assert_eq!(v["start"], "2012-03-09T23:59:58");
        assert_eq!(v["outcome"], "answered");
        assert_eq!(v["time_to_answer_s"], 3);
        assert_eq!(v["queued_s"], 0);
        assert_eq!(v["path"], serde_json::json!(["1843", "2560"]));
        assert_eq!(
            v["events"][1],
            serde_json::json!({"at": "2012-03-10T00:00:07", "event": "TRANSFERRED",
                "extension": "2560", "source_extension": "1843"})
        );
        assert_eq!(v["contact_name"], "SMITH, \"J\"");
    }

    #[test]
    fn csv_joins_lists_readably() {
        let mut w = CallWriter::new(Vec::new(), TextFormat::Csv);
        w.write(&transferred()).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), CALL_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "ID1,2012-03-09T23:59:58,2012-03-10T00:00:09,IN,79XXXXXXXX,\"SMITH, \"\"J\"\"\",,answered,1843,3,4,7,0,1,1843 > 2560,\
             23:59:58 RINGING 1843; 2012-03-10 00:00:07 TRANSFERRED 2560 from 1843; 00:00:09 DISCONNECTED 2560"
        );
        let empty = CallWriter::new(Vec::new(), TextFormat::Csv)
            .finish()
            .unwrap();
        assert_eq!(String::from_utf8(empty).unwrap().lines().count(), 1);
    }

    #[test]
    fn files_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let calls = Exported::Calls(vec![transferred(), transferred()]);
        for format in ExportFormat::ALL {
            let path = dir.path().join(format!("calls.{}", format.extension()));
            let mut last = (0, 0);
            let n = write(&calls, &path, format, |d, t| last = (d, t)).unwrap();
            assert_eq!((n, last), (2, (2, 2)));
            let text = std::fs::read(&path).unwrap();
            match format {
                ExportFormat::Csv => assert_eq!(text.split(|&b| b == b'\n').count(), 4),
                ExportFormat::Json => assert_eq!(text.split(|&b| b == b'\n').count(), 3),
                // A zip container.
                ExportFormat::Xlsx => assert_eq!(&text[..2], b"PK"),
            }
        }
        let missing = dir.path().join("no/such/dir.csv");
        let err = write(&calls, &missing, ExportFormat::Csv, |_, _| {}).unwrap_err();
        assert!(err.to_string().starts_with("cannot write"), "{err}");
    }

    /// Issue 17.10: the window's call exports lead with the call's site, in every format; the
    /// `calls` command's writer keeps exactly [`CALL_COLUMNS`].
    #[test]
    fn window_exports_lead_with_the_site() {
        assert_eq!(EXPORT_CALL_COLUMNS[0], "site");
        assert_eq!(&EXPORT_CALL_COLUMNS[1..], CALL_COLUMNS);
        let mut call = transferred();
        call.site = "Main Office".into();
        let dir = tempfile::tempdir().unwrap();
        let calls = Exported::Calls(vec![call.clone()]);
        let csv = dir.path().join("calls.csv");
        write(&calls, &csv, ExportFormat::Csv, |_, _| {}).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), EXPORT_CALL_COLUMNS.join(","));
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("Main Office,ID1,2012-03-09T23:59:58,")
        );
        let json = dir.path().join("calls.json");
        write(&calls, &json, ExportFormat::Json, |_, _| {}).unwrap();
        let text = std::fs::read_to_string(&json).unwrap();
        assert!(text.starts_with("{\"site\":\"Main Office\",\"call_id\":\"ID1\","));
        let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut expected = EXPORT_CALL_COLUMNS.to_vec();
        expected.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, expected);
        assert_eq!(v["site"], "Main Office");
        // Without the site, the object is the `calls` command's, field for field.
        let mut alone = Vec::new();
        write_jsonl(&mut alone, &call).unwrap();
        let mut v = v;
        v.as_object_mut().unwrap().remove("site");
        assert_eq!(
            v,
            serde_json::from_slice::<serde_json::Value>(&alone).unwrap()
        );
        let xlsx = dir.path().join("calls.xlsx");
        write(&calls, &xlsx, ExportFormat::Xlsx, |_, _| {}).unwrap();
        let sheet = crate::export::tests::xlsx_sheet(&xlsx);
        let header = sheet.find(">site<").unwrap();
        assert!(header < sheet.find(">call_id<").unwrap(), "{sheet}");
        assert!(sheet.contains(">Main Office<"), "{sheet}");
    }
}
