//! A site's business hours: weekly opening spans in the site's time zone, and holidays.
//!
//! Spans are written per weekday as `08:00-18:00`, several separated by commas; a span whose end
//! is not after its start runs past midnight (`22:00-06:00` is open from 22:00 that day until
//! 06:00 the next), and `24:00` is the end of the day. A holiday closes the spans that start on
//! that date (the morning tail of the evening before's span stays open).
//!
//! PBX times (5000, App Suite, MiVB) are the site's wall clock already and are compared as they
//! are; instants (the collector's clock) are first put into the site's zone, so a site in
//! another zone, or a daylight-saving change, is read as the people there read their clock.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone,
    Timelike,
};
use chrono_tz::Tz;

use super::config::BusinessHours;

const DAY_MIN: u32 = 24 * 60;

/// Compiled business hours.
#[derive(Debug, Clone, PartialEq)]
pub struct Hours {
    /// `None`: the zone of the instants given (the computer's).
    zone: Option<Tz>,
    /// Per weekday (Monday first), spans as minutes from that day's midnight; an end past
    /// 1440 runs into the next day.
    week: [Vec<(u32, u32)>; 7],
    /// Sorted.
    holidays: Vec<NaiveDate>,
}

impl Hours {
    /// Open all the time, in the computer's zone.
    pub fn always() -> Self {
        Self {
            zone: None,
            week: std::array::from_fn(|_| vec![(0, DAY_MIN)]),
            holidays: Vec::new(),
        }
    }

    pub fn compile(config: &BusinessHours) -> Result<Self, String> {
        let zone = match config.time_zone.trim() {
            "" => None,
            name => Some(name.parse::<Tz>().map_err(|_| {
                format!("{name:?} is not a time zone: use an IANA name such as America/New_York or Europe/London")
            })?),
        };
        let days = BusinessHours::DAYS.into_iter().zip(config.days());
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for (spans, (day, text)) in week.iter_mut().zip(days) {
            *spans = parse_spans(text).map_err(|e| format!("{day}: {e}"))?;
        }
        let mut holidays = config.holidays.clone();
        holidays.sort();
        holidays.dedup();
        Ok(Self {
            zone,
            week,
            holidays,
        })
    }

    /// The site's zone by name, or `None` for the computer's.
    pub fn zone(&self) -> Option<Tz> {
        self.zone
    }

    fn spans(&self, day: NaiveDate) -> &[(u32, u32)] {
        if self.holidays.binary_search(&day).is_ok() {
            return &[];
        }
        &self.week[day.weekday().num_days_from_monday() as usize]
    }

    /// Whether the site is open at `t`, the site's wall-clock time.
    pub fn is_open(&self, t: NaiveDateTime) -> bool {
        self.open_span(t).is_some()
    }

    /// The span open at `t`: (its start, its end) as wall-clock times.
    fn open_span(&self, t: NaiveDateTime) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let day = t.date();
        let m = t.hour() * 60 + t.minute();
        let at = |d: NaiveDate, minutes: u32| {
            d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(i64::from(minutes))
        };
        if let Some(&(s, e)) = self.spans(day).iter().find(|&&(s, e)| s <= m && m < e) {
            return Some((at(day, s), at(day, e)));
        }
        let before = day.pred_opt()?;
        self.spans(before)
            .iter()
            .find(|&&(_, e)| e > DAY_MIN && m + DAY_MIN < e)
            .map(|&(s, e)| (at(before, s), at(before, e)))
    }

    /// When the opening that `t` is in began (spans that meet, such as 00:00–24:00 on
    /// consecutive days, count as one opening); `None` when closed at `t`.
    pub fn open_since(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let (mut start, _) = self.open_span(t)?;
        // A week of spans meeting end to start is open all the time: stop there.
        for _ in 0..8 {
            let Some(earlier) = start.checked_sub_signed(Duration::minutes(1)) else {
                break;
            };
            match self.open_span(earlier) {
                Some((s, e)) if e >= start && s < start => start = s,
                _ => break,
            }
        }
        Some(start)
    }

    /// `instant` as the site's wall clock.
    pub fn local(&self, instant: DateTime<FixedOffset>) -> NaiveDateTime {
        match self.zone {
            Some(tz) => instant.with_timezone(&tz).naive_local(),
            None => instant.naive_local(),
        }
    }

    /// A site wall-clock time as an instant; `reference` gives the offset when the site has no
    /// zone of its own. A time skipped by a daylight-saving change is taken as just after it.
    pub fn instant(&self, t: NaiveDateTime, reference: FixedOffset) -> DateTime<FixedOffset> {
        let Some(tz) = self.zone else {
            return resolve(reference.from_local_datetime(&t), t, &reference);
        };
        resolve(tz.from_local_datetime(&t), t, &tz).fixed_offset()
    }
}

/// A wall-clock time that may be ambiguous (the hour repeated in autumn: the first) or skipped
/// (the hour lost in spring: an hour later, on the far side of the change).
fn resolve<Z: TimeZone>(r: LocalResult<DateTime<Z>>, t: NaiveDateTime, zone: &Z) -> DateTime<Z> {
    match r {
        LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x,
        LocalResult::None => match zone.from_local_datetime(&(t + Duration::hours(1))) {
            LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x,
            LocalResult::None => zone.from_utc_datetime(&t),
        },
    }
}

/// `08:00-12:00, 13:00-17:30`; empty (or `closed`) for none.
fn parse_spans(text: &str) -> Result<Vec<(u32, u32)>, String> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|span| {
            let bad = || format!("{:?} is not a span like 08:00-18:00", span.trim());
            let (a, b) = span.split_once('-').ok_or_else(bad)?;
            let (s, e) = (minutes(a).ok_or_else(bad)?, minutes(b).ok_or_else(bad)?);
            if s >= DAY_MIN {
                return Err(bad());
            }
            // An end not after the start runs into the next day.
            Ok((s, if e > s { e } else { e + DAY_MIN }))
        })
        .collect()
}

/// `HH:MM` (24-hour, `24:00` allowed) as minutes after midnight.
fn minutes(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn hours(f: impl FnOnce(&mut BusinessHours)) -> Hours {
        let mut c = BusinessHours::default();
        f(&mut c);
        Hours::compile(&c).unwrap()
    }

    #[test]
    fn default_hours_are_weekdays_eight_to_six() {
        let h = hours(|_| {});
        // 2026-11-30 is a Monday.
        assert!(!h.is_open(t("2026-11-30 07:59")));
        assert!(h.is_open(t("2026-11-30 08:00")));
        assert!(h.is_open(t("2026-11-30 17:59")));
        assert!(!h.is_open(t("2026-11-30 18:00")));
        assert!(!h.is_open(t("2026-11-29 12:00")), "Sunday");
        assert!(!h.is_open(t("2026-12-05 12:00")), "Saturday");
    }

    #[test]
    fn hours_across_midnight() {
        // A night shift: Friday 22:00 until Saturday 06:00; nothing else.
        let h = hours(|c| {
            // Monday to Thursday.
            for d in c.days_mut().into_iter().take(4) {
                d.clear();
            }
            c.friday = "22:00-06:00".into();
        });
        assert!(!h.is_open(t("2026-12-04 21:59")));
        assert!(h.is_open(t("2026-12-04 22:00")));
        assert!(h.is_open(t("2026-12-04 23:59")));
        assert!(
            h.is_open(t("2026-12-05 00:00")),
            "Saturday morning, Friday's span"
        );
        assert!(h.is_open(t("2026-12-05 05:59")));
        assert!(!h.is_open(t("2026-12-05 06:00")));
        assert_eq!(
            h.open_since(t("2026-12-05 03:00")),
            Some(t("2026-12-04 22:00"))
        );
        assert_eq!(h.open_since(t("2026-12-05 07:00")), None);
    }

    #[test]
    fn holidays_close_the_day() {
        let h = hours(|c| {
            c.holidays = vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()];
            c.thursday = "20:00-02:00".into();
        });
        assert!(!h.is_open(t("2026-12-25 10:00")), "Christmas, a Friday");
        assert!(
            h.is_open(t("2026-12-24 23:00")),
            "Christmas Eve, a Thursday"
        );
        // The eve's span runs into the holiday's early hours: still open then.
        assert!(h.is_open(t("2026-12-25 01:00")));
        assert!(h.is_open(t("2026-12-28 10:00")));
    }

    #[test]
    fn spans_that_meet_are_one_opening() {
        let h = hours(|c| {
            for d in c.days_mut() {
                *d = "00:00-24:00".into();
            }
        });
        assert!(h.is_open(t("2026-12-06 23:59")));
        // Open all week: the opening goes back as far as it looks (about a week), no further.
        let since = h.open_since(t("2026-12-02 12:00")).unwrap();
        assert!(since <= t("2026-11-26 00:00"), "{since}");
        let h = hours(|c| c.monday = "08:00-12:00, 12:00-18:00".into());
        assert_eq!(
            h.open_since(t("2026-11-30 15:00")),
            Some(t("2026-11-30 08:00"))
        );
    }

    #[test]
    fn instants_are_read_in_the_site_zone() {
        let ny = hours(|c| c.time_zone = "America/New_York".into());
        let london = hours(|c| c.time_zone = "Europe/London".into());
        // Monday 2026-11-30 14:30 UTC: 09:30 in New York (open), 14:30 in London (open);
        // 22:30 UTC: 17:30 in New York (open), 22:30 in London (closed).
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let evening = at("2026-11-30T22:30:00Z");
        assert!(ny.is_open(ny.local(evening)));
        assert!(!london.is_open(london.local(evening)));
        let morning = at("2026-11-30T12:30:00+00:00");
        assert_eq!(ny.local(morning), t("2026-11-30 07:30"));
        assert!(!ny.is_open(ny.local(morning)));
        assert!(london.is_open(london.local(morning)));
    }

    #[test]
    fn the_daylight_saving_change() {
        let ny = hours(|c| c.time_zone = "America/New_York".into());
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        // 12:30 UTC on a Monday: 07:30 EST in winter (closed), 08:30 EDT after the change
        // (2026-03-08, open).
        assert!(!ny.is_open(ny.local(at("2026-03-02T12:30:00Z"))));
        assert!(ny.is_open(ny.local(at("2026-03-09T12:30:00Z"))));
        // The opening at 08:00 on the Monday after the change is 12:00 UTC, not 13:00.
        let since = ny.open_since(t("2026-03-09 09:00")).unwrap();
        assert_eq!(
            ny.instant(since, FixedOffset::east_opt(0).unwrap()),
            at("2026-03-09T12:00:00Z")
        );
        // 02:30 does not exist on the day of the change: read as 03:30 EDT.
        assert_eq!(
            ny.instant(t("2026-03-08 02:30"), FixedOffset::east_opt(0).unwrap()),
            at("2026-03-08T07:30:00Z")
        );
    }

    #[test]
    fn bad_hours_say_where() {
        let c = BusinessHours {
            tuesday: "8-18".into(),
            ..BusinessHours::default()
        };
        assert_eq!(
            Hours::compile(&c).unwrap_err(),
            "tuesday: \"8-18\" is not a span like 08:00-18:00"
        );
        let c = BusinessHours {
            time_zone: "Mars/Olympus".into(),
            ..BusinessHours::default()
        };
        assert!(Hours::compile(&c).unwrap_err().contains("IANA"));
    }
}
