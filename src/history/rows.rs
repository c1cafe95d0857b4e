//! What one write holds, row by row, in the schema's terms; and the way back from a stored row
//! to a decoded record or a call, so query output is the `decode` / `calls` output.

use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike};

use crate::protocol::summary::summary;
use crate::protocol::{Body, DateDecision, DateSource, Decoded, Format, Incoming, Kind, decode_as};

mod call;

pub use call::{CallRow, call_row};

/// One decoded record (not unparsed), as the `records` table keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub site: Arc<str>,
    /// The natural key's file part: a raw day log's file name, or `import:<hash>`.
    pub origin: Arc<str>,
    pub line: i64,
    /// Where it was read from, as `decode` shows it in `source`.
    pub source: Arc<str>,
    pub received_at: Option<i64>,
    pub utc_offset_s: Option<i64>,
    pub day: Option<String>,
    pub format: &'static str,
    pub kind: &'static str,
    pub record_date: Option<String>,
    pub date_source: &'static str,
    /// Date and time of the call or event, `YYYY-MM-DDTHH:MM:SS`.
    pub at: Option<String>,
    pub direction: String,
    /// Call type (5000), event (App Suite), completion (MiVB), header.
    pub what: String,
    pub extension: String,
    pub trunk: String,
    /// The outside number: dialled digits or caller id.
    pub number: String,
    pub duration_s: Option<i64>,
    pub call_id: Option<String>,
    pub padding: String,
    pub raw: String,
    pub bytes: Option<Vec<u8>>,
}

/// A line that is not a record, with why, as the `unparsed` table keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnparsedRow {
    pub site: Arc<str>,
    pub origin: Arc<str>,
    pub line: i64,
    pub source: Arc<str>,
    pub received_at: Option<i64>,
    pub utc_offset_s: Option<i64>,
    pub day: Option<String>,
    pub format: &'static str,
    pub reason: String,
    /// The bytes never made a line to decode (framing garbage), rather than failing to decode.
    pub problem: bool,
    pub padding: String,
    pub raw: String,
    pub bytes: Option<Vec<u8>>,
}

/// A span without a connection to a site: records from it may be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanRow<'a> {
    pub site: &'a str,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// How far a raw day log has been written to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub site: Arc<str>,
    /// The raw day log's file name.
    pub file: String,
    /// The last line written (every line up to it is in the database).
    pub line: i64,
    /// A byte offset read to (the end of a whole line), and that line's number: catching up
    /// starts there, so a file read once is never read again from its start.
    pub read_to: i64,
    pub read_to_line: i64,
}

/// What one transaction writes.
#[derive(Debug, Default)]
pub struct Batch {
    pub records: Vec<RecordRow>,
    pub unparsed: Vec<UnparsedRow>,
    pub calls: Vec<CallRow>,
    pub spans: Vec<(Arc<str>, i64, i64)>,
    pub checkpoints: Vec<Checkpoint>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
            && self.unparsed.is_empty()
            && self.calls.is_empty()
            && self.spans.is_empty()
            && self.checkpoints.is_empty()
    }

    /// Records and unparsed lines in it.
    pub fn lines(&self) -> usize {
        self.records.len() + self.unparsed.len()
    }
}

/// Either row a line becomes.
// Made and moved into its table's Vec at once: boxing would only add an allocation per line.
#[allow(clippy::large_enum_variant)]
pub enum LineRow {
    Record(RecordRow),
    Unparsed(UnparsedRow),
}

const DAY: &str = "%Y-%m-%d";
const AT: &str = "%Y-%m-%dT%H:%M:%S";

/// `day` as [`DAY`] writes it, without chrono's format machinery (three dates a record:
/// it showed in the ingest profile).
fn day_text(day: NaiveDate) -> String {
    let mut s = String::with_capacity(19);
    push_day(&mut s, day);
    s
}

/// `at` as [`AT`] writes it.
#[cfg(test)]
fn at_text(at: NaiveDateTime) -> String {
    let mut s = String::with_capacity(19);
    push_at(&mut s, at);
    s
}

fn push_at(s: &mut String, at: NaiveDateTime) {
    push_day(s, at.date());
    let t = at.time();
    push_2(s, b'T', t.hour());
    push_2(s, b':', t.minute());
    push_2(s, b':', t.second());
}

fn push_day(s: &mut String, day: NaiveDate) {
    let y = day.year();
    if (0..=9999).contains(&y) {
        let y = y as u32;
        for d in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
            s.push(char::from(b'0' + d as u8));
        }
    } else {
        s.push_str(&format!("{y:+05}"));
    }
    push_2(s, b'-', day.month());
    push_2(s, b'-', day.day());
}

/// `sep` and a two-digit number.
fn push_2(s: &mut String, sep: u8, n: u32) {
    s.push(char::from(sep));
    s.push(char::from(b'0' + (n / 10 % 10) as u8));
    s.push(char::from(b'0' + (n % 10) as u8));
}

/// The row a decoded line becomes, keyed by `origin` (see [`RecordRow::origin`]) and its line.
pub fn line_row(r: &Incoming<'_>, origin: &Arc<str>, source: &Arc<str>) -> LineRow {
    line_row_reusing(r, origin, source, None)
}

/// [`line_row`], a record written into `spare` (a row of a batch written already) when given:
/// its strings keep their room, so a record costs no allocation (a dozen per record made the
/// C allocator the ingest's largest cost).
pub fn line_row_reusing(
    r: &Incoming<'_>,
    origin: &Arc<str>,
    source: &Arc<str>,
    spare: Option<RecordRow>,
) -> LineRow {
    let d = r.decoded;
    let received_at = r.received.map(|t| t.timestamp_millis());
    let utc_offset_s = r.received.map(|t| i64::from(t.offset().local_minus_utc()));
    let s = summary(d);
    // The record's own day; else the day it was received (unparsed lines, undated records).
    let day = s
        .when
        .map(|w| w.date())
        .or(d.date.date)
        .or_else(|| r.received.map(|t| t.date_naive()));
    let line = i64::try_from(r.line).unwrap_or(i64::MAX);
    if let Body::Unparsed(reason) = &d.body {
        return LineRow::Unparsed(UnparsedRow {
            site: r.site.clone(),
            origin: origin.clone(),
            line,
            source: source.clone(),
            received_at,
            utc_offset_s,
            day: day.map(day_text),
            format: d.format.as_str(),
            reason: r.problem.unwrap_or(reason).to_string(),
            problem: r.problem.is_some(),
            padding: r.padding.to_string(),
            raw: d.text.to_string(),
            bytes: r.bytes.map(<[u8]>::to_vec),
        });
    }
    let call_id = match &d.body {
        Body::AppSuiteEvent(e) => Some(e.call_id),
        Body::MivbCall(c) => c.call_id,
        _ => None,
    };
    let mut row = spare.unwrap_or_else(|| RecordRow {
        site: r.site.clone(),
        origin: origin.clone(),
        line,
        source: source.clone(),
        received_at,
        utc_offset_s,
        day: None,
        format: d.format.as_str(),
        kind: d.kind().as_str(),
        record_date: None,
        date_source: date_source_str(d.date.source),
        at: None,
        direction: String::new(),
        what: String::new(),
        extension: String::new(),
        trunk: String::new(),
        number: String::new(),
        duration_s: None,
        call_id: None,
        padding: String::new(),
        raw: String::new(),
        bytes: None,
    });
    row.site = r.site.clone();
    row.origin = origin.clone();
    row.line = line;
    row.source = source.clone();
    row.received_at = received_at;
    row.utc_offset_s = utc_offset_s;
    set_opt(&mut row.day, day, push_day);
    row.format = d.format.as_str();
    row.kind = d.kind().as_str();
    set_opt(&mut row.record_date, d.date.date, push_day);
    row.date_source = date_source_str(d.date.source);
    set_opt(&mut row.at, s.when, push_at);
    set(&mut row.direction, s.direction);
    set(&mut row.what, s.what);
    set(&mut row.extension, s.extension);
    set(&mut row.trunk, s.trunk);
    set(&mut row.number, s.number);
    row.duration_s = s.duration_s.map(i64::from);
    set_opt(&mut row.call_id, call_id, |t, id| t.push_str(id));
    row.padding.clear();
    row.padding.push(r.padding);
    set(&mut row.raw, d.text);
    row.bytes = r.bytes.map(<[u8]>::to_vec);
    LineRow::Record(row)
}

fn set(to: &mut String, s: &str) {
    to.clear();
    to.push_str(s);
}

/// `to` holds what `write` makes of `v` (in the string it had, if any), or `None`.
fn set_opt<T>(to: &mut Option<String>, v: Option<T>, write: impl FnOnce(&mut String, T)) {
    match v {
        Some(v) => {
            let t = to.get_or_insert_with(String::new);
            t.clear();
            write(t, v);
        }
        None => *to = None,
    }
}

pub fn date_source_str(s: DateSource) -> &'static str {
    match s {
        DateSource::Unknown => "unknown",
        DateSource::Printed => "printed",
        DateSource::Receipt => "receipt",
        DateSource::Header => "header",
        DateSource::Given => "given",
        DateSource::YearInferred => "year_inferred",
    }
}

fn date_source_of(s: &str) -> DateSource {
    match s {
        "printed" => DateSource::Printed,
        "receipt" => DateSource::Receipt,
        "header" => DateSource::Header,
        "given" => DateSource::Given,
        "year_inferred" => DateSource::YearInferred,
        _ => DateSource::Unknown,
    }
}

pub fn format_of(s: &str) -> Format {
    Format::ALL
        .into_iter()
        .find(|f| f.as_str() == s)
        .unwrap_or(Format::Unknown)
}

/// A record or unparsed line read back: enough to decode it again exactly as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLine {
    pub site: String,
    pub origin: String,
    pub line: i64,
    pub source: String,
    pub received_at: Option<i64>,
    pub utc_offset_s: Option<i64>,
    pub format: String,
    pub record_date: Option<String>,
    pub date_source: String,
    pub padding: String,
    pub raw: String,
    /// Set for unparsed lines: why.
    pub reason: Option<String>,
}

impl StoredLine {
    /// The receipt time with the offset it was received at.
    pub fn received(&self) -> Option<DateTime<FixedOffset>> {
        let ms = self.received_at?;
        let offset = FixedOffset::east_opt(i32::try_from(self.utc_offset_s.unwrap_or(0)).ok()?)?;
        offset.timestamp_millis_opt(ms).single()
    }

    pub fn padding_char(&self) -> char {
        self.padding
            .chars()
            .next()
            .unwrap_or(crate::protocol::appsuite::DEFAULT_PADDING)
    }

    /// Decodes the text again (decoding is pure: the same text, format, padding and date
    /// decision give the same record).
    pub fn decode(&self) -> Decoded<'_> {
        let format = format_of(&self.format);
        let date = DateDecision {
            date: self
                .record_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, DAY).ok()),
            source: date_source_of(&self.date_source),
        };
        let body = match &self.reason {
            Some(reason) => Body::Unparsed(reason.clone()),
            None => decode_as(format, &self.raw, self.padding_char()),
        };
        Decoded {
            format,
            text: &self.raw,
            date,
            body,
        }
    }

    pub fn kind(&self) -> Kind {
        if self.reason.is_some() {
            Kind::Unparsed
        } else {
            self.decode().kind()
        }
    }
}

/// One alarm, as the alarms table keeps it (`alarm` builds it from an alarm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmRow {
    /// When it happened, Unix milliseconds, with its UTC offset.
    pub at_ms: i64,
    pub utc_offset_s: i32,
    /// `YYYY-MM-DD` in that offset.
    pub day: String,
    pub site: String,
    pub rule: String,
    pub severity: String,
    pub text: String,
    pub record_received_at: Option<i64>,
    pub record_raw: Option<String>,
    pub call_id: Option<String>,
    pub test: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for (y, m, d, h, mi, se) in [
            (2026, 11, 2, 0, 0, 0),
            (1999, 1, 31, 23, 59, 59),
            (5, 7, 9, 10, 1, 2),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let at = day.and_hms_opt(h, mi, se).unwrap();
            assert_eq!(day_text(day), day.format(DAY).to_string());
            assert_eq!(at_text(at), at.format(AT).to_string());
        }
    }
}
