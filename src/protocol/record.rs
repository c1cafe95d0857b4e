//! One record type for all formats: what it is, its text, where it came from, and either its
//! decoded fields or the reason it could not be decoded. Nothing is ever dropped.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::dates::DateDecision;
use super::text::Columns;
use super::{appsuite, mitel5000, mivb};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Mitel5000,
    #[serde(rename = "appsuite")]
    AppSuite,
    Mivb,
    #[default]
    Unknown,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Mitel5000,
        Format::AppSuite,
        Format::Mivb,
        Format::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mitel5000 => "mitel5000",
            Self::AppSuite => "appsuite",
            Self::Mivb => "mivb",
            Self::Unknown => "unknown",
        }
    }

    /// For people: the product names a technician knows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Mitel5000 => "Mitel 5000 / MiVoice Office 250",
            Self::AppSuite => "App Suite IP SMDR",
            Self::Mivb => "MiVoice Business",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Call,
    Header,
    Event,
    Unparsed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Header => "header",
            Self::Event => "event",
            Self::Unparsed => "unparsed",
        }
    }
}

/// Where a record came from: `origin:line` (a file and its line, or a raw day log and its line).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    pub origin: Arc<str>,
    pub line: u64,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.origin, self.line)
    }
}

/// A decoded record with where and when it was received, borrowed from whoever decoded it: what
/// the store, the history and imports take in.
pub struct Incoming<'a> {
    pub site: &'a Arc<str>,
    pub origin: &'a Arc<str>,
    pub line: u64,
    pub received: Option<DateTime<FixedOffset>>,
    pub padding: char,
    /// The bytes as received, when they are not valid UTF-8 (the text is then lossy).
    pub bytes: Option<&'a [u8]>,
    pub decoded: &'a Decoded<'a>,
    /// Why the bytes never made a record (framing garbage).
    pub problem: Option<&'a str>,
}

/// The decoded content of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<'a> {
    Mitel5000Call(mitel5000::CallRecord<'a>),
    Mitel5000Header(mitel5000::Header),
    AppSuiteEvent(appsuite::Event<'a>),
    MivbCall(mivb::CallRecord<'a>),
    /// Why the text could not be decoded, in words.
    Unparsed(String),
}

impl Body<'_> {
    pub fn kind(&self) -> Kind {
        match self {
            Self::Mitel5000Call(_) | Self::MivbCall(_) => Kind::Call,
            Self::Mitel5000Header(_) => Kind::Header,
            Self::AppSuiteEvent(_) => Kind::Event,
            Self::Unparsed(_) => Kind::Unparsed,
        }
    }
}

/// A decoded record borrowing its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub format: Format,
    /// The record text without framing, legacy prefix or line end.
    pub text: &'a str,
    pub date: DateDecision,
    pub body: Body<'a>,
}

impl Decoded<'_> {
    pub fn kind(&self) -> Kind {
        self.body.kind()
    }
}

/// A sentence on how an App Suite event's time was read, when it was not simply as printed
/// (§2.3), for a record's detail view: the 12-hour reading taken, or a time that no reading
/// puts at or after the call's start (kept as printed, and flagged). `None` otherwise.
pub fn time_note(d: &Decoded<'_>) -> Option<String> {
    let Body::AppSuiteEvent(e) = &d.body else {
        return None;
    };
    let read = e.timestamp.time();
    match e.time_reading {
        appsuite::TimeReading::AsPrinted => None,
        appsuite::TimeReading::Shifted12h => {
            // The other reading is 12 hours off, either way round: the same time of day.
            let printed = read.overflowing_add_signed(chrono::Duration::hours(12)).0;
            Some(format!(
                "printed {}, read as {} (12-hour clock)",
                printed.format("%H:%M:%S"),
                read.format("%H:%M:%S")
            ))
        }
        appsuite::TimeReading::Unresolved => {
            let start = match e.call_start {
                Some(s) if s.date() == e.timestamp.date() => s.format("%H:%M:%S").to_string(),
                Some(s) => s.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => "unknown".to_string(),
            };
            Some(format!(
                "printed {}, kept as printed: no reading of it (24- or 12-hour clock) is at or after the call's start {start} (from the call id)",
                read.format("%H:%M:%S")
            ))
        }
    }
}

/// A sentence on a line that was decoded although damaged (a MiVB line that lost its first
/// column), for a record's detail view. `None` otherwise.
pub fn line_note(d: &Decoded<'_>) -> Option<&'static str> {
    match &d.body {
        Body::MivbCall(c) if c.long_call_missing => {
            Some("the long-call column is missing: the line starts with its date")
        }
        _ => None,
    }
}

/// Decodes text known to be of `format`. Pure: the same inputs always give the same record,
/// so a store can keep only the text and the date decision and decode again when drawing.
pub fn decode_as(format: Format, text: &str, padding: char) -> Body<'_> {
    match format {
        Format::Mitel5000 | Format::Mivb => {
            decode_columns(format, Columns::new(text), padding, None)
        }
        Format::AppSuite => match appsuite::parse_event(text, padding) {
            Ok(e) => Body::AppSuiteEvent(e),
            Err(e) => Body::Unparsed(e.to_string()),
        },
        Format::Unknown => Body::Unparsed(UNKNOWN_LAYOUT.to_string()),
    }
}

/// [`decode_as`] for a line whose columns are known already (a stream's decoder looks once).
/// `shape`: what 5000 detection read of the line already.
pub fn decode_columns(
    format: Format,
    line: Columns<'_>,
    padding: char,
    shape: Option<mitel5000::record::Shape>,
) -> Body<'_> {
    match format {
        Format::Mitel5000 => match mitel5000::record::parse_columns_shaped(line, shape) {
            Ok(mitel5000::Line::Call(c)) => Body::Mitel5000Call(c),
            Ok(mitel5000::Line::Header(h)) => Body::Mitel5000Header(h),
            Err(e) => Body::Unparsed(e.to_string()),
        },
        Format::Mivb => match mivb::parse_columns(line) {
            Ok(c) => Body::MivbCall(c),
            Err(e) => Body::Unparsed(e.to_string()),
        },
        // Not cut by columns.
        Format::AppSuite | Format::Unknown => decode_as(format, line.text(), padding),
    }
}

pub const UNKNOWN_LAYOUT: &str = "not a recognised SMDR layout (Mitel 5000 record or header, App Suite event, MiVoice Business record)";

/// An owned record: what flows from collectors and importers to the store, exports and the CLI.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The site (or, for an imported file, the name it is shown under).
    pub site: Arc<str>,
    pub source: Source,
    /// When the record was received, local time with its offset; `None` for captures and old logs.
    pub received: Option<DateTime<FixedOffset>>,
    pub format: Format,
    pub kind: Kind,
    pub date: DateDecision,
    /// The App Suite item padding character the record was decoded with.
    pub padding: char,
    /// The record text (lossy UTF-8), without framing, legacy prefix or line end.
    pub text: Box<str>,
    /// The bytes as received, kept only when they differ from `text` (invalid UTF-8).
    pub bytes: Option<Box<[u8]>>,
    /// Set when the bytes never made a line to decode (e.g. skipped by the 5000 framer): the
    /// reason replaces whatever decoding the text would say.
    pub problem: Option<Box<str>>,
}

impl Record {
    /// Decodes again from the text: cheap, allocation-free for good records.
    pub fn decode(&self) -> Decoded<'_> {
        let body = match &self.problem {
            Some(p) => Body::Unparsed(p.to_string()),
            None => decode_as(self.format, &self.text, self.padding),
        };
        Decoded {
            format: self.format,
            text: &self.text,
            date: self.date,
            body,
        }
    }

    /// A record for bytes that are not a record at all (framing garbage), kept visible with why.
    pub fn garbage(
        site: Arc<str>,
        source: Source,
        format: Format,
        bytes: &[u8],
        reason: String,
    ) -> Self {
        let text = lossy(bytes).into_owned();
        let exact = text.as_bytes() == bytes;
        Self {
            site,
            source,
            received: None,
            format,
            kind: Kind::Unparsed,
            date: DateDecision::default(),
            padding: super::appsuite::DEFAULT_PADDING,
            text: text.into(),
            bytes: (!exact).then(|| bytes.into()),
            problem: Some(reason.into()),
        }
    }

    /// The bytes as received (for hex views).
    pub fn raw_bytes(&self) -> &[u8] {
        self.bytes.as_deref().unwrap_or(self.text.as_bytes())
    }
}

/// Text for record bytes: borrowed when they are valid UTF-8. Records are ASCII almost always:
/// the standard validator (which skips ASCII a word at a time) goes first, the lossy one (a byte
/// at a time) only for the rare record that needs it.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formats and kinds reach the writers as `Value::Word`, copied without an escape check.
    #[test]
    fn format_and_kind_names_are_plain_words() {
        let kinds = [Kind::Call, Kind::Header, Kind::Event, Kind::Unparsed].map(Kind::as_str);
        for word in Format::ALL.map(Format::as_str).into_iter().chain(kinds) {
            assert!(!word.is_empty(), "{word:?}");
            assert!(
                word.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{word:?}"
            );
        }
    }

    fn note(line: &str) -> Option<String> {
        let body = decode_as(Format::AppSuite, line, '0');
        time_note(&Decoded {
            format: Format::AppSuite,
            text: line,
            date: DateDecision::default(),
            body,
        })
    }

    #[test]
    fn time_notes_say_how_an_app_suite_time_was_read() {
        // The manual's OUT example: printed 12:46:59 for a call that started 00:46:59.
        let shifted = "2012-03-09 12:46:59 |OUT| 2012030900465982190047 0092808 0001843 0000000 0000079XXXXXXXX | | 000000000000000 000000000000 |RINGING |";
        assert_eq!(
            note(shifted).as_deref(),
            Some("printed 12:46:59, read as 00:46:59 (12-hour clock)")
        );
        let late = shifted.replacen("12:46:59", "01:00:30", 1);
        let late = late.replacen("2012030900465982190047", "2012030912590082190047", 1);
        assert_eq!(
            note(&late).as_deref(),
            Some("printed 01:00:30, read as 13:00:30 (12-hour clock)")
        );
        // Printed before the call's start on either reading: kept and flagged.
        let early = shifted.replacen("2012030900465982190047", "2012030914000082190047", 1);
        let early = early.replacen("12:46:59", "13:30:00", 1);
        assert_eq!(
            note(&early).as_deref(),
            Some(
                "printed 13:30:00, kept as printed: no reading of it (24- or 12-hour clock) is at or after the call's start 14:00:00 (from the call id)"
            )
        );
        let as_printed = shifted.replacen("12:46:59", "00:47:06", 1);
        assert_eq!(note(&as_printed), None);
        assert_eq!(note("not an event"), None);
    }

    /// A MiVB line that lost its first column gets the detail view's note; a whole one none.
    #[test]
    fn line_notes_say_a_mivb_line_lost_its_first_column() {
        let whole = " 02/04 13:31  00:00:00 T003  *** 94163759                  E                         000  ";
        let line_note_of = |line: &str| {
            let body = decode_as(Format::Mivb, line, '0');
            assert_eq!(body.kind(), Kind::Call, "{line:?}");
            line_note(&Decoded {
                format: Format::Mivb,
                text: line,
                date: DateDecision::default(),
                body,
            })
        };
        assert_eq!(line_note_of(whole), None);
        assert_eq!(
            line_note_of(&whole[1..]),
            Some("the long-call column is missing: the line starts with its date")
        );
    }
}
