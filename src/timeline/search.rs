//! A search index over calls, for the calls view's text filters. Per group of fields, every
//! call's searchable text is kept lower-cased in one contiguous arena, so a filter is a single
//! `memmem` pass over the arena instead of a score of small searches per call. It follows the
//! tracker's change log: only calls that changed since the last update are written again.

use memchr::memmem::Finder;

use super::call::Call;
use super::needle::number_key;
use super::tracker::CallTracker;

/// Which fields a needle is looked for in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchField {
    /// The outside number (punctuation ignored) and the contact name.
    Party,
    /// Every extension the call reached: answered by, path, events' extensions and sources.
    Extension,
    /// Anything: the two above, and call id, DDI, direction, outcome, event names.
    #[default]
    Any,
}

/// Separates fields within a call's text; a needle never holds it, so a match never spans two.
const FIELD: u8 = 0x1f;
/// Ends a call's text.
const RECORD: u8 = 0x1e;
const NONE: u32 = u32::MAX;

/// The matching calls, one bit per call index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits(Vec<u64>);

impl Hits {
    fn with_len(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }

    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn union(&mut self, other: &Hits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
}

/// One group of fields for every call: texts appended as calls change, rewritten in place only
/// when compacted.
#[derive(Debug, Default)]
struct Arena {
    bytes: Vec<u8>,
    /// Each call's current text: start and length in `bytes` (`NONE` before it has one).
    spans: Vec<(u32, u32)>,
    /// Texts in the order they stand in `bytes`: start and call (stale ones are skipped).
    order: Vec<(u32, u32)>,
    /// Bytes no call points at any more.
    stale: usize,
}

impl Arena {
    fn set(&mut self, call: usize, text: &[u8]) {
        if self.spans.len() <= call {
            self.spans.resize(call + 1, (NONE, 0));
        }
        let old = self.spans[call];
        if old.0 != NONE {
            let old_text = &self.bytes[old.0 as usize..(old.0 + old.1) as usize];
            if old_text == text {
                return;
            }
            self.stale += old.1 as usize + 1;
        }
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(text);
        self.bytes.push(RECORD);
        self.spans[call] = (start, text.len() as u32);
        self.order.push((start, call as u32));
        if self.stale > 1 << 20 && self.stale > self.bytes.len() / 2 {
            self.compact();
        }
    }

    /// Writes the live texts again, in call order, dropping the stale ones.
    fn compact(&mut self) {
        let mut bytes = Vec::with_capacity(self.bytes.len() - self.stale);
        let mut order = Vec::with_capacity(self.spans.len());
        for (call, span) in self.spans.iter_mut().enumerate() {
            if span.0 == NONE {
                continue;
            }
            let start = bytes.len() as u32;
            bytes.extend_from_slice(&self.bytes[span.0 as usize..(span.0 + span.1) as usize]);
            bytes.push(RECORD);
            span.0 = start;
            order.push((start, call as u32));
        }
        self.bytes = bytes;
        self.order = order;
        self.stale = 0;
    }

    /// Marks every call whose current text holds the needle.
    fn find(&self, finder: &Finder<'_>, hits: &mut Hits) {
        let mut pos = 0;
        let mut k = 0;
        while let Some(off) = finder.find(&self.bytes[pos..]) {
            let at = (pos + off) as u32;
            // Matches come in order: walk to the text that holds this one.
            while k + 1 < self.order.len() && self.order[k + 1].0 <= at {
                k += 1;
            }
            let Some(&(start, call)) = self.order.get(k) else {
                break;
            };
            let span = self.spans[call as usize];
            if span.0 == start {
                hits.set(call as usize);
            }
            // One hit per text is enough: go on after it.
            pos = match self.order.get(k + 1) {
                Some(&(next, _)) => next as usize,
                None => break,
            };
        }
    }
}

/// The calls' searchable texts, per group of fields.
#[derive(Debug, Default)]
pub struct SearchIndex {
    party: Arena,
    extension: Arena,
    /// Call id, DDI, direction, outcome, event names (with the two others: "any").
    other: Arena,
    /// How much of the tracker's change log is taken in.
    seen: usize,
    /// For each call, the update that last wrote it (so a call changed many times is written
    /// once per update).
    written_in: Vec<u32>,
    updates: u32,
}

impl SearchIndex {
    /// Takes in the calls that changed since the last update.
    pub fn update(&mut self, tracker: &CallTracker) {
        self.update_some(tracker, usize::MAX);
    }

    /// Takes in at most `max` of the changes not yet taken in (so a window can build a big
    /// index a slice per frame); returns whether the index is now up to date.
    pub fn update_some(&mut self, tracker: &CallTracker, max: usize) -> bool {
        let changes = tracker.changes();
        if changes.len() < self.seen {
            // Another tracker: start over.
            *self = Self::default();
        }
        if changes.len() == self.seen {
            return true;
        }
        self.updates = self.updates.wrapping_add(1);
        let calls = tracker.calls();
        self.written_in.resize(calls.len(), u32::MAX);
        let mut buf = Vec::with_capacity(256);
        let upto = self.seen.saturating_add(max).min(changes.len());
        for &i in &changes[self.seen..upto] {
            let i = i as usize;
            let (Some(call), Some(w)) = (calls.get(i), self.written_in.get_mut(i)) else {
                continue;
            };
            if *w == self.updates {
                continue;
            }
            *w = self.updates;
            party_text(call, &mut buf);
            self.party.set(i, &buf);
            extension_text(call, &mut buf);
            self.extension.set(i, &buf);
            other_text(call, &mut buf);
            self.other.set(i, &buf);
        }
        self.seen = upto;
        upto == changes.len()
    }

    /// How much of the tracker's changes is taken in, as a fraction (for a progress display).
    pub fn progress(&self, tracker: &CallTracker) -> f32 {
        let total = tracker.changes().len();
        if total == 0 {
            1.0
        } else {
            (self.seen.min(total) as f64 / total as f64) as f32
        }
    }

    /// The calls whose `field` holds `needle` (any case); `None` for an empty needle (no
    /// restriction). `n` is the number of calls.
    pub fn find(&self, field: SearchField, needle: &str, n: usize) -> Option<Hits> {
        let needle: Vec<u8> = needle
            .trim()
            .bytes()
            .filter(|&b| b >= 0x20)
            .map(|b| b.to_ascii_lowercase())
            .collect();
        if needle.is_empty() {
            return None;
        }
        let finder = Finder::new(&needle);
        // A number typed with punctuation also finds the number written without it (the party
        // texts hold each number once more, bare).
        let bare = number_key(&needle);
        let bare = (!bare.is_empty() && bare != needle).then(|| Finder::new(&bare));
        let mut hits = Hits::with_len(n);
        let mut find_in = |arena: &Arena, number: bool| {
            let mut h = Hits::with_len(n);
            arena.find(&finder, &mut h);
            if number && let Some(bare) = &bare {
                arena.find(bare, &mut h);
            }
            hits.union(&h);
        };
        match field {
            SearchField::Party => find_in(&self.party, true),
            SearchField::Extension => find_in(&self.extension, false),
            SearchField::Any => {
                find_in(&self.party, true);
                find_in(&self.extension, false);
                find_in(&self.other, false);
            }
        }
        Some(hits)
    }
}

fn push_field(buf: &mut Vec<u8>, s: &str) {
    if !buf.is_empty() {
        buf.push(FIELD);
    }
    buf.extend(
        s.bytes()
            .filter(|&b| b != FIELD && b != RECORD)
            .map(|b| b.to_ascii_lowercase()),
    );
}

fn party_text(c: &Call, buf: &mut Vec<u8>) {
    buf.clear();
    push_field(buf, &c.number);
    push_field(buf, &c.contact_name);
    let bare = number_key(c.number.as_bytes());
    if bare.len() != c.number.len() {
        push_field(buf, &String::from_utf8_lossy(&bare));
    }
}

fn extension_text(c: &Call, buf: &mut Vec<u8>) {
    buf.clear();
    if let Some(a) = &c.answered_by {
        push_field(buf, a);
    }
    for p in &c.path {
        push_field(buf, p);
    }
    for e in &c.events {
        push_field(buf, &e.extension);
        push_field(buf, &e.source_extension);
    }
}

fn other_text(c: &Call, buf: &mut Vec<u8>) {
    buf.clear();
    push_field(buf, &c.call_id);
    push_field(buf, &c.ddi);
    push_field(buf, &c.direction);
    push_field(buf, c.outcome.as_str());
    for e in &c.events {
        push_field(buf, &e.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arenas_find_current_texts_once_and_survive_compaction() {
        let mut a = Arena::default();
        a.set(0, b"alpha");
        a.set(1, b"beta");
        a.set(0, b"gamma");
        let hits = |a: &Arena, n: &str| {
            let mut h = Hits::with_len(4);
            a.find(&Finder::new(n.as_bytes()), &mut h);
            (0..4).filter(|&i| h.contains(i)).collect::<Vec<_>>()
        };
        assert_eq!(
            hits(&a, "alpha"),
            Vec::<usize>::new(),
            "stale text is not a hit"
        );
        assert_eq!(hits(&a, "a"), [0, 1]);
        assert_eq!(hits(&a, "mm"), [0]);
        a.compact();
        assert_eq!(a.stale, 0);
        assert_eq!(hits(&a, "a"), [0, 1]);
        assert_eq!(hits(&a, "gam"), [0]);
        assert_eq!(
            hits(&a, "ab"),
            Vec::<usize>::new(),
            "no match across two texts"
        );
    }

    #[test]
    fn an_index_built_in_slices_finds_what_one_built_at_once_does() {
        use crate::protocol::appsuite::parse_event;
        let mut tracker = CallTracker::new(chrono::Duration::hours(8));
        let site: std::sync::Arc<str> = "s".into();
        let path = format!(
            "{}/tests/fixtures/appsuite/manual-examples-162.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            tracker.push(&site, &parse_event(line.trim_end(), '0').unwrap());
        }
        let mut whole = SearchIndex::default();
        whole.update(&tracker);
        let mut sliced = SearchIndex::default();
        let mut slices = 0;
        while !sliced.update_some(&tracker, 3) {
            slices += 1;
            assert!(sliced.progress(&tracker) < 1.0);
        }
        assert!(slices >= 5, "{slices}");
        assert_eq!(sliced.progress(&tracker), 1.0);
        let n = tracker.calls().len();
        for needle in ["1843", "chris", "transferred", "2560", "nothing"] {
            assert_eq!(
                sliced.find(SearchField::Any, needle, n),
                whole.find(SearchField::Any, needle, n),
                "{needle}"
            );
        }
        assert_eq!(
            whole
                .find(SearchField::Extension, "2560", n)
                .map(|h| h.contains(3)),
            Some(true)
        );
    }

    #[test]
    fn a_number_is_found_with_or_without_its_punctuation() {
        let mut a = Arena::default();
        let mut buf = Vec::new();
        let mut call = |number: &str| {
            let mut c = Call::empty(
                "s".into(),
                crate::protocol::Format::AppSuite,
                String::new(),
                chrono::NaiveDateTime::default(),
            );
            c.number = number.into();
            party_text(&c, &mut buf);
            buf.clone()
        };
        a.set(0, &call("714-512-2718"));
        a.set(1, &call("7145122718"));
        a.set(2, &call("(714) 555 0100"));
        let index = SearchIndex {
            party: a,
            ..SearchIndex::default()
        };
        let found = |needle: &str| {
            let h = index.find(SearchField::Party, needle, 3).unwrap();
            (0..3).filter(|&i| h.contains(i)).collect::<Vec<_>>()
        };
        assert_eq!(found("7145122718"), [0, 1]);
        assert_eq!(found("714-512-2718"), [0, 1]);
        assert_eq!(found("(714) 512"), [0, 1]);
        assert_eq!(found("7145550100"), [2]);
        assert_eq!(found("714"), [0, 1, 2]);
        assert_eq!(found("512-2719"), Vec::<usize>::new());
    }
}
