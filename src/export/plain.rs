//! The text of a value as the writers print it (`Value`'s `Display`), appended straight to a
//! byte buffer: numbers by `itoa`, dates and times digit by digit. The `decode` and `calls`
//! commands write a few fields of every record this way, so formatting through `fmt` and
//! chrono's `strftime` cost a tenth of a whole run; the output is the same, byte for byte
//! (`tests` below hold each to `Display`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::protocol::Source;
use crate::protocol::fields::Value;

/// `00` to `99`, two bytes each.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// A number in decimal: below 10⁸ (durations, counts, line numbers) as eight digits made
/// from pairs with the leading zeros shifted out, one fixed copy cut back; larger by `itoa`.
#[inline(always)]
pub fn push_uint(buf: &mut Vec<u8>, n: u64) {
    let Some(n) = u32::try_from(n).ok().filter(|n| *n < 100_000_000) else {
        buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        return;
    };
    let len = n.checked_ilog10().unwrap_or(0) as usize + 1;
    let (high, low) = (n / 10_000, n % 10_000);
    let [a, b] = pair(high / 100);
    let [c, d] = pair(high % 100);
    let [e, f] = pair(low / 100);
    let [g, h] = pair(low % 100);
    // The first digit in the lowest byte: shifting right drops the leading zeros.
    let digits = u64::from_le_bytes([a, b, c, d, e, f, g, h]) >> (8 * (8 - len));
    buf.extend_from_slice(&digits.to_le_bytes());
    buf.truncate(buf.len() - (8 - len));
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d`.
#[inline]
pub fn push_date(buf: &mut Vec<u8>, d: NaiveDate) {
    match date_bytes(d) {
        Some(bytes) => buf.extend_from_slice(&bytes),
        // chrono prints other years with a sign or fewer digits: rare, so left to it.
        None => {
            let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
        }
    }
}

#[inline]
fn pair(n: u32) -> [u8; 2] {
    let i = n as usize * 2;
    [PAIRS[i], PAIRS[i + 1]]
}

/// `YYYY-MM-DD` for years 1000 to 9999.
#[inline]
fn date_bytes(d: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(d.year())
        .ok()
        .filter(|y| (1000..=9999).contains(y))?;
    let [y1, y2] = pair(year / 100);
    let [y3, y4] = pair(year % 100);
    let [m1, m2] = pair(d.month());
    let [d1, d2] = pair(d.day());
    Some([y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2])
}

/// `HH:MM:SS`; a leap second (nanoseconds past 1e9) is second 60, as chrono prints it.
#[inline]
fn time_bytes(t: NaiveTime) -> [u8; 8] {
    let [h1, h2] = pair(t.hour());
    let [m1, m2] = pair(t.minute());
    let [s1, s2] = pair(t.second() + t.nanosecond() / 1_000_000_000);
    [h1, h2, b':', m1, m2, b':', s1, s2]
}

/// `HH:MM`, or `HH:MM:SS` with `seconds`, as chrono's `%H:%M` / `%H:%M:%S`.
#[inline]
pub fn push_time(buf: &mut Vec<u8>, t: NaiveTime, seconds: bool) {
    buf.extend_from_slice(&time_bytes(t));
    if !seconds {
        buf.truncate(buf.len() - 3);
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, as chrono's `%Y-%m-%dT%H:%M:%S`.
#[inline]
pub fn push_date_time(buf: &mut Vec<u8>, t: NaiveDateTime) {
    push_date(buf, t.date());
    buf.push(b'T');
    buf.extend_from_slice(&time_bytes(t.time()));
}

/// Dates written as the last one was: a file's records mostly share a day, and reading a
/// `NaiveDate`'s year, month and day costs more than copying ten bytes.
#[derive(Default)]
pub struct Dates {
    last: Option<(NaiveDate, [u8; 10])>,
}

impl Dates {
    /// [`push_date`].
    #[inline]
    pub fn push(&mut self, buf: &mut Vec<u8>, d: NaiveDate) {
        match self.last {
            Some((seen, text)) if seen == d => buf.extend_from_slice(&text),
            _ => self.push_new(buf, d),
        }
    }

    /// [`push_date_time`].
    #[inline]
    pub fn push_date_time(&mut self, buf: &mut Vec<u8>, t: NaiveDateTime) {
        self.push(buf, t.date());
        buf.push(b'T');
        buf.extend_from_slice(&time_bytes(t.time()));
    }

    fn push_new(&mut self, buf: &mut Vec<u8>, d: NaiveDate) {
        self.last = date_bytes(d).map(|text| (d, text));
        push_date(buf, d);
    }
}

/// A record's text, and whether it is free of every byte a writer must escape or quote: the
/// fields cut from it (most of a record's) then need no check of their own, and short ones
/// are copied as a fixed 16 bytes cut back to their length (no call to `memcpy`).
#[derive(Clone, Copy)]
pub struct Line<'a> {
    bytes: &'a [u8],
    pub clean: bool,
}

impl<'a> Line<'a> {
    pub fn new(text: &'a str, clean: bool) -> Self {
        Self {
            bytes: text.as_bytes(),
            clean,
        }
    }

    /// No text: nothing is a piece of it.
    pub fn none() -> Self {
        Self {
            bytes: &[],
            clean: false,
        }
    }

    /// Where `s` starts in the line, if it is a piece of it (the same bytes in memory).
    #[inline]
    pub fn offset_of(&self, s: &str) -> Option<usize> {
        let at = (s.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize);
        (at <= self.bytes.len() && s.len() <= self.bytes.len() - at && !s.is_empty()).then_some(at)
    }

    /// Appends `len` bytes of the line from `at`.
    #[inline]
    pub fn push_piece(&self, buf: &mut Vec<u8>, at: usize, len: usize) {
        let rest = self.bytes.get(at..).unwrap_or_default();
        if len <= 16
            && let Some(chunk) = rest.first_chunk::<16>()
        {
            buf.extend_from_slice(chunk);
            buf.truncate(buf.len() - (16 - len));
            return;
        }
        buf.extend_from_slice(rest.get(..len).unwrap_or_default());
    }
}

/// The bytes before each field's value (`{"name":` for the first, `,"name":` after, for
/// JSON), by the field's place in the record, kept for the name last seen there: records of
/// a kind name the same fields in the same order.
#[derive(Default)]
pub struct Keys(Vec<Key>);

pub struct Key {
    name: &'static str,
    /// The key, then `"` (to open a string value), padded: one fixed 32-byte copy cut back.
    bytes: [u8; 32],
    len: usize,
    /// A key too long for `bytes`, and its `"`.
    long: Vec<u8>,
}

impl Key {
    /// Appends the key, and `"` when `open_string`.
    #[inline]
    pub fn push(&self, buf: &mut Vec<u8>, open_string: bool) {
        let len = self.len + usize::from(open_string);
        if self.long.is_empty() {
            buf.extend_from_slice(&self.bytes);
            buf.truncate(buf.len() - (32 - len));
        } else {
            buf.extend_from_slice(self.long.get(..len).unwrap_or_default());
        }
    }
}

impl Key {
    /// Appends the key and then `value` (a literal: `null`, `true`, `false`).
    #[inline]
    pub fn push_then(&self, buf: &mut Vec<u8>, value: &[u8]) {
        self.push(buf, false);
        buf.extend_from_slice(value);
    }
}

impl Keys {
    /// The key of field `k`, named `name`; `make` writes it the first time.
    #[inline]
    pub fn get(
        &mut self,
        k: usize,
        name: &'static str,
        make: fn(&mut Vec<u8>, usize, &str),
    ) -> &Key {
        // The same static name (address and length) as last time: the same key.
        if !matches!(self.0.get(k), Some(key) if std::ptr::eq(key.name, name)) {
            self.make(k, name, make);
        }
        &self.0[k]
    }

    #[cold]
    fn make(&mut self, k: usize, name: &'static str, make: fn(&mut Vec<u8>, usize, &str)) {
        let mut written = Vec::new();
        make(&mut written, k, name);
        let len = written.len();
        written.push(b'"');
        let mut key = Key {
            name,
            bytes: [b' '; 32],
            len,
            long: Vec::new(),
        };
        match key.bytes.get_mut(..written.len()) {
            Some(bytes) => bytes.copy_from_slice(&written),
            None => key.long = written,
        }
        while self.0.len() <= k {
            self.0.push(Key {
                name: "",
                bytes: [b' '; 32],
                len: 0,
                long: Vec::new(),
            });
        }
        self.0[k] = key;
    }
}

/// A record's source (`origin:line`), kept written for the origin last seen: every record of
/// a file has the same one.
#[derive(Default)]
pub struct SourceText {
    origin: Option<Arc<str>>,
    /// `origin:` as the caller wants it (escaped, quoted), ready to copy.
    prefix: Vec<u8>,
    /// What the caller said when it wrote the prefix (e.g. that a closing quote is due).
    flag: bool,
}

impl SourceText {
    /// Appends `prefix(origin)` (made once per origin), then the line number; returns what
    /// `prefix` returned.
    #[inline]
    pub fn push(
        &mut self,
        buf: &mut Vec<u8>,
        source: &Source,
        prefix: impl FnOnce(&mut Vec<u8>, &str) -> bool,
    ) -> bool {
        let same = self
            .origin
            .as_ref()
            .is_some_and(|o| Arc::ptr_eq(o, &source.origin) || **o == *source.origin);
        if !same {
            self.prefix.clear();
            self.flag = prefix(&mut self.prefix, &source.origin);
            self.origin = Some(source.origin.clone());
        }
        buf.extend_from_slice(&self.prefix);
        push_uint(buf, source.line);
        self.flag
    }
}

/// Appends what `v`'s `Display` prints. `scratch` is for `Value::Display`, which only
/// `fmt` can write.
pub fn push_value(buf: &mut Vec<u8>, v: Value<'_>, scratch: &mut String) {
    match v {
        Value::Null => {}
        Value::Str(s) | Value::Word(s) => buf.extend_from_slice(s.as_bytes()),
        Value::UInt(n) => push_uint(buf, n),
        Value::Bool(b) => buf.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Date(d) => push_date(buf, d),
        Value::Hm(t) => push_time(buf, t, false),
        Value::Hms(t) => push_time(buf, t, true),
        Value::DateTime(t) => push_date_time(buf, t),
        Value::Display(d) => {
            scratch.clear();
            let _ = write!(scratch, "{d}");
            buf.extend_from_slice(scratch.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain(v: Value<'_>) -> String {
        let mut buf = Vec::new();
        push_value(&mut buf, v, &mut String::new());
        String::from_utf8(buf).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Every date chrono can hold, every time (leap seconds included), printed as
        /// `Display` (chrono's `strftime`) prints it.
        #[test]
        fn dates_and_times_print_as_chrono_does(
            days in -100_000_000i32..100_000_000,
            secs in 0u32..86_400,
            nanos in prop_oneof![Just(0u32), 0u32..2_000_000_000],
            n in prop_oneof![any::<u64>(), 0u64..100_000_000, 0u64..1000],
        ) {
            let date = NaiveDate::from_num_days_from_ce_opt(days)
                .unwrap_or(NaiveDate::MIN);
            let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
                .unwrap_or(NaiveTime::MIN);
            for v in [
                Value::Date(date),
                Value::Hm(time),
                Value::Hms(time),
                Value::DateTime(date.and_time(time)),
                Value::UInt(n),
                Value::Bool(n % 2 == 0),
                Value::Null,
            ] {
                prop_assert_eq!(plain(v), v.to_string());
            }
        }
    }

    #[test]
    fn common_dates_and_the_edges() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 9).unwrap();
        assert_eq!(plain(Value::Date(d)), "2026-01-09");
        for y in [-1, 0, 7, 999, 1000, 9999, 10_000] {
            let d = NaiveDate::from_ymd_opt(y, 12, 31).unwrap();
            assert_eq!(plain(Value::Date(d)), Value::Date(d).to_string());
        }
        let leap = NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
        assert_eq!(plain(Value::Hms(leap)), "23:59:60");
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            12_345,
            99_999_999,
            100_000_000,
            u64::MAX,
        ] {
            assert_eq!(plain(Value::UInt(n)), n.to_string());
        }
    }

    #[test]
    fn a_date_kept_from_the_last_record_is_written_as_chrono_does() {
        let mut dates = Dates::default();
        let days = [
            (2026, 1, 9),
            (2026, 1, 9),
            (2026, 1, 10),
            (10_000, 1, 1),
            (10_000, 1, 1),
        ];
        let days = days
            .into_iter()
            .chain([(-5, 3, 1), (2026, 1, 10), (2026, 1, 10)]);
        for (y, m, d) in days {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let t = date.and_hms_opt(7, 5, 3).unwrap();
            let mut buf = Vec::new();
            dates.push(&mut buf, date);
            buf.push(b' ');
            dates.push_date_time(&mut buf, t);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                format!("{} {}", Value::Date(date), Value::DateTime(t))
            );
        }
    }

    #[test]
    fn a_source_is_origin_colon_line_whatever_the_origin() {
        let mut text = SourceText::default();
        let mut buf = Vec::new();
        let a = Source {
            origin: "a.txt".into(),
            line: 7,
        };
        let b = Source {
            origin: "b.txt".into(),
            line: 12,
        };
        let with_colon = |p: &mut Vec<u8>, o: &str| {
            p.extend_from_slice(o.as_bytes());
            p.push(b':');
            false
        };
        for s in [&a, &a, &b, &a] {
            buf.clear();
            text.push(&mut buf, s, with_colon);
            assert_eq!(String::from_utf8(buf.clone()).unwrap(), s.to_string());
        }
    }
}
