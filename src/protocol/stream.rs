//! Decoding a stream of lines in order: format detection and the dates that depend on what
//! came before (5000 headers) or on the receiving clock.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::appsuite::{self, DEFAULT_PADDING};
use super::dates::{DateDecision, DateSource, Mitel5000Dates, mivb_date};
use super::mitel5000::record::Shape;
use super::record::{Body, Decoded, Format, Record, Source, decode_as, decode_columns, lossy};
use super::text::{Columns, ascii_str, fixed_column_text, strip_eol, strip_legacy_prefix};
use super::{mitel5000, mivb};

#[derive(Debug, Clone)]
pub struct DecodeOptions {
    /// `None`: detect per line.
    pub format: Option<Format>,
    /// The date to use for 5000 records when no header or receipt time is known (`--date`).
    pub date: Option<NaiveDate>,
    pub padding: char,
    /// "Today" for MiVB year inference when no receipt time is known (injectable for tests).
    pub today: NaiveDate,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            format: None,
            date: None,
            padding: DEFAULT_PADDING,
            today: chrono::Local::now().date_naive(),
        }
    }
}

/// Which format a line is, from its shape alone.
pub fn detect(line: &str) -> Option<Format> {
    detect_in(Columns::new(line))
}

/// [`detect`] for a line whose columns are known already.
pub fn detect_in(c: Columns<'_>) -> Option<Format> {
    if appsuite::looks_like_event(c.text()) {
        Some(Format::AppSuite)
    } else {
        detect_fixed(c).map(|(format, _)| format)
    }
}

/// The fixed-column formats' part of [`detect`], with a 5000 record's [`Shape`] when that is
/// what told.
fn detect_fixed(c: Columns<'_>) -> Option<(Format, Option<Shape>)> {
    if mitel5000::record::is_header(c.text()) {
        Some((Format::Mitel5000, None))
    } else if let Some(shape) = mitel5000::record::shape(c) {
        Some((Format::Mitel5000, Some(shape)))
    } else if mivb::looks_like_record_in(c) {
        Some((Format::Mivb, None))
    } else {
        None
    }
}

/// The record text of a line: line end and the seed script's `R   `/`Q   ` prefix removed.
pub fn clean_line(line: &str) -> &str {
    strip_legacy_prefix(strip_eol(line))
}

/// What [`StreamDecoder::text_of`] found out about a line on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// Shaped like an App Suite event (the line as received: a legacy prefix or line end can
    /// only hide that shape, never fake it).
    AppSuite,
    Nothing,
}

#[derive(Debug, Clone)]
pub struct StreamDecoder {
    options: DecodeOptions,
    /// The latest detected format: an undecodable line in a 5000 stream is a 5000 line that
    /// failed, with that parser's reason, not an "unknown" one.
    last_format: Option<Format>,
    m5k_dates: Mitel5000Dates,
    /// The last MiVB date inferred: (month, day, reference) → date. Records of one stream
    /// mostly share their day, so the calendar is consulted once a day, not once a record.
    mivb_last: Option<((u32, u32, NaiveDate), Option<NaiveDate>)>,
}

impl StreamDecoder {
    pub fn new(options: DecodeOptions) -> Self {
        let m5k_dates = Mitel5000Dates::new(options.date);
        Self {
            options,
            last_format: None,
            m5k_dates,
            mivb_last: None,
        }
    }

    pub fn padding(&self) -> char {
        self.options.padding
    }

    /// The text of record bytes, to pass to [`Self::decode`]. ASCII (the rule) is borrowed. For
    /// the fixed-column layouts (5000, MiVB: this stream's format, or the line's shape) every
    /// byte ≥ 0x80 is one U+FFFD, so a stray byte stays one column and the fields after it stay
    /// in place. App Suite lines are cut at `|` and whitespace, so there valid UTF-8 (e.g. a
    /// non-breaking space in a name, §2) is kept as received and only invalid bytes are replaced.
    pub fn text<'b>(&self, bytes: &'b [u8]) -> Cow<'b, str> {
        self.text_of(bytes).0
    }

    /// [`Self::text`], and what is known of it already (so the decoder need not look again).
    fn text_of<'b>(&self, bytes: &'b [u8]) -> (Cow<'b, str>, Known) {
        let app_suite = |t: &str| match self.options.format {
            Some(f) => f == Format::AppSuite,
            None => appsuite::looks_like_event(t),
        };
        if let Some(text) = ascii_str(bytes) {
            let known = if app_suite(text) {
                Known::AppSuite
            } else {
                Known::Nothing
            };
            return (Cow::Borrowed(text), known);
        }
        if let Ok(text) = std::str::from_utf8(bytes)
            && app_suite(text)
        {
            return (Cow::Borrowed(text), Known::AppSuite);
        }
        let fixed = fixed_column_text(bytes);
        let format = self
            .options
            .format
            .or_else(|| detect(clean_line(&fixed)))
            .or(self.last_format);
        match format {
            Some(Format::Mitel5000 | Format::Mivb) => (fixed, Known::Nothing),
            _ => (lossy(bytes), Known::Nothing),
        }
    }

    /// Decodes record bytes (their [`Self::text`]) and hands the record to `f`, with whether its
    /// text is the bytes exactly (else the bytes are worth keeping beside it).
    pub fn decode_bytes<R>(
        &mut self,
        bytes: &[u8],
        received: Option<DateTime<FixedOffset>>,
        f: impl FnOnce(&Decoded<'_>, bool) -> R,
    ) -> R {
        let (text, known) = self.text_of(bytes);
        let exact = matches!(text, Cow::Borrowed(_));
        let d = self.decode_text(&text, known, received);
        f(&d, exact)
    }

    /// Decodes the next line of the stream (line end and legacy prefix are removed here).
    pub fn decode<'a>(
        &mut self,
        line: &'a str,
        received: Option<DateTime<FixedOffset>>,
    ) -> Decoded<'a> {
        self.decode_text(line, Known::Nothing, received)
    }

    /// [`Self::decode`], with what is known of the line already.
    fn decode_text<'a>(
        &mut self,
        line: &'a str,
        known: Known,
        received: Option<DateTime<FixedOffset>>,
    ) -> Decoded<'a> {
        let text = clean_line(line);
        // A fixed-column line's columns are looked at once, for detection and decoding both;
        // an App Suite line's never.
        let mut cut = None;
        // A 5000 record's shape, when detection read it: the parser takes it from there.
        let (detected, shape) = match self.options.format {
            Some(f) => (Some(f), None),
            None if known == Known::AppSuite || appsuite::looks_like_event(text) => {
                (Some(Format::AppSuite), None)
            }
            None => match detect_fixed(*cut.insert(Columns::new(text))) {
                Some((format, shape)) => (Some(format), shape),
                None => (None, None),
            },
        };
        if detected.is_some() {
            self.last_format = detected;
        }
        let format = detected.or(self.last_format).unwrap_or(Format::Unknown);
        let padding = self.options.padding;
        let body = match (cut, format) {
            (Some(c), _) => decode_columns(format, c, padding, shape),
            (None, Format::Mitel5000 | Format::Mivb) => {
                decode_columns(format, Columns::new(text), padding, None)
            }
            (None, _) => decode_as(format, text, padding),
        };
        let date = self.date_of(&body, received);
        Decoded {
            format,
            text,
            date,
            body,
        }
    }

    /// Decodes raw bytes into an owned [`Record`].
    pub fn record(
        &mut self,
        site: &Arc<str>,
        source: Source,
        bytes: &[u8],
        received: Option<DateTime<FixedOffset>>,
    ) -> Record {
        let (text, known) = self.text_of(bytes);
        let exact = matches!(text, Cow::Borrowed(_));
        let d = self.decode_text(&text, known, received);
        let (format, kind, date, clean) = (d.format, d.kind(), d.date, d.text.into());
        Record {
            site: site.clone(),
            source,
            received,
            format,
            kind,
            date,
            padding: self.options.padding,
            text: clean,
            bytes: (!exact).then(|| bytes.into()),
            problem: None,
        }
    }

    fn date_of(
        &mut self,
        body: &Body<'_>,
        received: Option<DateTime<FixedOffset>>,
    ) -> DateDecision {
        let received = received.map(|r| r.naive_local());
        match body {
            Body::Mitel5000Header(h) => {
                self.m5k_dates.header(h.date, h.time);
                h.date
                    .map(|d| DateDecision::new(d, DateSource::Printed))
                    .unwrap_or_default()
            }
            Body::Mitel5000Call(c) => self.m5k_dates.record(c.start, received),
            Body::AppSuiteEvent(e) => DateDecision::new(e.timestamp.date(), DateSource::Printed),
            Body::MivbCall(c) => {
                let reference = received
                    .map(|r| r.date())
                    .or(self.options.date)
                    .unwrap_or(self.options.today);
                let key = (c.month, c.day, reference);
                let date = match self.mivb_last {
                    Some((k, d)) if k == key => d,
                    _ => {
                        let d = mivb_date(c.month, c.day, reference);
                        self.mivb_last = Some((key, d));
                        d
                    }
                };
                match date {
                    Some(d) => DateDecision::new(d, DateSource::YearInferred),
                    None => DateDecision::default(),
                }
            }
            Body::Unparsed(_) => DateDecision::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::record::Kind;

    #[test]
    fn detects_each_format() {
        assert_eq!(
            detect(
                "Station Message Detailed Recording                          17:01:24 04-07-2012"
            ),
            Some(Format::Mitel5000)
        );
        assert_eq!(
            detect("NET 1234  P0001 94567                        17:11 00:03:34 $00.00"),
            Some(Format::Mitel5000)
        );
        assert_eq!(
            detect("2012-03-09 12:47:06 |OUT| 2012030900465982190047 0092808 |x|"),
            Some(Format::AppSuite)
        );
        assert_eq!(
            detect(
                " 02/04 13:31  00:00:00 T003  *** 94163759                  E                         000  "
            ),
            Some(Format::Mivb)
        );
        assert_eq!(detect("hello world"), None);
    }

    #[test]
    fn legacy_lines_decode_with_header_dates() {
        let mut s = StreamDecoder::new(DecodeOptions::default());
        let h = s.decode(
            "Q   Station Message Detailed Recording                          17:01:24 04-07-2012",
            None,
        );
        assert_eq!(h.kind(), Kind::Header);
        let r = s.decode(
            "R\0\0\0IN  3456  90001                              17:19 00:04:56 $00.00\r",
            None,
        );
        assert_eq!(r.kind(), Kind::Call);
        assert_eq!(
            r.date,
            DateDecision::new(
                NaiveDate::from_ymd_opt(2012, 4, 7).unwrap(),
                DateSource::Header
            )
        );
        assert!(r.text.starts_with("IN  3456"));
    }

    /// §1.2: an old log with only headers. After a connect header late in the day, the buffered
    /// records (early STARTs) are on the header's day; the live flow then crosses midnight.
    #[test]
    fn buffered_records_after_a_connect_header_keep_its_day() {
        let mut s = StreamDecoder::new(DecodeOptions::default());
        let header = format!(
            "{:<60}22:15:00 03-31-2026",
            "Station Message Detailed Recording"
        );
        assert_eq!(s.decode(&header, None).kind(), Kind::Header);
        let dates: Vec<String> = ["07:50", "13:20", "22:05", "23:40", "00:10"]
            .iter()
            .map(|start| {
                let line = format!("{:<45}{start} 00:04:56 $00.00", "IN  3456  90001");
                let r = s.decode(&line, None);
                assert_eq!((r.kind(), r.date.source), (Kind::Call, DateSource::Header));
                r.date.date.unwrap().to_string()
            })
            .collect();
        assert_eq!(
            dates,
            [
                "2026-03-31",
                "2026-03-31",
                "2026-03-31",
                "2026-03-31",
                "2026-04-01"
            ]
        );
    }

    #[test]
    fn garbage_after_a_known_format_keeps_that_format_and_a_reason() {
        let mut s = StreamDecoder::new(DecodeOptions::default());
        s.decode(
            "NET 1234  P0001 94567                        17:11 00:03:34 $00.00",
            None,
        );
        let g = s.decode("NET 1234  P0001 94567                        17:1", None);
        assert_eq!((g.format, g.kind()), (Format::Mitel5000, Kind::Unparsed));
        let mut fresh = StreamDecoder::new(DecodeOptions::default());
        let u = fresh.decode("\u{1}\u{2}zzz", None);
        assert_eq!((u.format, u.kind()), (Format::Unknown, Kind::Unparsed));
    }

    /// A byte ≥ 0x80 in a fixed-column record is one column: the fields after it stay put.
    #[test]
    fn a_stray_byte_in_fixed_columns_is_one_column() {
        use crate::protocol::Body;
        let site: Arc<str> = "x".into();
        let source = || Source {
            origin: "f".into(),
            line: 1,
        };
        let net = b"NET 1234  P0001 945\xff7                        17:11 00:03:34 $00.00";
        // Invalid UTF-8, a valid two-byte sequence: each byte is one column either way.
        let valid = b"NET 1234  P0001 94\xc3\xa97                        17:11 00:03:34 $00.00";
        for (bytes, digits) in [
            (&net[..], "945\u{fffd}7"),
            (&valid[..], "94\u{fffd}\u{fffd}7"),
        ] {
            let mut s = StreamDecoder::new(DecodeOptions::default());
            let r = s.record(&site, source(), bytes, None);
            assert_eq!(
                (r.format, r.kind),
                (Format::Mitel5000, Kind::Call),
                "{}",
                r.text
            );
            assert_eq!(r.raw_bytes(), bytes, "the bytes as received");
            match r.decode().body {
                Body::Mitel5000Call(c) => {
                    assert_eq!((c.extension, c.trunk, c.digits), ("1234", "P0001", digits));
                    assert_eq!((c.duration_s, c.cost), (214, "$00.00"));
                    assert_eq!(c.start, chrono::NaiveTime::from_hms_opt(17, 11, 0).unwrap());
                }
                other => panic!("{other:?}"),
            }
        }
        let mut mivb =
            b"+11/21 09:02  00:41:07 T009  012                             2301T 2305 4455         000  "
                .to_vec();
        mivb[40] = 0xff;
        let mut s = StreamDecoder::new(DecodeOptions::default());
        let r = s.record(&site, source(), &mivb, None);
        assert_eq!((r.format, r.kind), (Format::Mivb, Kind::Call), "{}", r.text);
        match r.decode().body {
            Body::MivbCall(c) => {
                assert_eq!(
                    (c.digits, c.called_party, c.transfer_flag),
                    ("\u{fffd}", "2301", "T")
                );
                assert_eq!(
                    (c.third_party, c.account_code, c.system_id),
                    ("2305", "4455", "000")
                );
            }
            other => panic!("{other:?}"),
        }
        // Given the format, the same holds for a line whose shape the stray byte hides.
        mivb[9] = 0xff;
        let mut s = StreamDecoder::new(DecodeOptions {
            format: Some(Format::Mivb),
            ..Default::default()
        });
        let r = s.record(&site, source(), &mivb, None);
        assert_eq!(r.text.chars().count(), mivb.len());
    }

    /// App Suite is cut at `|` and whitespace: valid UTF-8 stays as received (§2).
    #[test]
    fn app_suite_keeps_valid_utf8_and_tolerates_a_bad_byte() {
        use crate::protocol::Body;
        let site: Arc<str> = "x".into();
        let line = "2012-03-09 01:31:27 |IN | 2012030901311586070264 0092108 0002560 0001843 0000079XXXXXXXX |CHRIS\u{a0}MOBILE| 00044161XXXXXXX |CHRIS DID | 000000000000 |TRANSFERRED |";
        let mut s = StreamDecoder::new(DecodeOptions::default());
        let source = Source {
            origin: "f".into(),
            line: 1,
        };
        let r = s.record(&site, source.clone(), line.as_bytes(), None);
        assert_eq!(
            (r.kind, &*r.text, r.bytes.is_none()),
            (Kind::Event, line, true)
        );
        let bad = line
            .replace("CHRIS\u{a0}MOBILE", "CHRIS\u{1}MOBILE")
            .replace('\u{1}', "\u{ff}");
        let mut bytes = bad.into_bytes();
        let at = bytes.iter().position(|&b| b == 0xc3).unwrap();
        bytes.splice(at..at + 2, [0xff]);
        let r = s.record(&site, source, &bytes, None);
        match r.decode().body {
            Body::AppSuiteEvent(e) => assert_eq!(e.contact_name, "CHRIS\u{fffd}MOBILE"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_utf8_keeps_its_bytes() {
        let mut s = StreamDecoder::new(DecodeOptions::default());
        let site: Arc<str> = "x".into();
        let r = s.record(
            &site,
            Source {
                origin: "f".into(),
                line: 1,
            },
            b"ab\xffcd",
            None,
        );
        assert_eq!(r.raw_bytes(), b"ab\xffcd");
        assert_eq!(&*r.text, "ab\u{fffd}cd");
        assert_eq!(r.kind, Kind::Unparsed);
    }
}
