//! MiVoice Office Application Suite "IP SMDR" events (smdr-formats §2).
//!
//! Parsed by the `|` delimiters and whitespace tokens, not by columns: published lines lose
//! their padding and one variant has a `|…|` group fewer.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::protocol::text::{
    parse_u32, split_at_byte, strip_left_padding, tokens, trim, two_digits, unpad_text,
};

pub const DEFAULT_PADDING: char = '0';

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    Ringing,
    Answered,
    Hold,
    /// `CONNECTED` or `CALLCONNECTED`: both spellings occur.
    Connected,
    Diverted,
    Transferred,
    Queued,
    CallModified,
    Disconnected,
    /// Any other name: kept as text, never dropped.
    Other,
}

impl EventKind {
    pub fn from_name(name: &str) -> Self {
        match name {
            "RINGING" => Self::Ringing,
            "ANSWERED" => Self::Answered,
            "HOLD" => Self::Hold,
            "CONNECTED" | "CALLCONNECTED" => Self::Connected,
            "DIVERTED" => Self::Diverted,
            "TRANSFERRED" => Self::Transferred,
            "QUEUED" => Self::Queued,
            "CALLMODIFIED" => Self::CallModified,
            "DISCONNECTED" => Self::Disconnected,
            _ => Self::Other,
        }
    }
}

/// How the event time was read (§2.3: the field may be a 12-hour clock without AM/PM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeReading {
    /// The printed time, which is the reading at or after the call's start.
    AsPrinted,
    /// The printed time was 12 hours off the call's start: the other reading was taken.
    Shifted12h,
    /// Neither reading is at or after the call's start: kept as printed, and flagged.
    Unresolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// The event's date and time after 12-hour resolution (24-hour).
    pub timestamp: NaiveDateTime,
    pub time_reading: TimeReading,
    /// The call's start, from the first 14 digits of the call id.
    pub call_start: Option<NaiveDateTime>,
    pub direction: &'a str,
    pub call_id: &'a str,
    pub trunk: &'a str,
    pub extension: &'a str,
    pub source_extension: &'a str,
    pub number: &'a str,
    pub contact_name: &'a str,
    pub ddi: &'a str,
    pub ddi_name: &'a str,
    pub account_code: &'a str,
    /// The event name without padding (`RINGING`, `CALLCONNECTED`, or anything else).
    pub event: &'a str,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("no `|` separators: not an App Suite IP SMDR line")]
    NoDelimiters,
    #[error("event date and time {0:?} are not YYYY-MM-DD hh:mm:ss")]
    BadTimestamp(String),
    #[error("no call id after the direction")]
    NoCallId,
    #[error("no event name at the end of the line")]
    NoEvent,
    #[error("more `|` groups than any known App Suite layout has")]
    TooManyGroups,
}

/// Segments after the contact name: DDI, DDI name, account, event, and the empty one after the
/// last `|`, with room for a stray extra delimiter.
const MAX_TAIL: usize = 8;
/// Stamp, direction, ids, contact name, then the tail.
const MAX_SEGMENTS: usize = 4 + MAX_TAIL;

/// The `|` columns of the documented 162-character layout (§2.1).
const FIXED_PIPES: [usize; 8] = [20, 24, 89, 104, 122, 133, 148, 161];
/// The ids segment's tokens on that layout (call id, trunk, extension, source, number) as
/// column ranges, and the single spaces around them.
const FIXED_IDS: [(usize, usize); 5] = [(26, 48), (49, 56), (57, 64), (65, 72), (73, 88)];
const FIXED_ID_SPACES: [usize; 6] = [25, 48, 56, 64, 72, 88];

/// A line cut into its `|` segments and the first five whitespace tokens of the ids segment
/// (the third): by columns when the line has the documented fixed layout, else by searching.
/// Both give exactly what `line.split('|')` and `split_whitespace` would.
struct Cut<'a> {
    segs: [&'a str; MAX_SEGMENTS],
    n: usize,
    /// More segments than any known layout has.
    too_many: bool,
    ids: [Option<&'a str>; 5],
}

impl<'a> Cut<'a> {
    /// By searching: any layout.
    fn split(line: &'a str) -> Self {
        let mut cut = Cut {
            segs: [""; MAX_SEGMENTS],
            n: 0,
            too_many: false,
            ids: [None; 5],
        };
        for seg in split_at_byte(line, b'|') {
            if cut.n == MAX_SEGMENTS {
                cut.too_many = true;
                break;
            }
            cut.segs[cut.n] = seg;
            cut.n += 1;
        }
        let mut ids = tokens(cut.segs[2]);
        for id in &mut cut.ids {
            *id = ids.next();
        }
        cut
    }

    /// By columns, when every delimiter is where the fixed layout puts it and the id columns
    /// hold printable ASCII between single spaces (then the search would find the same cuts);
    /// `None` for anything else.
    fn fixed(line: &'a str) -> Option<Self> {
        let b = line.as_bytes();
        // Counted and checked by folds without an early exit, which the compiler makes sixteen
        // bytes at a time (a byte at a time, they were a fifth of decoding an event).
        let pipes = b
            .iter()
            .fold(0u8, |n, &c| n.wrapping_add(u8::from(c == b'|')));
        let graphic = |s: &[u8]| s.iter().fold(true, |ok, c| ok & c.is_ascii_graphic());
        let fits = b.len() == 162
            && FIXED_PIPES.iter().all(|&i| b[i] == b'|')
            && usize::from(pipes) == FIXED_PIPES.len()
            && FIXED_ID_SPACES.iter().all(|&i| b[i] == b' ')
            && FIXED_IDS.iter().all(|&(from, to)| graphic(&b[from..to]));
        if !fits {
            return None;
        }
        let mut cut = Cut {
            segs: [""; MAX_SEGMENTS],
            n: FIXED_PIPES.len() + 1,
            too_many: false,
            ids: [None; 5],
        };
        let mut from = 0;
        for (seg, &pipe) in cut.segs.iter_mut().zip(&FIXED_PIPES) {
            *seg = line.get(from..pipe)?;
            from = pipe + 1;
        }
        cut.segs[FIXED_PIPES.len()] = line.get(from..)?;
        for (id, &(from, to)) in cut.ids.iter_mut().zip(&FIXED_IDS) {
            *id = Some(line.get(from..to)?);
        }
        Some(cut)
    }
}

/// The line starts with `YYYY-MM-DD hh:mm:ss` and has a `|`: the App Suite shape.
pub fn looks_like_event(line: &str) -> bool {
    // The shape only (digits and separators where they belong): the parse checks the values.
    let Some(b) = line.as_bytes().get(..21) else {
        return false;
    };
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    DIGITS.iter().all(|&i| b[i].is_ascii_digit())
        && (b[4], b[7], b[10], b[13], b[16]) == (b'-', b'-', b' ', b':', b':')
        && (b[19] == b'|' || b[20] == b'|')
}

/// Decodes one event line (line end removed). `padding` is the site's item padding character.
pub fn parse_event(line: &str, padding: char) -> Result<Event<'_>, EventError> {
    let cut = Cut::fixed(line).unwrap_or_else(|| Cut::split(line));
    let segs = &cut.segs[..cut.n];
    let stamp_text = trim(segs.first().copied().unwrap_or(""));
    let direction = trim(segs.get(1).ok_or(EventError::NoDelimiters)?);
    let (date, printed) =
        parse_stamp(stamp_text).ok_or_else(|| EventError::BadTimestamp(stamp_text.to_string()))?;

    let [call_id, trunk, extension, source_extension, number] = cut.ids;
    let call_id = call_id.ok_or(EventError::NoCallId)?;
    let [trunk, extension, source_extension, number] = [trunk, extension, source_extension, number]
        .map(|t| strip_left_padding(t.unwrap_or(""), padding));
    let contact_name = unpad_text(segs.get(3).copied().unwrap_or(""), padding);

    // What is left: DDI groups, then the event as the last non-empty segment.
    // At most five segments follow on a known layout; more means an unknown one.
    if cut.too_many {
        return Err(EventError::TooManyGroups);
    }
    let rest = segs.get(4..).unwrap_or(&[]);
    let event_at = rest
        .iter()
        .rposition(|s| !trim(s).is_empty())
        .ok_or(EventError::NoEvent)?;
    let event = trim(rest[event_at]).trim_matches(padding);
    let (ddi, ddi_name, account_code) = match &rest[..event_at] {
        [ddi, name, account, ..] => (
            strip_left_padding(ddi, padding),
            unpad_text(name, padding),
            strip_left_padding(account, padding),
        ),
        [ddi, name] => (
            strip_left_padding(ddi, padding),
            unpad_text(name, padding),
            "",
        ),
        [both] => {
            let mut t = tokens(both);
            (
                strip_left_padding(t.next().unwrap_or(""), padding),
                "",
                strip_left_padding(t.next().unwrap_or(""), padding),
            )
        }
        [] => ("", "", ""),
    };

    let call_start = call_id_start(call_id);
    let (timestamp, time_reading) = resolve_time(date, printed, call_start);
    Ok(Event {
        timestamp,
        time_reading,
        call_start,
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
        kind: EventKind::from_name(event),
    })
}

fn parse_stamp(s: &str) -> Option<(NaiveDate, NaiveTime)> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = parse_u32(s.get(..4)?)?;
    let date = NaiveDate::from_ymd_opt(year as i32, two_digits(b, 5)?, two_digits(b, 8)?)?;
    let time = NaiveTime::from_hms_opt(two_digits(b, 11)?, two_digits(b, 14)?, two_digits(b, 17)?)?;
    Some((date, time))
}

/// The call's start from its id: the first 14 characters are `YYYYMMDDhhmmss`, 24-hour.
pub fn call_id_start(call_id: &str) -> Option<NaiveDateTime> {
    let b = call_id.as_bytes();
    if b.len() < 14 {
        return None;
    }
    let year = parse_u32(call_id.get(..4)?)?;
    let date = NaiveDate::from_ymd_opt(year as i32, two_digits(b, 4)?, two_digits(b, 6)?)?;
    date.and_hms_opt(two_digits(b, 8)?, two_digits(b, 10)?, two_digits(b, 12)?)
}

/// §2.3: of the two readings (h and h+12) on the event's date, the one at or after the call's
/// start and closest to it. Times from 13:00 on can only be 24-hour.
pub fn resolve_time(
    date: NaiveDate,
    printed: NaiveTime,
    start: Option<NaiveDateTime>,
) -> (NaiveDateTime, TimeReading) {
    let as_printed = date.and_time(printed);
    let Some(start) = start else {
        return (as_printed, TimeReading::AsPrinted);
    };
    if printed.hour() > 12 {
        return if as_printed >= start {
            (as_printed, TimeReading::AsPrinted)
        } else {
            (as_printed, TimeReading::Unresolved)
        };
    }
    // The other reading (12 for 0-11, 0 for 12) is on the same day: set as an hour, the date's
    // calendar is not asked. Of the readings at or after the start, the closest is the earliest.
    let other = printed
        .with_hour((printed.hour() + 12) % 24)
        .map(|t| date.and_time(t));
    let best = [Some(as_printed), other]
        .into_iter()
        .flatten()
        .filter(|t| *t >= start)
        .min();
    match best {
        Some(t) if t == as_printed => (t, TimeReading::AsPrinted),
        Some(t) => (t, TimeReading::Shifted12h),
        None => (as_printed, TimeReading::Unresolved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const IN_162: &str = "2012-03-09 01:31:27 |IN | 2012030901311586070264 0092108 0002560 0001843 0000079XXXXXXXX |CHRIS R MOBILE| 00044161XXXXXXX |CHRIS DID | 000000000000 |TRANSFERRED |";
    const OUT_PUBLISHED: &str = "2012-03-09 12:46:59 |OUT| 2012030900465982190047 0092808 0001843 0000000 0000079XXXXXXXX | | 000000000000000 000000000000 |RINGING |";

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn fixed_layout_line() {
        let e = parse_event(IN_162, '0').unwrap();
        assert_eq!(e.timestamp, at("2012-03-09 01:31:27"));
        assert_eq!(e.direction, "IN");
        assert_eq!(e.call_id, "2012030901311586070264");
        assert_eq!(
            (e.trunk, e.extension, e.source_extension),
            ("92108", "2560", "1843")
        );
        assert_eq!(e.number, "79XXXXXXXX");
        assert_eq!(
            (e.contact_name, e.ddi, e.ddi_name, e.account_code),
            ("CHRIS R MOBILE", "44161XXXXXXX", "CHRIS DID", "")
        );
        assert_eq!((e.event, e.kind), ("TRANSFERRED", EventKind::Transferred));
    }

    #[test]
    fn out_variant_without_ddi_name_and_12_hour_time() {
        let e = parse_event(OUT_PUBLISHED, '0').unwrap();
        assert_eq!(e.timestamp, at("2012-03-09 00:46:59"));
        assert_eq!(e.time_reading, TimeReading::Shifted12h);
        assert_eq!(
            (e.contact_name, e.ddi, e.ddi_name, e.account_code),
            ("", "", "", "")
        );
        assert_eq!(
            (e.direction, e.extension, e.source_extension),
            ("OUT", "1843", "")
        );
        assert_eq!(e.kind, EventKind::Ringing);
    }

    #[test]
    fn twelve_hour_resolution_across_noon_and_midnight() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let t = |h, m, s| NaiveTime::from_hms_opt(h, m, s).unwrap();
        // Started 11:59:50, printed 12:00:10 → noon, as printed.
        assert_eq!(
            resolve_time(
                d("2026-01-05"),
                t(12, 0, 10),
                Some(at("2026-01-05 11:59:50"))
            )
            .0,
            at("2026-01-05 12:00:10")
        );
        // Started 12:59:00, printed 01:00:30 → 13:00:30.
        assert_eq!(
            resolve_time(
                d("2026-01-05"),
                t(1, 0, 30),
                Some(at("2026-01-05 12:59:00"))
            ),
            (at("2026-01-05 13:00:30"), TimeReading::Shifted12h)
        );
        // Started 23:59:50 the day before, printed 12:00:10 on the new day → 00:00:10.
        assert_eq!(
            resolve_time(
                d("2026-01-06"),
                t(12, 0, 10),
                Some(at("2026-01-05 23:59:50"))
            )
            .0,
            at("2026-01-06 00:00:10")
        );
        // Before the start either way: kept and flagged.
        assert_eq!(
            resolve_time(
                d("2026-01-05"),
                t(14, 0, 0),
                Some(at("2026-01-05 15:00:00"))
            )
            .1,
            TimeReading::Unresolved
        );
    }

    #[test]
    fn padding_character_is_a_parameter() {
        let line = "2026-11-22 10:00:00 |IN | 20261122100000AB12CD34 ***2108 ****201 ******* ***0612345678 |**************| ***441619990000 |**********| ************ |RINGING*****|";
        let e = parse_event(line, '*').unwrap();
        assert_eq!(
            (e.trunk, e.extension, e.source_extension, e.number),
            ("2108", "201", "", "0612345678")
        );
        assert_eq!(
            (e.contact_name, e.ddi_name, e.account_code, e.event),
            ("", "", "", "RINGING")
        );
    }

    #[test]
    fn fixed_layout_cut_is_the_searched_cut() {
        let published =
            std::fs::read_to_string("tests/fixtures/appsuite/manual-examples-as-published.txt")
                .unwrap();
        let mut fixed = 0;
        for line in [IN_162, OUT_PUBLISHED].into_iter().chain(published.lines()) {
            let line = line.trim_end_matches('\r');
            let searched = Cut::split(line);
            if let Some(cut) = Cut::fixed(line) {
                fixed += 1;
                assert_eq!(cut.segs, searched.segs, "{line:?}");
                assert_eq!((cut.n, cut.too_many), (searched.n, searched.too_many));
                assert_eq!(cut.ids, searched.ids, "{line:?}");
            }
        }
        assert_eq!(fixed, 1, "only the 162-column line is cut by columns");
        // A space inside an id column is a token boundary: searched, not cut by columns.
        let odd = IN_162.replacen("0092108", "009 108", 1);
        assert!(Cut::fixed(&odd).is_none());
        assert_eq!(parse_event(&odd, '0').unwrap().trunk, "9");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        /// Whatever a few edits do to the fixed layout, a cut by columns is the searched cut.
        #[test]
        fn cut_by_columns_is_always_the_searched_cut(
            edits in proptest::collection::vec(
                (0usize..162, proptest::sample::select(vec![' ', '|', '\t', '0', 'A', '\u{a0}', '\0', '\u{b}'])),
                0..4,
            )
        ) {
            let mut chars: Vec<char> = IN_162.chars().collect();
            for (i, c) in edits {
                chars[i] = c;
            }
            let line: String = chars.into_iter().collect();
            let searched = Cut::split(&line);
            if let Some(cut) = Cut::fixed(&line) {
                proptest::prop_assert_eq!(cut.segs, searched.segs);
                proptest::prop_assert_eq!((cut.n, cut.too_many), (searched.n, searched.too_many));
                proptest::prop_assert_eq!(cut.ids, searched.ids);
            }
        }

        /// §2.3 as written: of the readings h and h+12 (12 and 0 for a printed 12), the one at
        /// or after the start and closest to it; from 13:00 on, the printed one only.
        #[test]
        fn twelve_hour_resolution_is_the_rule(
            day in 0i64..3000,
            printed in 0u32..86_400,
            start_offset in -100_000i64..100_000,
        ) {
            let date = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Duration::days(day);
            let printed = NaiveTime::from_num_seconds_from_midnight_opt(printed, 0).unwrap();
            let as_printed = date.and_time(printed);
            let start = as_printed + Duration::seconds(start_offset);
            let mut readings = vec![(as_printed, TimeReading::AsPrinted)];
            match printed.hour() {
                12 => readings.push((as_printed - Duration::hours(12), TimeReading::Shifted12h)),
                0..12 => readings.push((as_printed + Duration::hours(12), TimeReading::Shifted12h)),
                _ => {}
            }
            let want = readings
                .into_iter()
                .filter(|(t, _)| *t >= start)
                .min_by_key(|(t, _)| t.signed_duration_since(start))
                .unwrap_or((as_printed, TimeReading::Unresolved));
            proptest::prop_assert_eq!(resolve_time(date, printed, Some(start)), want);
        }
    }

    #[test]
    fn errors_are_reasons() {
        assert_eq!(
            parse_event("garbage", '0').unwrap_err(),
            EventError::NoDelimiters
        );
        assert!(matches!(
            parse_event("2012-03-09 25:00:00 |IN | x |", '0'),
            Err(EventError::BadTimestamp(_))
        ));
        assert_eq!(
            parse_event("2012-03-09 01:00:00 |IN | 2012030901000000 | | | |", '0').unwrap_err(),
            EventError::NoEvent
        );
        assert_eq!(
            parse_event(
                "2012-03-09 01:00:00 |IN | 2012030901000000 |a|b|c|d|e|f|g|h|i|RINGING|",
                '0'
            )
            .unwrap_err(),
            EventError::TooManyGroups
        );
        assert!(looks_like_event(IN_162));
        assert!(!looks_like_event("TLC 104   94151"));
    }
}
