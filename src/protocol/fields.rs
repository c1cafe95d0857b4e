//! The named fields of a decoded record, as `decode`, `collect` and exports print them.
//! One place defines the names so every output agrees.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::record::{Body, Decoded, Source};
use super::{appsuite, mitel5000, mivb};

/// One field's value, borrowed; writers decide how to print it.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    Null,
    Str(&'a str),
    /// A word of the program's own (a record's format or kind): ASCII letters and digits, so
    /// a writer copies it without looking for anything to escape or quote.
    Word(&'static str),
    UInt(u64),
    Bool(bool),
    Date(NaiveDate),
    /// `HH:MM`.
    Hm(NaiveTime),
    /// `HH:MM:SS`.
    Hms(NaiveTime),
    /// `YYYY-MM-DDTHH:MM:SS`.
    DateTime(NaiveDateTime),
    Display(&'a dyn fmt::Display),
}

impl fmt::Display for Value<'_> {
    /// The text form (CSV, tables); `Null` prints as nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Str(s) | Value::Word(s) => f.write_str(s),
            Value::UInt(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::Hm(t) => write!(f, "{}", t.format("%H:%M")),
            Value::Hms(t) => write!(f, "{}", t.format("%H:%M:%S")),
            Value::DateTime(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S")),
            Value::Display(d) => d.fmt(f),
        }
    }
}

/// Who prints a column: every record output, or only the window's record exports (the site,
/// and a 5000 record's caller and DID beside `digits`; `decode` keeps its output unchanged).
#[derive(Clone, Copy)]
enum In {
    Both,
    Export,
}

/// Every column, in output order, once: [`RECORD_COLUMNS`] and [`EXPORT_RECORD_COLUMNS`] are
/// both read from it, so the two cannot disagree on a name or its place.
const COLUMNS: [(&str, In); 41] = [
    ("site", In::Export),
    ("format", In::Both),
    ("kind", In::Both),
    ("source", In::Both),
    ("date", In::Both),
    ("start", In::Both),
    ("timestamp", In::Both),
    ("call_type", In::Both),
    ("direction", In::Both),
    ("event", In::Both),
    ("ring_in", In::Both),
    ("extension", In::Both),
    ("source_extension", In::Both),
    ("trunk", In::Both),
    ("digits", In::Both),
    ("caller", In::Export),
    ("did", In::Export),
    ("number", In::Both),
    ("contact_name", In::Both),
    ("ddi", In::Both),
    ("ddi_name", In::Both),
    ("calling_party", In::Both),
    ("called_party", In::Both),
    ("third_party", In::Both),
    ("duration_s", In::Both),
    ("time_to_answer_s", In::Both),
    ("cost", In::Both),
    ("account_code", In::Both),
    ("trunk_disconnect", In::Both),
    ("completion", In::Both),
    ("transfer_flag", In::Both),
    ("attendant", In::Both),
    ("long_call", In::Both),
    ("system_id", In::Both),
    ("ani", In::Both),
    ("dnis", In::Both),
    ("call_id", In::Both),
    ("call_sequence", In::Both),
    ("associated_call_id", In::Both),
    ("error", In::Both),
    ("raw", In::Both),
];

/// How many of [`COLUMNS`] the record outputs print (`export`: the window's exports).
const fn count(export: bool) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < COLUMNS.len() {
        if export || matches!(COLUMNS[i].1, In::Both) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The names of [`COLUMNS`] the record outputs print, in order (`N` is [`count`]).
const fn names<const N: usize>(export: bool) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut j) = (0, 0);
    while i < COLUMNS.len() {
        if export || matches!(COLUMNS[i].1, In::Both) {
            out[j] = COLUMNS[i].0;
            j += 1;
        }
        i += 1;
    }
    out
}

/// Every column a record can have, in CSV order (the union over formats).
pub const RECORD_COLUMNS: &[&str] = &names::<{ count(false) }>(false);

/// The columns of the window's record exports: `site` first, then [`RECORD_COLUMNS`] with a 5000
/// record's caller and DID in their own columns beside `digits` (`decode` keeps
/// [`RECORD_COLUMNS`], its output unchanged).
pub const EXPORT_RECORD_COLUMNS: &[&str] = &names::<{ count(true) }>(true);

/// [`visit_fields`] as the window exports a record: `site` first, and a 5000 call record's
/// caller (incoming and ring-in calls) and DID right after `digits`, which holds both as
/// printed.
pub fn visit_export_fields<'b>(
    d: &'b Decoded<'_>,
    source: &'b Source,
    site: &'b str,
    mut f: impl FnMut(&'static str, Value<'b>),
) {
    f("site", Value::Str(site));
    let caller_did = match &d.body {
        Body::Mitel5000Call(c) => Some((c.caller(), c.did())),
        _ => None,
    };
    visit_fields(d, source, |name, v| {
        f(name, v);
        if let ("digits", Some((caller, did))) = (name, caller_did) {
            f("caller", Value::Str(caller));
            f("did", Value::Str(did));
        }
    });
}

/// A writer of a record's fields, one at a time ([`visit_fields_into`]).
pub trait FieldSink<'b> {
    /// Whether the fields of a record without a site are visited inside the writer's own code
    /// rather than in [`visit_fields`], a function of its own. The writer's state (the
    /// output's length, the field's place) then stays in registers across fields: `decode --as
    /// jsonl` 3.6–6.5 % fewer instructions. The CSV writer of rows in column order (5000 calls)
    /// took 6 % more (its copies were no longer inlined), so it says no.
    const INLINE: bool = false;

    fn field(&mut self, name: &'static str, v: Value<'b>);
}

/// [`visit_export_fields`] when a site is given, else [`visit_fields`], into a writer whose
/// `field` is inlined at each field, where the value's kind is known: no call and no jump on
/// the kind per field (a third of a `decode` run when it was a closure called through a
/// reference).
#[inline]
pub fn visit_fields_into<'b, S: FieldSink<'b>>(
    d: &'b Decoded<'_>,
    source: &'b Source,
    site: Option<&'b str>,
    out: &mut S,
) {
    visit_fields_at(
        d,
        source,
        site,
        S::INLINE,
        #[inline(always)]
        |n, v| out.field(n, v),
    );
}

/// [`visit_fields_into`]'s choice of visit, for a closure that is inlined at every field.
#[inline(always)]
fn visit_fields_at<'b>(
    d: &'b Decoded<'_>,
    source: &'b Source,
    site: Option<&'b str>,
    inline: bool,
    f: impl FnMut(&'static str, Value<'b>),
) {
    match site {
        None if inline => each_field(d, source, f),
        None => visit_fields(d, source, f),
        Some(site) => visit_export_fields(d, source, site, f),
    }
}

/// `f(name, some(v))`, or `f(name, Value::Null)` without a value: each call with a value of a
/// kind known where it is inlined, so a writer's field needs no jump on the kind (a value that
/// is `Null` or not only at run time costs a writer a stored `Value` and a jump table).
#[inline(always)]
fn or_null<'b, T>(
    f: &mut impl FnMut(&'static str, Value<'b>),
    name: &'static str,
    v: Option<T>,
    some: impl FnOnce(T) -> Value<'b>,
) {
    match v {
        Some(v) => f(name, some(v)),
        None => f(name, Value::Null),
    }
}

/// Calls `f` with each field the record has, in output order: `format`, `kind`, `source`, the
/// kind's own fields, then `raw`. Every writer (JSON lines, CSV, XLSX, the detail view) prints
/// what this gives, so a field is added here once.
///
/// Each record type is taken apart field by field, without `..`: a field added to a record does
/// not compile until it is printed here, or named with why it is not.
// Out of line: a writer that wants the visit inlined says so ([`FieldSink::INLINE`]).
#[inline(never)]
pub fn visit_fields<'b>(
    d: &'b Decoded<'_>,
    source: &'b Source,
    f: impl FnMut(&'static str, Value<'b>),
) {
    each_field(d, source, f);
}

/// [`visit_fields`]' body, for a writer that wants it inlined ([`FieldSink::INLINE`]).
#[inline(always)]
fn each_field<'b>(
    d: &'b Decoded<'_>,
    source: &'b Source,
    mut f: impl FnMut(&'static str, Value<'b>),
) {
    f("format", Value::Word(d.format.as_str()));
    f("kind", Value::Word(d.kind().as_str()));
    f("source", Value::Display(source));
    match &d.body {
        Body::Mitel5000Call(c) => {
            let mitel5000::CallRecord {
                call_type,
                ring_in,
                extension,
                trunk,
                digits,
                start,
                duration_s,
                cost,
                account_code,
                trunk_disconnect,
            } = *c;
            or_null(&mut f, "date", d.date.date, Value::Date);
            f("start", Value::Hm(start));
            f("call_type", Value::Str(call_type));
            f("ring_in", Value::Bool(ring_in));
            f("extension", Value::Str(extension));
            f("trunk", Value::Str(trunk));
            f("digits", Value::Str(digits));
            f("duration_s", Value::UInt(duration_s.into()));
            f("cost", Value::Str(cost));
            f("account_code", Value::Str(account_code));
            f("trunk_disconnect", Value::Bool(trunk_disconnect));
        }
        Body::Mitel5000Header(h) => {
            // The column-title line has no values: `raw` shows it.
            let mitel5000::Header {
                date,
                time,
                title_line: _,
            } = *h;
            or_null(&mut f, "date", date, Value::Date);
            or_null(&mut f, "start", time, Value::Hms);
        }
        Body::AppSuiteEvent(e) => {
            let appsuite::Event {
                timestamp,
                // How the time was read: the detail view's note (`time_note`).
                time_reading: _,
                // The first 14 digits of `call_id`.
                call_start: _,
                direction,
                call_id,
                trunk,
                extension,
                source_extension,
                number,
                contact_name,
                ddi,
                ddi_name,
                account_code,
                event,
                // `event`, recognised.
                kind: _,
            } = *e;
            f("timestamp", Value::DateTime(timestamp));
            f("direction", Value::Str(direction));
            f("call_id", Value::Str(call_id));
            f("trunk", Value::Str(trunk));
            f("extension", Value::Str(extension));
            f("source_extension", Value::Str(source_extension));
            f("number", Value::Str(number));
            f("contact_name", Value::Str(contact_name));
            f("ddi", Value::Str(ddi));
            f("ddi_name", Value::Str(ddi_name));
            f("account_code", Value::Str(account_code));
            f("event", Value::Str(event));
        }
        Body::MivbCall(c) => {
            let mivb::CallRecord {
                // Which of the optional fields the line has.
                layout,
                long_call,
                // Shown as a note in the detail view (`protocol::line_note`).
                long_call_missing: _,
                // With the year decided: `date`.
                month: _,
                day: _,
                start,
                duration_s,
                calling_party,
                attendant,
                // Documented, not printed yet.
                speed_forward: _,
                time_to_answer_s,
                // `***`: `time_to_answer_s` is null.
                unanswered: _,
                digits,
                completion,
                called_party,
                transfer_flag,
                third_party,
                account_code,
                system_id,
                ani,
                dnis,
                call_id,
                call_sequence,
                associated_call_id,
            } = *c;
            or_null(&mut f, "date", d.date.date, Value::Date);
            f("start", Value::Hm(start));
            f("duration_s", Value::UInt(duration_s.into()));
            f("calling_party", Value::Str(calling_party));
            f("called_party", Value::Str(called_party));
            f("third_party", Value::Str(third_party));
            f("digits", Value::Str(digits));
            or_null(&mut f, "time_to_answer_s", time_to_answer_s, |s| {
                Value::UInt(s.into())
            });
            f("completion", Value::Str(completion));
            f("transfer_flag", Value::Str(transfer_flag));
            f("attendant", Value::Bool(attendant));
            f("account_code", Value::Str(account_code));
            f("long_call", Value::Str(long_call));
            f("system_id", Value::Str(system_id));
            if layout.ani_dnis {
                or_null(&mut f, "ani", ani, Value::Str);
                or_null(&mut f, "dnis", dnis, Value::Str);
            }
            if layout.call_ids {
                or_null(&mut f, "call_id", call_id, Value::Str);
                or_null(&mut f, "call_sequence", call_sequence, Value::Str);
                or_null(&mut f, "associated_call_id", associated_call_id, Value::Str);
            }
        }
        Body::Unparsed(reason) => f("error", Value::Str(reason)),
    }
    f("raw", Value::Str(d.text));
}
