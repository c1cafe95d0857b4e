//! Correlates decoded records into calls, live or offline.

use foldhash::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use super::call::{Call, CallEvent, Fold, Outcome, refold, sort_events};
use super::ext::Ext;
use super::records::{self, Pairing, Parts5000};
use crate::protocol::appsuite::{Event, EventKind};
use crate::protocol::{Body, Decoded, Format};

/// Correlates records into calls. Out-of-order arrival within a call gives the same call.
///
/// App Suite events are grouped by call id (per site). 5000 records become calls by pairing
/// each ring-in diagnostic record with its call record ([`super::records`]); each MiVB record is
/// one call. Indexes into [`CallTracker::calls`] never change.
#[derive(Debug)]
pub struct CallTracker {
    calls: Vec<Call>,
    /// What each call was built from (parallel to `calls`).
    sides: Vec<Side>,
    sites: Vec<SiteIndex>,
    /// App Suite calls without a DISCONNECTED that have not aged out (may hold stale entries,
    /// dropped by the next [`CallTracker::age_out`]).
    open: Vec<u32>,
    age_out: Duration,
    generation: u64,
    undated: u64,
    /// Every change, as the index of the call it changed, in order (for [`SearchIndex`]).
    ///
    /// [`SearchIndex`]: super::search::SearchIndex
    changes: Vec<u32>,
}

#[derive(Debug)]
enum Side {
    AppSuite(Box<AppSuiteSide>),
    Mitel5000(Box<Parts5000>),
    Mivb,
}

#[derive(Debug, Default)]
struct AppSuiteSide {
    fold: Fold,
    aged: bool,
    listed_open: bool,
    /// Which event each of direction, number, contact name and DDI was taken from.
    keys: [Option<AttrKey>; 4],
}

/// Which event's value a call-level field keeps: the earliest event's, unless a CALLMODIFIED
/// (caller id or contact name changed) came later, then the latest CALLMODIFIED's. A total
/// order on the values, so arrival order cannot change the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct AttrKey {
    modified: bool,
    /// Negated time for ordinary events: earlier is better.
    when: i64,
}

impl AttrKey {
    fn of(e: &Event<'_>) -> Self {
        let t = e.timestamp.and_utc().timestamp();
        let modified = e.kind == EventKind::CallModified;
        Self {
            modified,
            when: if modified { t } else { -t },
        }
    }
}

#[derive(Debug)]
struct SiteIndex {
    site: Arc<str>,
    by_call_id: HashMap<Box<str>, u32>,
    pairing: Pairing,
}

impl CallTracker {
    /// `age_out`: a call with no DISCONNECTED and no event for this long is closed as aged out.
    pub fn new(age_out: Duration) -> Self {
        Self {
            calls: Vec::new(),
            sides: Vec::new(),
            sites: Vec::new(),
            open: Vec::new(),
            age_out,
            generation: 0,
            undated: 0,
            changes: Vec::new(),
        }
    }

    /// Calls in order of first appearance; indexes are stable.
    pub fn calls(&self) -> &[Call] {
        &self.calls
    }

    /// Changes whenever any call changes: views recompute their caches only then.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The calls changed so far, one entry per change, oldest first (a call appears as often as
    /// it changed): followers keep how far they have read.
    pub fn changes(&self) -> &[u32] {
        &self.changes
    }

    fn changed(&mut self, idx: usize) {
        self.generation += 1;
        self.changes.push(idx as u32);
    }

    /// 5000 and MiVB call records that had no date (no header, receipt time or `--date`) and so
    /// could not be placed in time: not made into calls.
    pub fn undated_records(&self) -> u64 {
        self.undated
    }

    /// A new age-out time for calls still open (a settings change applies at once).
    pub fn set_age_out(&mut self, age_out: Duration) {
        self.age_out = age_out;
    }

    /// The App Suite call a site's call id names, if it is known.
    pub fn app_suite_call(&self, site: &str, call_id: &str) -> Option<&Call> {
        let s = self.sites.iter().find(|s| &*s.site == site)?;
        let &i = s.by_call_id.get(call_id)?;
        self.calls.get(i as usize)
    }

    /// The sites calls came from, in order of first appearance (for the site filter): every
    /// site with a call, whatever its format.
    pub fn sites(&self) -> impl Iterator<Item = &Arc<str>> {
        self.sites.iter().map(|s| &s.site)
    }

    /// Adds one App Suite event; returns the index of the call it belongs to (new or existing).
    pub fn push(&mut self, site: &Arc<str>, event: &Event<'_>) -> usize {
        let s = self.site_index(site);
        let idx = match self.sites[s].by_call_id.get(event.call_id) {
            Some(&i) => i as usize,
            None => {
                let call = Call::empty(
                    site.clone(),
                    Format::AppSuite,
                    event.call_id.to_string(),
                    event.timestamp,
                );
                let idx = self.add(call, Side::AppSuite(Box::default()));
                self.sites[s]
                    .by_call_id
                    .insert(event.call_id.into(), idx as u32);
                idx
            }
        };
        let (call, side) = (&mut self.calls[idx], &mut self.sides[idx]);
        let Side::AppSuite(side) = side else {
            // A call id only ever names an App Suite call.
            return idx;
        };
        let e = CallEvent {
            at: event.timestamp,
            kind: event.kind,
            name: Ext::new(event.event),
            extension: Ext::new(event.extension),
            source_extension: Ext::new(event.source_extension),
        };
        take_attrs(call, side, event);
        side.aged = false;
        // The same event twice (a log opened twice, or a day log beside the live feed) is
        // one event: counted twice it would make two transfers of one.
        if call
            .events
            .iter()
            .rev()
            .take_while(|x| x.at >= e.at)
            .any(|x| *x == e)
        {
            self.changed(idx);
            return idx;
        }
        let in_order = call.events.last().is_none_or(|last| last.at < e.at);
        call.events.push(e);
        if in_order {
            side.fold.feed(&e, &mut call.path);
            side.fold.apply(call, false);
        } else {
            sort_events(&mut call.events);
            side.fold = refold(call, false);
        }
        if call.end.is_none() && !side.listed_open {
            side.listed_open = true;
            self.open.push(idx as u32);
        }
        self.changed(idx);
        idx
    }

    /// Adds any decoded record: App Suite events go to [`CallTracker::push`]; 5000 ring-in and
    /// call records are paired into calls; each MiVB record is a call. Headers, unparsed and
    /// undated records give `None`.
    pub fn push_decoded(&mut self, site: &Arc<str>, d: &Decoded<'_>) -> Option<usize> {
        match &d.body {
            Body::AppSuiteEvent(e) => Some(self.push(site, e)),
            Body::Mitel5000Call(c) => {
                let Some(date) = d.date.date else {
                    self.undated += 1;
                    return None;
                };
                Some(self.push_5000(site, c, date.and_time(c.start)))
            }
            Body::MivbCall(c) => {
                let Some(date) = d.date.date else {
                    self.undated += 1;
                    return None;
                };
                // Listed in the site filter like the sites of the other formats.
                self.site_index(site);
                let mut call = Call::empty(
                    site.clone(),
                    Format::Mivb,
                    String::new(),
                    date.and_time(c.start),
                );
                records::fill_mivb(&mut call, c);
                let idx = self.add(call, Side::Mivb);
                self.changed(idx);
                Some(idx)
            }
            Body::Mitel5000Header(_) | Body::Unparsed(_) => None,
        }
    }

    fn push_5000(
        &mut self,
        site: &Arc<str>,
        c: &crate::protocol::mitel5000::CallRecord<'_>,
        start: NaiveDateTime,
    ) -> usize {
        let s = self.site_index(site);
        let part = records::part_5000(c, start);
        let partner = records::pairable(c)
            .then(|| self.sites[s].pairing.take_partner(&part))
            .flatten();
        let idx = match partner {
            Some(idx) => {
                let idx = idx as usize;
                if let Side::Mitel5000(parts) = &mut self.sides[idx] {
                    parts.add(part);
                    records::fill_5000(&mut self.calls[idx], parts);
                }
                idx
            }
            None => {
                let waiting = records::pairable(c).then(|| part.waiting(self.calls.len() as u32));
                let mut parts = Box::new(Parts5000::default());
                parts.add(part);
                let mut call = Call::empty(site.clone(), Format::Mitel5000, String::new(), start);
                records::fill_5000(&mut call, &parts);
                let idx = self.add(call, Side::Mitel5000(parts));
                if let Some(w) = waiting {
                    self.sites[s].pairing.wait(w, c.ring_in);
                }
                idx
            }
        };
        self.changed(idx);
        idx
    }

    /// The latest event of any call held: offline, "now" for [`Self::age_out`] at the end of
    /// the input.
    pub fn last_event_at(&self) -> Option<NaiveDateTime> {
        self.calls.iter().map(|c| c.last_event_at()).max()
    }

    /// Closes calls idle for longer than the age-out time as of `now` (event clock).
    pub fn age_out(&mut self, now: NaiveDateTime) {
        let (calls, sides, age_out) = (&mut self.calls, &mut self.sides, self.age_out);
        let changes = &mut self.changes;
        let mut changed = false;
        self.open.retain(|&i| {
            let (call, Side::AppSuite(side)) = (&mut calls[i as usize], &mut sides[i as usize])
            else {
                return false;
            };
            let keep = if call.end.is_some() {
                false
            } else if now - call.last_event_at() > age_out {
                side.aged = true;
                call.outcome = Outcome::AgedOut;
                changes.push(i);
                changed = true;
                false
            } else {
                true
            };
            side.listed_open = keep;
            keep
        });
        if changed {
            self.generation += 1;
        }
    }

    fn add(&mut self, call: Call, side: Side) -> usize {
        self.calls.push(call);
        self.sides.push(side);
        self.calls.len() - 1
    }

    fn site_index(&mut self, site: &Arc<str>) -> usize {
        if let Some(i) = self
            .sites
            .iter()
            .position(|s| Arc::ptr_eq(&s.site, site) || s.site == *site)
        {
            return i;
        }
        self.sites.push(SiteIndex {
            site: site.clone(),
            by_call_id: HashMap::default(),
            pairing: Pairing::default(),
        });
        self.sites.len() - 1
    }
}

/// Offers the event's direction, number, contact name and DDI to the call ([`AttrKey`]).
fn take_attrs(call: &mut Call, side: &mut AppSuiteSide, e: &Event<'_>) {
    let key = AttrKey::of(e);
    let [direction, number, name, ddi] = &mut side.keys;
    if wins(direction, &call.direction, key, e.direction) {
        call.direction = Ext::new(e.direction);
    }
    for (slot, value, new) in [
        (number, &mut call.number, e.number),
        (name, &mut call.contact_name, e.contact_name),
        (ddi, &mut call.ddi, e.ddi),
    ] {
        if wins(slot, value, key, new) && value != new {
            // Reuses the string's buffer: no allocation per event.
            value.clear();
            value.push_str(new);
        }
    }
}

/// Whether `new` (from an event with `key`) replaces `current`; records the key if so.
fn wins(slot: &mut Option<AttrKey>, current: &str, key: AttrKey, new: &str) -> bool {
    if new.is_empty() {
        return false;
    }
    let wins = match *slot {
        None => true,
        Some(k) => key > k || (key == k && new > current),
    };
    if wins {
        *slot = Some(key);
    }
    wins
}
