//! The named fields of a decoded record, as `decode`, `collect` and exports print them.
//! One place defines the names so every output agrees.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::record::{Body, Decoded, Source};

/// One field's value, borrowed; writers decide how to print it.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    Null,
    Str(&'a str),
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
            Value::Str(s) => f.write_str(s),
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

/// Every column a record can have, in CSV order (the union over formats).
pub const RECORD_COLUMNS: &[&str] = &[
    "format",
    "kind",
    "source",
    "date",
    "start",
    "timestamp",
    "call_type",
    "direction",
    "event",
    "ring_in",
    "extension",
    "source_extension",
    "trunk",
    "digits",
    "number",
    "contact_name",
    "ddi",
    "ddi_name",
    "calling_party",
    "called_party",
    "third_party",
    "duration_s",
    "time_to_answer_s",
    "cost",
    "account_code",
    "trunk_disconnect",
    "completion",
    "transfer_flag",
    "attendant",
    "long_call",
    "system_id",
    "ani",
    "dnis",
    "call_id",
    "call_sequence",
    "associated_call_id",
    "error",
    "raw",
];

fn opt_date(d: Option<NaiveDate>) -> Value<'static> {
    d.map_or(Value::Null, Value::Date)
}

fn opt_str(s: Option<&str>) -> Value<'_> {
    s.map_or(Value::Null, Value::Str)
}

/// Calls `f` with each field the record has, in output order: `format`, `kind`, `source`, the
/// kind's own fields, then `raw`.
pub fn visit_fields<'b>(
    d: &'b Decoded<'_>,
    source: &'b Source,
    mut f: impl FnMut(&'static str, Value<'b>),
) {
    f("format", Value::Str(d.format.as_str()));
    f("kind", Value::Str(d.kind().as_str()));
    f("source", Value::Display(source));
    match &d.body {
        Body::Mitel5000Call(c) => {
            f("date", opt_date(d.date.date));
            f("start", Value::Hm(c.start));
            f("call_type", Value::Str(c.call_type));
            f("ring_in", Value::Bool(c.ring_in));
            f("extension", Value::Str(c.extension));
            f("trunk", Value::Str(c.trunk));
            f("digits", Value::Str(c.digits));
            f("duration_s", Value::UInt(c.duration_s.into()));
            f("cost", Value::Str(c.cost));
            f("account_code", Value::Str(c.account_code));
            f("trunk_disconnect", Value::Bool(c.trunk_disconnect));
        }
        Body::Mitel5000Header(h) => {
            f("date", opt_date(h.date));
            f("start", h.time.map_or(Value::Null, Value::Hms));
        }
        Body::AppSuiteEvent(e) => {
            f("timestamp", Value::DateTime(e.timestamp));
            f("direction", Value::Str(e.direction));
            f("call_id", Value::Str(e.call_id));
            f("trunk", Value::Str(e.trunk));
            f("extension", Value::Str(e.extension));
            f("source_extension", Value::Str(e.source_extension));
            f("number", Value::Str(e.number));
            f("contact_name", Value::Str(e.contact_name));
            f("ddi", Value::Str(e.ddi));
            f("ddi_name", Value::Str(e.ddi_name));
            f("account_code", Value::Str(e.account_code));
            f("event", Value::Str(e.event));
        }
        Body::MivbCall(c) => {
            f("date", opt_date(d.date.date));
            f("start", Value::Hm(c.start));
            f("duration_s", Value::UInt(c.duration_s.into()));
            f("calling_party", Value::Str(c.calling_party));
            f("called_party", Value::Str(c.called_party));
            f("third_party", Value::Str(c.third_party));
            f("digits", Value::Str(c.digits));
            f(
                "time_to_answer_s",
                c.time_to_answer_s
                    .map_or(Value::Null, |s| Value::UInt(s.into())),
            );
            f("completion", Value::Str(c.completion));
            f("transfer_flag", Value::Str(c.transfer_flag));
            f("attendant", Value::Bool(c.attendant));
            f("account_code", Value::Str(c.account_code));
            f("long_call", Value::Str(c.long_call));
            f("system_id", Value::Str(c.system_id));
            if c.layout.ani_dnis {
                f("ani", opt_str(c.ani));
                f("dnis", opt_str(c.dnis));
            }
            if c.layout.call_ids {
                f("call_id", opt_str(c.call_id));
                f("call_sequence", opt_str(c.call_sequence));
                f("associated_call_id", opt_str(c.associated_call_id));
            }
        }
        Body::Unparsed(reason) => f("error", Value::Str(reason)),
    }
    f("raw", Value::Str(d.text));
}
