//! Decoding a stream of lines in order: format detection and the dates that depend on what
//! came before (5000 headers) or on the receiving clock.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::appsuite::{self, DEFAULT_PADDING};
use super::dates::{DateDecision, DateSource, Mitel5000Dates, mivb_date};
use super::record::{Body, Decoded, Format, Record, Source, decode_as, lossy};
use super::text::{strip_eol, strip_legacy_prefix};
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
    if appsuite::looks_like_event(line) {
        Some(Format::AppSuite)
    } else if mitel5000::record::is_header(line) || mitel5000::record::looks_like_record(line) {
        Some(Format::Mitel5000)
    } else if mivb::looks_like_record(line) {
        Some(Format::Mivb)
    } else {
        None
    }
}

/// The record text of a line: line end and the seed script's `R   `/`Q   ` prefix removed.
pub fn clean_line(line: &str) -> &str {
    strip_legacy_prefix(strip_eol(line))
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

    /// Decodes the next line of the stream (line end and legacy prefix are removed here).
    pub fn decode<'a>(
        &mut self,
        line: &'a str,
        received: Option<DateTime<FixedOffset>>,
    ) -> Decoded<'a> {
        let text = clean_line(line);
        let detected = self.options.format.or_else(|| detect(text));
        if detected.is_some() {
            self.last_format = detected;
        }
        let format = detected.or(self.last_format).unwrap_or(Format::Unknown);
        let body = decode_as(format, text, self.options.padding);
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
        let text = lossy(bytes);
        let exact = matches!(text, std::borrow::Cow::Borrowed(_));
        let d = self.decode(&text, received);
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
