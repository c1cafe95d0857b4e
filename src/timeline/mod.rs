//! Records → calls: App Suite events correlated by call id, 5000 ring-in records paired with
//! their call records, MiVB records taken one by one; each call laid out as a timeline; and
//! answer/abandon statistics. Pure: no I/O, no UI, no async.
//!
//! - [`call`]: the [`Call`] type, event order, and how App Suite events give a call's fields;
//! - [`tracker`]: [`CallTracker`], which owns the calls and takes records as they come;
//! - [`records`]: calls from 5000 and MiVB records;
//! - [`layout`]: [`timeline`], a call as lanes, bars and markers;
//! - [`stats`]: [`stats()`], figures over a set of calls;
//! - [`search`]: [`SearchIndex`], the calls' texts for fast filtering;
//! - [`needle`]: [`Needle`], a case-insensitive substring (the records table's filter uses it too);
//! - [`view`]: [`CallsView`], the calls a filter and sort select, and their statistics.
//!
//! App Suite semantics (smdr-formats §2.4): `start` is the first event, `end` the DISCONNECTED;
//! `path` the extensions that rang or were diverted/transferred to, no immediate repeats;
//! `answered_by` the extension of the first ANSWERED; `time_to_answer_s` first ANSWERED − first
//! RINGING; `hold_s` each HOLD until the next CONNECTED/CALLCONNECTED/ANSWERED/DISCONNECTED;
//! `queued_s` each QUEUED until the next RINGING/ANSWERED/DISCONNECTED; `talk_s`
//! (DISCONNECTED − first ANSWERED) − `hold_s`; `outcome` answered, abandoned (an `IN` call
//! ended without ANSWERED), not answered (an `OUT` call ended without ANSWERED), in progress, or
//! aged out. `number`, `contact_name`, `ddi` and `direction` are
//! those of the earliest event, or of the latest CALLMODIFIED. Unknown events stay in the list.

pub mod call;
pub mod ext;
pub mod layout;
pub mod needle;
pub mod records;
pub mod search;
pub mod stats;
pub mod tracker;
pub mod view;

pub use call::{Call, CallEvent, Outcome, seconds};

/// A call with no end and no event for this long (minutes) is closed as aged out, unless set
/// otherwise: longer than any ordinary call goes without an event, short enough that a lost
/// DISCONNECTED does not leave a call "in progress" all day.
pub const DEFAULT_AGE_OUT_MIN: u32 = 240;
pub use ext::Ext;
pub use layout::{Marker, MarkerKind, Segment, SegmentKind, Timeline, timeline};
pub use needle::{Needle, contains_ci};
pub use search::{Hits, SearchField, SearchIndex};
pub use stats::{CallFacts, Stats, is_abandoned_caller, is_incoming, stats, stats_of};
pub use tracker::CallTracker;
pub use view::{CallColumn, CallFilter, CallsSettings, CallsView, DirectionFilter, parse_when};

#[cfg(test)]
mod test_util;
#[cfg(test)]
mod tests;
