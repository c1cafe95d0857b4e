//! One record type for all formats: what it is, its text, where it came from, and either its
//! decoded fields or the reason it could not be decoded. Nothing is ever dropped.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::dates::DateDecision;
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

/// Decodes text known to be of `format`. Pure: the same inputs always give the same record,
/// so a store can keep only the text and the date decision and decode again when drawing.
pub fn decode_as(format: Format, text: &str, padding: char) -> Body<'_> {
    match format {
        Format::Mitel5000 => match mitel5000::record::parse_line(text) {
            Ok(mitel5000::Line::Call(c)) => Body::Mitel5000Call(c),
            Ok(mitel5000::Line::Header(h)) => Body::Mitel5000Header(h),
            Err(e) => Body::Unparsed(e.to_string()),
        },
        Format::AppSuite => match appsuite::parse_event(text, padding) {
            Ok(e) => Body::AppSuiteEvent(e),
            Err(e) => Body::Unparsed(e.to_string()),
        },
        Format::Mivb => match mivb::parse_record(text) {
            Ok(c) => Body::MivbCall(c),
            Err(e) => Body::Unparsed(e.to_string()),
        },
        Format::Unknown => Body::Unparsed(UNKNOWN_LAYOUT.to_string()),
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
