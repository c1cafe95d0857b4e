//! A call laid out for drawing: one lane per extension, bars and markers on a time axis.

use chrono::NaiveDateTime;

use super::call::{Call, Outcome};
use super::ext::Ext;
use crate::protocol::appsuite::EventKind;

/// A bar on a call's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    Ringing,
    Queued,
    Talking,
    Hold,
}

impl SegmentKind {
    pub const ALL: [SegmentKind; 4] = [
        SegmentKind::Ringing,
        SegmentKind::Queued,
        SegmentKind::Talking,
        SegmentKind::Hold,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Ringing => "ringing",
            Self::Queued => "queued",
            Self::Talking => "talking",
            Self::Hold => "on hold",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Index into [`Timeline::lanes`].
    pub lane: usize,
    pub kind: SegmentKind,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    Transfer,
    Diversion,
    Answer,
    HangUp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub lane: usize,
    pub kind: MarkerKind,
    pub at: NaiveDateTime,
    /// e.g. "transferred to 2560 from 1843".
    pub label: String,
}

/// A call laid out for drawing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    /// Extensions in the order they first appear (empty: a record that names none).
    pub lanes: Vec<Ext>,
    pub segments: Vec<Segment>,
    pub markers: Vec<Marker>,
    pub start: Option<NaiveDateTime>,
    /// The end of the call, or `now` while it is in progress.
    pub end: Option<NaiveDateTime>,
}

impl Timeline {
    fn lane(&mut self, ext: Ext, last: &mut Option<usize>) -> usize {
        // An event that names no extension belongs where the call last was.
        if ext.is_empty()
            && let Some(l) = *last
        {
            return l;
        }
        let l = match self.lanes.iter().position(|x| *x == ext) {
            Some(l) => l,
            None => {
                self.lanes.push(ext);
                self.lanes.len() - 1
            }
        };
        *last = Some(l);
        l
    }
}

/// Bars still open while walking the events.
struct Open(Vec<(usize, SegmentKind, NaiveDateTime)>);

impl Open {
    fn close(
        &mut self,
        out: &mut Vec<Segment>,
        at: NaiveDateTime,
        which: impl Fn(usize, SegmentKind) -> bool,
    ) {
        self.0.retain(|&(lane, kind, from)| {
            if which(lane, kind) {
                out.push(Segment {
                    lane,
                    kind,
                    from,
                    to: at.max(from),
                });
                false
            } else {
                true
            }
        });
    }

    fn open(&mut self, lane: usize, kind: SegmentKind, at: NaiveDateTime) {
        self.0.push((lane, kind, at));
    }
}

/// Lays a call out; an open bar of a call in progress runs to `now`.
///
/// Ringing at an extension lasts until it rings again, the call is answered, connected,
/// diverted, queued or ends; queued until it rings, is answered or ends; talking until a hold,
/// a transfer, another connection or the end; hold until the next connection or the end.
pub fn timeline(call: &Call, now: NaiveDateTime) -> Timeline {
    use SegmentKind::*;
    let mut t = Timeline {
        start: Some(call.start),
        ..Default::default()
    };
    let mut open = Open(Vec::new());
    let mut last = None;
    let segs = &mut Vec::new();
    for e in &call.events {
        let at = e.at;
        let lane = match e.kind {
            EventKind::CallModified | EventKind::Other => continue,
            _ => t.lane(e.extension, &mut last),
        };
        let from = |label: &str| {
            if e.source_extension.is_empty() {
                format!("{label} to {}", e.extension)
            } else {
                format!("{label} to {} from {}", e.extension, e.source_extension)
            }
        };
        match e.kind {
            EventKind::Ringing => {
                open.close(segs, at, |l, k| (l == lane && k == Ringing) || k == Queued);
                open.open(lane, Ringing, at);
            }
            EventKind::Answered | EventKind::Connected => {
                open.close(segs, at, |_, _| true);
                open.open(lane, Talking, at);
                if e.kind == EventKind::Answered {
                    t.markers.push(Marker {
                        lane,
                        kind: MarkerKind::Answer,
                        at,
                        label: format!("answered by {}", e.extension),
                    });
                }
            }
            EventKind::Hold => {
                open.close(segs, at, |_, k| k == Talking || k == Hold);
                open.open(lane, Hold, at);
            }
            EventKind::Queued => {
                open.close(segs, at, |_, k| k == Ringing || k == Queued);
                open.open(lane, Queued, at);
            }
            EventKind::Diverted => {
                open.close(segs, at, |_, k| k == Ringing || k == Queued);
                t.markers.push(Marker {
                    lane,
                    kind: MarkerKind::Diversion,
                    at,
                    label: from("diverted"),
                });
            }
            EventKind::Transferred => {
                open.close(segs, at, |_, k| k == Talking);
                t.markers.push(Marker {
                    lane,
                    kind: MarkerKind::Transfer,
                    at,
                    label: from("transferred"),
                });
            }
            EventKind::Disconnected => {
                open.close(segs, at, |_, _| true);
                t.markers.push(Marker {
                    lane,
                    kind: MarkerKind::HangUp,
                    at,
                    label: "call ended".to_string(),
                });
            }
            EventKind::CallModified | EventKind::Other => {}
        }
    }
    let end = match (call.end, call.outcome) {
        (Some(end), _) => end,
        (None, Outcome::InProgress) => now.max(call.last_event_at()),
        (None, _) => call.last_event_at(),
    };
    open.close(segs, end, |_, _| true);
    segs.sort_by_key(|s| (s.from, s.lane));
    t.segments = std::mem::take(segs);
    t.end = Some(end.max(call.start));
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::test_util::{app_suite_call as call, at, ev};

    #[test]
    fn the_transferred_call_has_two_lanes() {
        use EventKind::*;
        let c = call(vec![
            ev("01:31:15", Ringing, "1843", ""),
            ev("01:31:18", Answered, "1843", ""),
            ev("01:31:20", Hold, "1843", ""),
            ev("01:31:27", Transferred, "2560", "1843"),
            ev("01:31:27", Ringing, "2560", ""),
            ev("01:31:27", Connected, "2560", ""),
            ev("01:31:29", Disconnected, "2560", ""),
        ]);
        let t = timeline(&c, at("09:00:00"));
        assert_eq!(t.lanes, [Ext::new("1843"), Ext::new("2560")]);
        let bars: Vec<String> = t
            .segments
            .iter()
            .map(|s| {
                format!(
                    "{} {:?} {}-{}",
                    s.lane,
                    s.kind,
                    s.from.format("%T"),
                    s.to.format("%T")
                )
            })
            .collect();
        assert_eq!(
            bars,
            [
                "0 Ringing 01:31:15-01:31:18",
                "0 Talking 01:31:18-01:31:20",
                "0 Hold 01:31:20-01:31:27",
                "1 Ringing 01:31:27-01:31:27",
                "1 Talking 01:31:27-01:31:29",
            ]
        );
        let marks: Vec<(MarkerKind, usize, &str)> = t
            .markers
            .iter()
            .map(|m| (m.kind, m.lane, m.label.as_str()))
            .collect();
        assert_eq!(
            marks,
            [
                (MarkerKind::Answer, 0, "answered by 1843"),
                (MarkerKind::Transfer, 1, "transferred to 2560 from 1843"),
                (MarkerKind::HangUp, 1, "call ended"),
            ]
        );
        assert_eq!(
            (t.start, t.end),
            (Some(at("01:31:15")), Some(at("01:31:29")))
        );
    }

    #[test]
    fn a_call_in_progress_runs_to_now_and_queues_and_diversions_show() {
        use EventKind::*;
        let c = call(vec![
            ev("10:00:00", Queued, "2000", ""),
            ev("10:00:40", Ringing, "201", ""),
            ev("10:00:50", Diverted, "202", "201"),
            ev("10:00:50", Ringing, "202", ""),
        ]);
        let t = timeline(&c, at("10:01:30"));
        assert_eq!(t.end, Some(at("10:01:30")));
        let kinds: Vec<(SegmentKind, usize, NaiveDateTime)> =
            t.segments.iter().map(|s| (s.kind, s.lane, s.to)).collect();
        assert_eq!(
            kinds,
            [
                (SegmentKind::Queued, 0, at("10:00:40")),
                (SegmentKind::Ringing, 1, at("10:00:50")),
                (SegmentKind::Ringing, 2, at("10:01:30")),
            ]
        );
        assert_eq!(t.markers[0].label, "diverted to 202 from 201");
    }
}
