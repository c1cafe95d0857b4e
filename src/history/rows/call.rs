//! A call as the `calls` table keeps it, and the way back to a [`Call`] for the `calls` writers.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{AT, format_of, push_at};
use crate::protocol::Format;
use crate::protocol::appsuite::EventKind;
use crate::timeline::{Call, CallEvent, Ext, Outcome};

/// One call, as the `calls` table keeps it (written when it completes, updated when it changes).
#[derive(Debug, Clone, PartialEq)]
pub struct CallRow {
    pub site: Arc<str>,
    /// Unique per site: the App Suite call id, else the call id and the natural key of the
    /// record the call started from.
    pub call_key: String,
    pub format: String,
    pub call_id: String,
    pub start: String,
    pub day: String,
    pub hour: String,
    pub end: Option<String>,
    pub direction: String,
    pub number: String,
    pub contact_name: String,
    pub ddi: String,
    pub trunk: String,
    pub outcome: String,
    pub answered_by: Option<String>,
    pub time_to_answer_s: Option<i64>,
    pub wait_s: Option<i64>,
    pub talk_s: Option<i64>,
    pub hold_s: i64,
    pub queued_s: i64,
    pub transfers: i64,
    pub diversions: i64,
    /// Extensions joined with ` > `.
    pub path: String,
    /// One event a line: `at<TAB>name<TAB>extension<TAB>source extension`.
    pub events: String,
}

/// The row a call becomes. `trunk` is the trunk its records named (calls carry none of their
/// own); `first` the natural key of the record it started from.
pub fn call_row(call: &Call, trunk: &str, first: &str) -> CallRow {
    let call_key = if call.format == Format::AppSuite {
        call.call_id.clone()
    } else {
        format!("{}#{first}", call.call_id)
    };
    // Written without chrono's format machinery (it parses its pattern on every call: a
    // call's dates and its events' were a large part of the reading thread's profile).
    let mut events = String::with_capacity(call.events.len() * 40);
    for (i, e) in call.events.iter().enumerate() {
        if i > 0 {
            events.push('\n');
        }
        push_at(&mut events, e.at);
        for part in [
            e.name.as_str(),
            e.extension.as_str(),
            e.source_extension.as_str(),
        ] {
            events.push('\t');
            events.push_str(part);
        }
    }
    let mut path = String::new();
    for (i, p) in call.path.iter().enumerate() {
        if i > 0 {
            path.push_str(" > ");
        }
        path.push_str(p.as_str());
    }
    let mut start = String::with_capacity(19);
    push_at(&mut start, call.start);
    CallRow {
        site: call.site.clone(),
        call_key,
        format: call.format.as_str().to_string(),
        call_id: call.call_id.clone(),
        // `YYYY-MM-DDTHH:MM:SS`: the day and the hour are pieces of it.
        day: start[..start.len() - 9].to_string(),
        hour: start[start.len() - 8..start.len() - 6].to_string(),
        start,
        end: call.end.map(|e| {
            let mut s = String::with_capacity(19);
            push_at(&mut s, e);
            s
        }),
        direction: call.direction.to_string(),
        number: call.number.clone(),
        contact_name: call.contact_name.clone(),
        ddi: call.ddi.clone(),
        trunk: trunk.to_string(),
        outcome: call.outcome.as_str().to_string(),
        answered_by: call.answered_by.map(|e| e.to_string()),
        time_to_answer_s: call.time_to_answer_s.map(i64::from),
        wait_s: call.wait_s().map(i64::from),
        talk_s: call.talk_s.map(i64::from),
        hold_s: call.hold_s.into(),
        queued_s: call.queued_s.into(),
        transfers: call.transfers.into(),
        diversions: call.diversions.into(),
        path,
        events,
    }
}

fn at_of(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, AT).ok()
}

fn u32_of(v: Option<i64>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}

impl CallRow {
    /// The call again, for the `calls` writers.
    pub fn to_call(&self) -> Call {
        let events = self
            .events
            .lines()
            .filter_map(|line| {
                let mut parts = line.split('\t');
                let at = at_of(parts.next()?)?;
                let name = parts.next().unwrap_or_default();
                Some(CallEvent {
                    at,
                    kind: EventKind::from_name(name),
                    name: Ext::new(name),
                    extension: Ext::new(parts.next().unwrap_or_default()),
                    source_extension: Ext::new(parts.next().unwrap_or_default()),
                })
            })
            .collect();
        let outcome = Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == self.outcome)
            .unwrap_or(Outcome::InProgress);
        Call {
            site: self.site.clone(),
            format: format_of(&self.format),
            call_id: self.call_id.clone(),
            start: at_of(&self.start).unwrap_or_default(),
            end: self.end.as_deref().and_then(at_of),
            direction: Ext::new(&self.direction),
            number: self.number.clone(),
            contact_name: self.contact_name.clone(),
            ddi: self.ddi.clone(),
            outcome,
            answered_by: self.answered_by.as_deref().map(Ext::new),
            time_to_answer_s: u32_of(self.time_to_answer_s),
            talk_s: u32_of(self.talk_s),
            hold_s: u32_of(Some(self.hold_s)).unwrap_or(0),
            queued_s: u32_of(Some(self.queued_s)).unwrap_or(0),
            transfers: u32_of(Some(self.transfers)).unwrap_or(0),
            diversions: u32_of(Some(self.diversions)).unwrap_or(0),
            path: self
                .path
                .split(" > ")
                .filter(|p| !p.is_empty())
                .map(Ext::new)
                .collect(),
            events,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_call_row_has_its_times_events_and_path_in_text() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let at = |h, m, s| day.and_hms_opt(h, m, s).unwrap();
        let event = |t, name: &str, ext: &str, from: &str| CallEvent {
            at: t,
            kind: EventKind::from_name(name),
            name: Ext::new(name),
            extension: Ext::new(ext),
            source_extension: Ext::new(from),
        };
        let call = Call {
            site: "HQ".into(),
            format: Format::AppSuite,
            call_id: "C1".into(),
            start: at(7, 5, 9),
            end: Some(at(7, 10, 0)),
            direction: Ext::new("IN"),
            number: "0123".into(),
            contact_name: String::new(),
            ddi: "555".into(),
            outcome: Outcome::ALL[0],
            answered_by: Some(Ext::new("201")),
            time_to_answer_s: Some(4),
            talk_s: Some(287),
            hold_s: 0,
            queued_s: 0,
            transfers: 1,
            diversions: 0,
            path: vec![Ext::new("201"), Ext::new("202")],
            events: vec![
                event(at(7, 5, 9), "RINGING", "201", ""),
                event(at(7, 10, 0), "TRANSFERRED", "202", "201"),
            ],
        };
        let row = call_row(&call, "T1", "x");
        assert_eq!(row.start, "2026-03-09T07:05:09");
        assert_eq!(row.day, "2026-03-09");
        assert_eq!(row.hour, "07");
        assert_eq!(row.end.as_deref(), Some("2026-03-09T07:10:00"));
        assert_eq!(row.path, "201 > 202");
        assert_eq!(
            row.events,
            "2026-03-09T07:05:09\tRINGING\t201\t\n2026-03-09T07:10:00\tTRANSFERRED\t202\t201"
        );
        assert_eq!(row.to_call(), call);
    }
}
