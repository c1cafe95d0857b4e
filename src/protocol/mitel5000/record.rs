//! The 5000's text lines: the 79-column header, the column-title line and the 80-column call
//! record (smdr-formats §1.2–1.4). Fields borrow from the line; nothing is allocated.

use chrono::{NaiveDate, NaiveTime};

use crate::protocol::text::{
    ColumnText, Columns, fixed_hh_mm_ss, parse_u32, split_at_byte, trim, two_digits,
};

pub const HEADER_MARK: &str = "Station Message Detailed Recording";
pub const TITLE_MARK: &str = "TYP EXT#";
pub const RECORD_WIDTH: usize = 80;

/// The header (`Station Message Detailed Recording … HH:MM:SS MM-DD-YYYY`) or the column-title line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    /// The `TYP EXT#  TRUNK …` line: no date, only column names.
    pub title_line: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallRecord<'a> {
    /// `TLC`, `IN`, `NET`…; empty on ring-in diagnostic records. Unknown types are kept as text.
    pub call_type: &'a str,
    /// A ring-in diagnostic record (TYP blank): ring time, and who answered or `*****`.
    pub ring_in: bool,
    /// The last endpoint that handled the call; `*****` when a ring-in was not answered.
    pub extension: &'a str,
    pub trunk: &'a str,
    /// As printed: outgoing digits (maybe ending in `>`), or caller id … DID for incoming.
    pub digits: &'a str,
    /// START, `HH:MM` (24-hour): when the call became valid, or when the ring began.
    pub start: NaiveTime,
    /// ELAPSED in seconds (the ring time on ring-in records).
    pub duration_s: u32,
    /// COST as printed: `$00.00`, `$12345`, `$$$$$$`, or empty.
    pub cost: &'a str,
    pub account_code: &'a str,
    /// `*` in column 79: the trunk side hung up first.
    pub trunk_disconnect: bool,
}

/// What the `*` flag says, by the call's direction (one of these is `hung_up_first`).
pub const HUNG_UP_FIRST: [&str; 3] = [
    "the outside party (the caller) hung up first",
    "the outside party (the number dialled) hung up first",
    "the outside party (the trunk side) hung up first",
];

impl<'a> CallRecord<'a> {
    /// More digits were dialled than the 28 columns hold (`>` at the end).
    pub fn digits_overflow(&self) -> bool {
        self.digits.ends_with('>')
    }

    /// Nobody answered this ring-in (`*****`).
    pub fn unanswered_ring(&self) -> bool {
        self.ring_in && self.extension.starts_with('*')
    }

    /// The outside party: dialled digits on outgoing calls, the caller id on incoming and
    /// ring-in records (left part of DIALED DIGITS, without the `RG ` marker).
    pub fn number(&self) -> &'a str {
        let d = self.digits.strip_prefix("RG ").unwrap_or(self.digits);
        if d.starts_with("RING") {
            return "";
        }
        if self.is_incoming() {
            d.split(' ').next().unwrap_or("")
        } else {
            d
        }
    }

    /// The caller's number: the caller id on incoming and ring-in records; empty on outgoing
    /// calls (their caller is an extension, and `number` is the party dialled).
    pub fn caller(&self) -> &'a str {
        if self.is_incoming() {
            self.number()
        } else {
            ""
        }
    }

    /// DID/DNIS, right-aligned at column 43 on incoming and ring-in records.
    pub fn did(&self) -> &'a str {
        if !self.is_incoming() {
            return "";
        }
        if let Some(rest) = self.digits.strip_prefix("RING") {
            return rest.trim_start_matches('.');
        }
        match self.digits.rsplit_once(' ') {
            Some((_, last)) => last,
            None => "",
        }
    }

    fn is_incoming(&self) -> bool {
        self.ring_in || matches!(self.call_type, "IN" | "DID" | "DSA")
    }

    /// The `*` flag in words, `None` without it. It says the trunk side — the outside party —
    /// hung up first: the caller on an incoming call, the number dialled on an outgoing one
    /// (never "the caller" there: the caller is one of ours).
    pub fn hung_up_first(&self) -> Option<&'static str> {
        if !self.trunk_disconnect {
            return None;
        }
        Some(if self.is_incoming() {
            HUNG_UP_FIRST[0]
        } else if matches!(
            self.call_type,
            "LOC" | "TLC" | "TLD" | "O/I" | "OP" | "INT" | "000"
        ) {
            HUNG_UP_FIRST[1]
        } else {
            HUNG_UP_FIRST[2]
        })
    }
}

/// What a 5000 line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    Header(Header),
    Call(CallRecord<'a>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("START (columns 45-49) is {0:?}, not HH:MM")]
    BadStart(String),
    #[error("ELAPSED (columns 51-58) is {0:?}, not HH:MM:SS, HH:MM or S=n")]
    BadElapsed(String),
    #[error("line is {0} characters long: a 5000 call record has 80")]
    TooLong(usize),
}

pub fn is_header(line: &str) -> bool {
    line.starts_with(HEADER_MARK) || line.starts_with(TITLE_MARK)
}

/// Looks like a call record: START and ELAPSED have their shape where the layout puts them.
pub fn looks_like_record(line: &str) -> bool {
    looks_like_record_in(Columns::new(line))
}

/// [`looks_like_record`] for a line whose columns are known already (a stream's decoder looks
/// once).
pub fn looks_like_record_in(c: Columns<'_>) -> bool {
    shape(c).is_some()
}

/// A call record's START and ELAPSED, read where detection looks for them: kept for
/// [`parse_columns_shaped`], so a detected line's times are not read twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    start: NaiveTime,
    duration_s: u32,
}

/// The line's [`Shape`], when it looks like a call record ([`looks_like_record`]).
pub fn shape(c: Columns<'_>) -> Option<Shape> {
    // An ASCII line (the rule) is read without asking at each column what kind of line it is.
    match c.as_ascii() {
        Some(a) => shape_in(a),
        None => shape_in(c),
    }
}

fn shape_in<'a>(c: impl ColumnText<'a>) -> Option<Shape> {
    if c.width() > RECORD_WIDTH + 2 {
        return None;
    }
    let start = parse_hhmm(c.cols(45, 50))?;
    if c.byte_at(44) != b' ' {
        return None;
    }
    let duration_s = parse_elapsed(c.cols(51, 59))?;
    Some(Shape { start, duration_s })
}

/// Decodes one line (legacy prefix already stripped, line end removed).
pub fn parse_line(line: &str) -> Result<Line<'_>, LineError> {
    parse_columns(Columns::new(line))
}

/// [`parse_line`] for a line whose columns are known already.
pub fn parse_columns(line: Columns<'_>) -> Result<Line<'_>, LineError> {
    parse_columns_shaped(line, None)
}

/// [`parse_columns`] for a line whose [`Shape`] detection found already.
pub fn parse_columns_shaped(
    line: Columns<'_>,
    shape: Option<Shape>,
) -> Result<Line<'_>, LineError> {
    if line.text().starts_with(TITLE_MARK) {
        return Ok(Line::Header(Header {
            date: None,
            time: None,
            title_line: true,
        }));
    }
    if line.text().starts_with(HEADER_MARK) {
        return Ok(Line::Header(parse_header(line)));
    }
    parse_call(line, shape).map(Line::Call)
}

fn parse_header(line: Columns<'_>) -> Header {
    let time = parse_hhmmss(line.cols(60, 68));
    let d = line.cols(69, 79).as_bytes();
    let date = (d.len() == 10 && d[2] == b'-' && d[5] == b'-')
        .then(|| {
            let month = two_digits(d, 0)?;
            let day = two_digits(d, 3)?;
            let year = parse_u32(std::str::from_utf8(&d[6..10]).ok()?)?;
            NaiveDate::from_ymd_opt(year as i32, month, day)
        })
        .flatten();
    Header {
        date,
        time,
        title_line: false,
    }
}

fn parse_call(line: Columns<'_>, shape: Option<Shape>) -> Result<CallRecord<'_>, LineError> {
    // A trimmed legacy line is short: missing columns read as spaces. A longer one is not ours.
    // (A line of at most 80 columns is short enough however it is trimmed.)
    if line.width() > RECORD_WIDTH {
        let trimmed_end = line.width_of(line.text().trim_end());
        if line.width_of(trim(line.text())) > RECORD_WIDTH || trimmed_end > RECORD_WIDTH {
            return Err(LineError::TooLong(trimmed_end));
        }
    }
    let Shape { start, duration_s } = match shape {
        Some(shape) => shape,
        None => {
            let start_text = line.cols(45, 50);
            let elapsed_text = line.cols(51, 59);
            Shape {
                start: parse_hhmm(start_text)
                    .ok_or_else(|| LineError::BadStart(start_text.to_string()))?,
                duration_s: parse_elapsed(elapsed_text)
                    .ok_or_else(|| LineError::BadElapsed(trim(elapsed_text).to_string()))?,
            }
        }
    };
    let call_type = line.field(0, 3);
    Ok(CallRecord {
        call_type,
        ring_in: call_type.is_empty(),
        extension: line.field(4, 9),
        trunk: line.field(10, 15),
        digits: line.field(16, 44),
        start,
        duration_s,
        cost: line.field(60, 66),
        account_code: line.field(67, 79),
        trunk_disconnect: line.byte_at(79) == b'*',
    })
}

/// `HH:MM`, 24-hour.
pub fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    NaiveTime::from_hms_opt(two_digits(b, 0)?, two_digits(b, 3)?, 0)
}

/// `HH:MM:SS`, 24-hour.
pub fn parse_hhmmss(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    NaiveTime::from_hms_opt(two_digits(b, 0)?, two_digits(b, 3)?, two_digits(b, 6)?)
}

/// ELAPSED: `HH:MM:SS`, right-aligned `S=n`, or `HH:MM` for calls past `S=999999`.
pub fn parse_elapsed(s: &str) -> Option<u32> {
    // Most calls: `HH:MM:SS` filling the field, nothing to trim.
    if let Some(Some(secs)) = fixed_hh_mm_ss(s) {
        return Some(secs);
    }
    elapsed_trimmed(s)
}

/// [`parse_elapsed`] without its fast path: the field trimmed first.
fn elapsed_trimmed(s: &str) -> Option<u32> {
    let t = trim(s);
    if let Some(n) = t.strip_prefix("S=") {
        return parse_u32(n);
    }
    if let Some(secs) = fixed_hh_mm_ss(t) {
        // `HH:MM:SS`: the answer the split below would give, sooner.
        return secs;
    }
    let mut parts = split_at_byte(t, b':');
    let h = parse_u32(parts.next()?)?;
    let m = parse_u32(parts.next()?)?;
    let secs = match parts.next() {
        Some(sec) => parse_u32(sec)?,
        None => 0,
    };
    if parts.next().is_some() || m > 59 || secs > 59 {
        return None;
    }
    h.checked_mul(3600)?.checked_add(m * 60 + secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The fast path gives what trimming first gives, for any field.
        #[test]
        fn elapsed_reads_as_before(s in prop_oneof![
            "[0-9: S=\\t\\x00x]{0,10}",
            "[ 0-9]{0,2}[0-9]:[0-7][0-9]:[0-7][0-9] ?",
        ]) {
            prop_assert_eq!(parse_elapsed(&s), elapsed_trimmed(&s));
        }
    }

    fn call(line: &str) -> CallRecord<'_> {
        match parse_line(line) {
            Ok(Line::Call(c)) => c,
            other => panic!("not a call: {other:?}"),
        }
    }

    #[test]
    fn documented_example_record() {
        let c = call(
            "TLC 11202 94003 961-9000                     08:36 00:00:03 $00.00              ",
        );
        assert_eq!(c.call_type, "TLC");
        assert_eq!(c.extension, "11202");
        assert_eq!(c.trunk, "94003");
        assert_eq!(c.digits, "961-9000");
        assert_eq!(c.start, NaiveTime::from_hms_opt(8, 36, 0).unwrap());
        assert_eq!(c.duration_s, 3);
        assert_eq!(c.cost, "$00.00");
        assert!(!c.ring_in && !c.trunk_disconnect);
        assert_eq!(c.hung_up_first(), None);
    }

    #[test]
    fn who_hung_up_first_in_words() {
        // The sample's outgoing international call: the party dialled hung up, not "the caller".
        let out = call(
            "O/I 104   94151 011-49618296260              09:00    S=193 $00.00             *",
        );
        assert_eq!(
            out.hung_up_first(),
            Some("the outside party (the number dialled) hung up first")
        );
        let inc = call(
            "IN  110   94129 525530894016            0061 08:48      S=1 $00.00             *",
        );
        assert_eq!(
            inc.hung_up_first(),
            Some("the outside party (the caller) hung up first")
        );
        let net = call(
            "NET 1234  P0001 94567                        17:11 00:03:34 $00.00             *",
        );
        assert_eq!(
            net.hung_up_first(),
            Some("the outside party (the trunk side) hung up first")
        );
    }

    #[test]
    fn ring_in_records() {
        let c = call(
            "    ***** 94129 RG 612-804-4082         8907 00:29      S=5                    *",
        );
        assert!(c.ring_in && c.unanswered_ring() && c.trunk_disconnect);
        assert_eq!(
            c.hung_up_first(),
            Some("the outside party (the caller) hung up first")
        );
        assert_eq!(c.number(), "612-804-4082");
        assert_eq!(c.did(), "8907");
        assert_eq!(c.duration_s, 5);
        let c = call(
            "    181   94129 RING......0063               06:46      S=9                     ",
        );
        assert!(c.ring_in && !c.unanswered_ring());
        assert_eq!((c.extension, c.number(), c.did()), ("181", "", "0063"));
    }

    #[test]
    fn elapsed_forms() {
        assert_eq!(parse_elapsed("00:03:34"), Some(214));
        assert_eq!(parse_elapsed("   S=226"), Some(226));
        assert_eq!(parse_elapsed("S=999999"), Some(999_999));
        assert_eq!(parse_elapsed("  312:05"), Some(312 * 3600 + 5 * 60));
        assert_eq!(parse_elapsed("  S=abc"), None);
        assert_eq!(parse_elapsed("00:61:00"), None);
    }

    #[test]
    fn header_and_title() {
        let h = parse_line(
            "Station Message Detailed Recording                          00:00:04 07-03-2012",
        );
        assert_eq!(
            h,
            Ok(Line::Header(Header {
                date: NaiveDate::from_ymd_opt(2012, 7, 3),
                time: NaiveTime::from_hms_opt(0, 0, 4),
                title_line: false
            }))
        );
        let t = parse_line(
            "TYP EXT#  TRUNK DIALED DIGITS                START ELAPSED   COST  ACCOUNT CODE",
        );
        assert!(matches!(
            t,
            Ok(Line::Header(Header {
                title_line: true,
                ..
            }))
        ));
    }

    #[test]
    fn short_legacy_lines_are_padded_and_overflow_is_kept() {
        let c = call("NET 1234  P0001 94567                        17:11 00:03:34 $00.00");
        assert_eq!(
            (c.extension, c.trunk, c.digits, c.duration_s),
            ("1234", "P0001", "94567", 214)
        );
        let c =
            call("TLD 104   94151 1-631-220-3707-5555-1234-99> 11:02 00:10:00 $$$$$$ 12345678    ");
        assert!(c.digits_overflow());
        assert_eq!(c.cost, "$$$$$$");
        assert_eq!(c.account_code, "12345678");
    }

    #[test]
    fn bad_start_is_a_reason() {
        let e = parse_line(
            "TLC 104   94151 952-474-1742                 xx:52    S=226 $00.00              ",
        );
        assert_eq!(e, Err(LineError::BadStart("xx:52".into())));
    }
}
