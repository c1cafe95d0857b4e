//! Which day a record belongs to (smdr-formats §1.2, §3, §4.5), and how that was decided.
//!
//! 5000 call records carry only `HH:MM` and are sent when the call ends; MiVB records carry
//! `mm/dd` without a year. Every decision is recorded beside the date so a user can see it.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;

/// How a record's date was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// No date could be decided; the record says so rather than guess.
    #[default]
    Unknown,
    /// The record prints its own full date (5000 header, App Suite event).
    Printed,
    /// From the time the record was received (live collection, the project's own raw logs).
    Receipt,
    /// From the latest 5000 header, moved forward record by record.
    Header,
    /// The date the user gave (`--date`).
    Given,
    /// MiVB `mm/dd` with the latest year that is not in the future.
    YearInferred,
}

impl DateSource {
    /// In words, for tooltips and detail views.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Unknown => {
                "no date known: the record has none and no header or receipt time came before it"
            }
            Self::Printed => "printed in the record",
            Self::Receipt => {
                "the day it was received (the day before if it started later than that time of day)"
            }
            Self::Header => "from the latest SMDR header, carried forward record by record",
            Self::Given => "the date given by the user",
            Self::YearInferred => {
                "month and day printed; year taken as the latest that is not in the future"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateDecision {
    pub date: Option<NaiveDate>,
    pub source: DateSource,
}

impl DateDecision {
    pub fn new(date: NaiveDate, source: DateSource) -> Self {
        Self {
            date: Some(date),
            source,
        }
    }
}

/// A PBX clock may run a few minutes ahead of the collecting PC: a START up to this much later
/// than the receipt time is clock skew, not yesterday's call.
pub const CLOCK_SKEW_ALLOWANCE: Duration = Duration::minutes(10);

/// A START further than this from the reference is on the neighbouring day.
const HALF_DAY: Duration = Duration::hours(12);

/// The date state of one 5000 stream.
#[derive(Debug, Clone, Default)]
pub struct Mitel5000Dates {
    /// The latest header's date and time.
    header: Option<NaiveDateTime>,
    /// The latest START of the live flow: set once a START later than the header's time (and its
    /// skew) has been dated, and moved forward by every record after it. `None` while the records
    /// after a header are still the ones the PBX buffered while nobody was connected.
    live: Option<NaiveDateTime>,
    given: Option<NaiveDate>,
}

impl Mitel5000Dates {
    pub fn new(given: Option<NaiveDate>) -> Self {
        Self {
            header: None,
            live: None,
            given,
        }
    }

    pub fn header(&mut self, date: Option<NaiveDate>, time: Option<NaiveTime>) {
        if let Some(date) = date {
            self.header = Some(date.and_time(time.unwrap_or(NaiveTime::MIN)));
            self.live = None;
        }
    }

    /// The day of a call record that started at `start`, received at local time `received`.
    pub fn record(&mut self, start: NaiveTime, received: Option<NaiveDateTime>) -> DateDecision {
        if let Some(received) = received {
            let started_that_day = received.date().and_time(start);
            let day = if started_that_day > received + CLOCK_SKEW_ALLOWANCE {
                received.date().pred_opt().unwrap_or(received.date())
            } else {
                received.date()
            };
            return DateDecision::new(day, DateSource::Receipt);
        }
        if let Some(live) = self.live {
            return DateDecision::new(self.live_record(live, start), DateSource::Header);
        }
        if let Some(header) = self.header {
            return DateDecision::new(self.after_header(header, start), DateSource::Header);
        }
        match self.given {
            Some(d) => DateDecision::new(d, DateSource::Given),
            None => DateDecision::default(),
        }
    }

    /// §1.2 before the live flow: the header is sent on connect, then the records buffered while
    /// nobody was connected (STARTs earlier that day), so an early START is never the next day.
    fn after_header(&mut self, header: NaiveDateTime, start: NaiveTime) -> NaiveDate {
        let day = header.date();
        let same_day = day.and_time(start);
        if same_day <= header + CLOCK_SKEW_ALLOWANCE {
            // Buffered, or in progress at the header.
            day
        } else if same_day - header > HALF_DAY {
            // Began before midnight and ended after the header (header 00:00:05, START 23:59).
            day.pred_opt().unwrap_or(day)
        } else {
            // Began after the header: the live flow.
            self.live = Some(same_day);
            day
        }
    }

    /// §1.2 in the live flow: records arrive as calls end, so a START more than half a day
    /// before the latest one means midnight passed without a header.
    fn live_record(&mut self, live: NaiveDateTime, start: NaiveTime) -> NaiveDate {
        let same_day = live.date().and_time(start);
        if live - same_day > HALF_DAY {
            let next = live.date().succ_opt().unwrap_or(live.date());
            self.live = Some(next.and_time(start));
            next
        } else if same_day - live > HALF_DAY {
            // Began late on the day before and ended after the latest START: not moved forward.
            live.date().pred_opt().unwrap_or(live.date())
        } else {
            self.live = Some(same_day.max(live));
            live.date()
        }
    }
}

/// MiVB: the latest year that puts `month/day` on or before `reference`.
pub fn mivb_date(month: u32, day: u32, reference: NaiveDate) -> Option<NaiveDate> {
    // Up to 8 years back so that 02/29 finds a leap year.
    (0..8).find_map(|back| {
        let d = NaiveDate::from_ymd_opt(reference.year() - back, month, day)?;
        (d <= reference).then_some(d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }
    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn header_rule_across_new_year() {
        let mut m = Mitel5000Dates::new(None);
        m.header(
            Some(d("2026-01-01")),
            Some(NaiveTime::from_hms_opt(0, 0, 5).unwrap()),
        );
        assert_eq!(
            m.record(t("23:59"), None),
            DateDecision::new(d("2025-12-31"), DateSource::Header)
        );
        assert_eq!(
            m.record(t("00:02"), None),
            DateDecision::new(d("2026-01-01"), DateSource::Header)
        );
        assert_eq!(m.record(t("11:00"), None).date, Some(d("2026-01-01")));
        // The doc's rule: more than 12 hours after the reference is the day before.
        assert_eq!(m.record(t("23:30"), None).date, Some(d("2025-12-31")));
    }

    #[test]
    fn header_rule_moves_forward_through_a_missing_midnight_header() {
        let mut m = Mitel5000Dates::new(None);
        m.header(
            Some(d("2026-03-01")),
            Some(NaiveTime::from_hms_opt(9, 0, 0).unwrap()),
        );
        assert_eq!(m.record(t("15:00"), None).date, Some(d("2026-03-01")));
        assert_eq!(m.record(t("23:50"), None).date, Some(d("2026-03-01")));
        assert_eq!(m.record(t("00:10"), None).date, Some(d("2026-03-02")));
        assert_eq!(m.record(t("08:00"), None).date, Some(d("2026-03-02")));
    }

    fn hms(s: &str) -> Option<NaiveTime> {
        Some(NaiveTime::parse_from_str(s, "%H:%M:%S").unwrap())
    }

    /// Each START's date, in order, from one header on.
    fn dated(header: (&str, &str), starts: &[&str]) -> Vec<String> {
        let mut m = Mitel5000Dates::new(None);
        m.header(Some(d(header.0)), hms(header.1));
        starts
            .iter()
            .map(|s| {
                let decision = m.record(t(s), None);
                assert_eq!(decision.source, DateSource::Header);
                decision.date.unwrap().to_string()
            })
            .collect()
    }

    /// smdr-formats §1.2's examples, exactly.
    #[test]
    fn header_rule_doc_examples() {
        assert_eq!(
            dated(("2026-03-31", "22:15:00"), &["07:50", "13:20", "22:05"]),
            ["2026-03-31", "2026-03-31", "2026-03-31"]
        );
        assert_eq!(
            dated(("2026-01-01", "00:00:05"), &["23:59", "00:02"]),
            ["2025-12-31", "2026-01-01"]
        );
    }

    /// Connecting late in the day: the records the PBX buffered come first, with STARTs from
    /// early that day; they are on the header's day, never the next. Then the live flow, in
    /// which midnight passing without a header is still recognised.
    #[test]
    fn header_rule_connect_burst_late_in_the_day() {
        assert_eq!(
            dated(
                ("2026-03-31", "22:15:00"),
                &[
                    "07:50", "00:30", "21:50", // buffered
                    "22:20", // clock skew: still the burst
                    "07:55", // buffered still
                    "22:40", "23:55", // live
                    "00:20", // midnight passed without a header
                    "23:58", // began before midnight, ended after 00:20
                    "06:00", "11:30",
                ]
            ),
            [
                "2026-03-31",
                "2026-03-31",
                "2026-03-31",
                "2026-03-31",
                "2026-03-31",
                "2026-03-31",
                "2026-03-31",
                "2026-04-01",
                "2026-03-31",
                "2026-04-01",
                "2026-04-01",
            ]
        );
    }

    /// The live flow crosses midnight and the new year with no header.
    #[test]
    fn header_rule_live_flow_into_a_new_year() {
        assert_eq!(
            dated(
                ("2025-12-31", "23:00:00"),
                &["09:00", "23:30", "23:45", "00:05", "23:50", "08:00"]
            ),
            [
                "2025-12-31",
                "2025-12-31",
                "2025-12-31",
                "2026-01-01",
                "2025-12-31",
                "2026-01-01",
            ]
        );
    }

    /// A header (a reconnect) starts a new burst: the live flow before it is forgotten.
    #[test]
    fn header_rule_a_new_header_starts_a_new_burst() {
        let mut m = Mitel5000Dates::new(None);
        m.header(Some(d("2026-03-30")), hms("09:00:00"));
        assert_eq!(m.record(t("20:00"), None).date, Some(d("2026-03-30")));
        m.header(Some(d("2026-03-31")), hms("22:15:00"));
        assert_eq!(m.record(t("07:50"), None).date, Some(d("2026-03-31")));
        assert_eq!(m.record(t("01:10"), None).date, Some(d("2026-03-31")));
    }

    #[test]
    fn receipt_rule() {
        let mut m = Mitel5000Dates::new(Some(d("2000-01-01")));
        // Started 23:50, ended and received after midnight: the day before.
        assert_eq!(
            m.record(t("23:50"), Some(dt("2026-11-22 00:10:00"))),
            DateDecision::new(d("2026-11-21"), DateSource::Receipt)
        );
        assert_eq!(
            m.record(t("09:00"), Some(dt("2026-11-22 09:05:00"))).date,
            Some(d("2026-11-22"))
        );
        // A PBX clock a few minutes fast is not yesterday.
        assert_eq!(
            m.record(t("09:07"), Some(dt("2026-11-22 09:05:00"))).date,
            Some(d("2026-11-22"))
        );
    }

    #[test]
    fn given_or_nothing() {
        assert_eq!(
            Mitel5000Dates::new(Some(d("2012-04-07"))).record(t("10:00"), None),
            DateDecision::new(d("2012-04-07"), DateSource::Given)
        );
        assert_eq!(
            Mitel5000Dates::new(None).record(t("10:00"), None),
            DateDecision::default()
        );
    }

    #[test]
    fn mivb_year_is_the_latest_not_in_the_future() {
        assert_eq!(mivb_date(11, 21, d("2026-11-22")), Some(d("2026-11-21")));
        assert_eq!(mivb_date(12, 31, d("2026-01-02")), Some(d("2025-12-31")));
        assert_eq!(mivb_date(2, 29, d("2026-03-01")), Some(d("2024-02-29")));
        assert_eq!(mivb_date(2, 30, d("2026-03-01")), None);
    }
}
