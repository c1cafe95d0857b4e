//! Helpers for the timeline's unit tests.

use chrono::NaiveDateTime;

use super::call::{Call, CallEvent, refold};
use super::ext::Ext;
use crate::protocol::Format;
use crate::protocol::appsuite::EventKind;

/// `hh:mm:ss` on 2012-03-09 (the manual's day), or a full `YYYY-MM-DD hh:mm:ss`.
pub fn at(s: &str) -> NaiveDateTime {
    let full = if s.len() == 8 {
        format!("2012-03-09 {s}")
    } else {
        s.to_string()
    };
    NaiveDateTime::parse_from_str(&full, "%Y-%m-%d %H:%M:%S").unwrap()
}

pub fn ev(t: &str, kind: EventKind, ext: &str, src: &str) -> CallEvent {
    CallEvent {
        source_extension: Ext::new(src),
        ..CallEvent::new(at(t), kind, ext)
    }
}

/// An App Suite call made of these events (in order), its fields derived.
pub fn app_suite_call(events: Vec<CallEvent>) -> Call {
    let mut c = Call::empty("s".into(), Format::AppSuite, "x".into(), events[0].at);
    c.events = events;
    refold(&mut c, false);
    c
}
