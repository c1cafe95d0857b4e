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
    /// The latest header's date and time, moved forward by each record placed on that date.
    reference: Option<NaiveDateTime>,
    given: Option<NaiveDate>,
}

impl Mitel5000Dates {
    pub fn new(given: Option<NaiveDate>) -> Self {
        Self {
            reference: None,
            given,
        }
    }

    pub fn header(&mut self, date: Option<NaiveDate>, time: Option<NaiveTime>) {
        if let Some(date) = date {
            self.reference = Some(date.and_time(time.unwrap_or(NaiveTime::MIN)));
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
        if let Some(reference) = self.reference {
            let same_day = reference.date().and_time(start);
            let day = if same_day - reference > HALF_DAY {
                // Started late on the day before and ended after the header: not moved forward.
                return DateDecision::new(
                    reference.date().pred_opt().unwrap_or(reference.date()),
                    DateSource::Header,
                );
            } else if reference - same_day > HALF_DAY {
                // Midnight passed without a header (the doc's rule assumes one around midnight).
                reference.date().succ_opt().unwrap_or(reference.date())
            } else {
                reference.date()
            };
            self.reference = Some(day.and_time(start).max(reference));
            return DateDecision::new(day, DateSource::Header);
        }
        match self.given {
            Some(d) => DateDecision::new(d, DateSource::Given),
            None => DateDecision::default(),
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
