//! Decoded records in memory: append, filter, sort. The window's tables draw rows by index from
//! a [`View`] and never copy the store.
//!
//! Memory is the design constraint (a busy day is a million records): record text lives in large
//! shared chunks, each record is a 32-byte [`Row`] pointing into them, and site/origin names are
//! interned. Fields are decoded again when drawn ([`RecordRef::decode`] is allocation-free), so
//! only what filtering and sorting need often is kept precomputed in the row.

mod filter;
mod row;
mod view;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

use crate::protocol::summary::summary;
use crate::protocol::{Body, DateDecision, Decoded, Format, Incoming, Kind, Record, Source};

pub use crate::timeline::view::{Filter, OutcomeFilter};
pub use row::{NO_DURATION, unpack_time};
pub use view::{SortColumn, View, ViewSettings};

use row::{Row, flags, pack_time};

/// Index of a record in the store (append order).
pub type RowId = u32;

/// Text chunks are this big; a record's text never spans two chunks.
const CHUNK: usize = 1 << 20;
/// Longer texts (framing garbage, mostly) are kept whole beside the chunks.
const MAX_INLINE: usize = 16 * 1024;

/// Where records came from: interned so each row names it with one number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SourceKey {
    site: Arc<str>,
    origin: Arc<str>,
    padding: char,
    /// The UTC offset of the receipt times (a new key when daylight saving changes it).
    offset_s: i32,
}

/// What a row keeps beside the chunks, rarely: bytes that are not valid UTF-8, the reason bytes
/// were not a record at all, and texts too long for a chunk.
#[derive(Debug, Clone, Default)]
struct Extra {
    bytes: Option<Box<[u8]>>,
    problem: Option<Box<str>>,
    long_text: Option<Box<str>>,
}

/// All records received or imported this session, in arrival order.
#[derive(Default)]
pub struct Store {
    /// Shared so that a snapshot for an export costs no text copy; a chunk a snapshot still
    /// holds is never written again (the next record starts a new chunk).
    chunks: Vec<Arc<String>>,
    rows: Vec<Row>,
    sources: Vec<SourceKey>,
    source_ids: HashMap<SourceKey, u32>,
    /// Sorted by row id (rows are only appended).
    extras: Vec<(RowId, Extra)>,
    /// Distinct site names in order of first appearance.
    sites: Vec<Arc<str>>,
}

/// One record as stored, borrowed.
#[derive(Clone, Copy)]
pub struct RecordRef<'a> {
    store: &'a Store,
    row: &'a Row,
    pub id: RowId,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Appends an owned record (what collectors send).
    pub fn push(&mut self, record: Record) -> RowId {
        let decoded = record.decode();
        self.push_incoming(&Incoming {
            site: &record.site,
            origin: &record.source.origin,
            line: record.source.line,
            received: record.received,
            padding: record.padding,
            bytes: record.bytes.as_deref(),
            decoded: &decoded,
            problem: record.problem.as_deref(),
        })
    }

    /// Appends a record without an owned copy of it (imports decode straight into a store).
    pub fn push_incoming(&mut self, r: &Incoming<'_>) -> RowId {
        let id = self.rows.len() as RowId;
        let text = r.decoded.text;
        let src = self.intern(r);
        let mut extra = Extra {
            bytes: r.bytes.map(Into::into),
            problem: r.problem.map(Into::into),
            long_text: None,
        };
        let (chunk, offset, len) = if text.len() > MAX_INLINE {
            extra.long_text = Some(text.into());
            (0, 0, 0)
        } else {
            self.put_text(text)
        };
        let s = summary(r.decoded);
        let mut f = flags::from_summary(&s, r.decoded.kind());
        let has_extra =
            extra.bytes.is_some() || extra.problem.is_some() || extra.long_text.is_some();
        if has_extra {
            f |= flags::EXTRA;
            self.extras.push((id, extra));
        }
        let when = s
            .when
            .or_else(|| r.received.map(|t| t.naive_local()))
            .map_or(0, pack_time);
        self.rows.push(Row {
            offset,
            chunk,
            len,
            src,
            line: u32::try_from(r.line).unwrap_or(u32::MAX),
            received: r.received.map_or(0, |t| pack_time(t.naive_utc())),
            when,
            duration: s.duration_s.unwrap_or(NO_DURATION),
            date_source: r.decoded.date.source as u8,
            format: r.decoded.format as u8,
            kind: r.decoded.kind() as u8,
            flags: f,
        });
        id
    }

    /// Moves all of `other`'s records to the end of this store (an import batch built off the UI
    /// thread joins the store without copying its text).
    pub fn append(&mut self, other: Store) {
        let base_id = self.rows.len() as RowId;
        let base_chunk = self.chunks.len() as u16;
        let remap: Vec<u32> = other
            .sources
            .iter()
            .map(|k| self.intern_key(k.clone()))
            .collect();
        self.chunks.extend(other.chunks);
        self.rows.extend(other.rows.into_iter().map(|mut r| {
            r.chunk += base_chunk;
            r.src = remap[r.src as usize];
            r
        }));
        self.extras
            .extend(other.extras.into_iter().map(|(id, e)| (id + base_id, e)));
    }

    pub fn get(&self, id: RowId) -> Option<RecordRef<'_>> {
        self.rows.get(id as usize).map(|row| RecordRef {
            store: self,
            row,
            id,
        })
    }

    /// Every record, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = RecordRef<'_>> {
        self.rows.iter().enumerate().map(|(i, row)| RecordRef {
            store: self,
            row,
            id: i as RowId,
        })
    }

    /// Names of the sites seen so far, in order of first appearance (for the site filter).
    pub fn sites(&self) -> &[Arc<str>] {
        &self.sites
    }

    /// Records of one site on one day, in arrival order (for "export a whole day of a site"):
    /// unparsed lines too, placed by their receipt time.
    pub fn day_of_site(&self, site: &str, day: NaiveDate) -> Vec<RowId> {
        self.iter()
            .filter(|r| &**r.site() == site && r.when().map(|t| t.date()) == Some(day))
            .map(|r| r.id)
            .collect()
    }

    /// Bytes of record text held (for the status bar and memory checks).
    pub fn text_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    /// The given records as a store of their own, for work on another thread (exports). Texts
    /// are shared, not copied; row ids start again from 0 in the order given.
    pub fn snapshot(&self, ids: impl IntoIterator<Item = RowId>) -> Store {
        let mut out = Store {
            chunks: self.chunks.clone(),
            sources: self.sources.clone(),
            source_ids: self.source_ids.clone(),
            sites: self.sites.clone(),
            ..Default::default()
        };
        for id in ids {
            let Some(row) = self.rows.get(id as usize) else {
                continue;
            };
            if row.flags & flags::EXTRA != 0
                && let Some(e) = self.extra(id)
            {
                out.extras.push((out.rows.len() as RowId, e.clone()));
            }
            out.rows.push(*row);
        }
        out
    }

    /// Rows `from..` that `keep` accepts, as a store of their own with its own copy of their
    /// texts (closing an imported file: the store only appends, so it is rebuilt without it).
    /// Row ids start again from 0; sites not kept are gone from [`Store::sites`].
    pub fn filtered(&self, from: usize, keep: impl Fn(&RecordRef<'_>) -> bool) -> Store {
        let mut out = Store::new();
        for r in self.iter().skip(from).filter(|r| keep(r)) {
            let id = out.rows.len() as RowId;
            let mut row = *r.row;
            row.src = out.intern_key(r.key().clone());
            if let Some(extra) = r.extra() {
                out.extras.push((id, extra.clone()));
            }
            if r.extra().is_none_or(|e| e.long_text.is_none()) {
                (row.chunk, row.offset, row.len) = out.put_text(r.text());
            }
            out.rows.push(row);
        }
        out
    }

    fn put_text(&mut self, text: &str) -> (u16, u32, u16) {
        let writable = self
            .chunks
            .last_mut()
            .and_then(Arc::get_mut)
            .filter(|c| c.capacity() - c.len() >= text.len());
        let c = match writable {
            Some(c) => c,
            None => {
                self.chunks.push(Arc::new(String::with_capacity(CHUNK)));
                match self.chunks.last_mut().and_then(Arc::get_mut) {
                    Some(c) => c,
                    // A chunk made just now has no other owner.
                    None => return (0, 0, 0),
                }
            }
        };
        let offset = c.len() as u32;
        c.push_str(text);
        ((self.chunks.len() - 1) as u16, offset, text.len() as u16)
    }

    fn intern(&mut self, r: &Incoming<'_>) -> u32 {
        let key = SourceKey {
            site: r.site.clone(),
            origin: r.origin.clone(),
            padding: r.padding,
            offset_s: r.received.map_or(0, |t| t.offset().local_minus_utc()),
        };
        self.intern_key(key)
    }

    fn intern_key(&mut self, key: SourceKey) -> u32 {
        if let Some(&id) = self.source_ids.get(&key) {
            return id;
        }
        if !self.sites.contains(&key.site) {
            self.sites.push(key.site.clone());
        }
        let id = self.sources.len() as u32;
        self.sources.push(key.clone());
        self.source_ids.insert(key, id);
        id
    }

    fn extra(&self, id: RowId) -> Option<&Extra> {
        self.extras
            .binary_search_by_key(&id, |(i, _)| *i)
            .ok()
            .map(|i| &self.extras[i].1)
    }
}

impl<'a> RecordRef<'a> {
    fn key(&self) -> &'a SourceKey {
        &self.store.sources[self.row.src as usize]
    }

    fn extra(&self) -> Option<&'a Extra> {
        if self.row.flags & flags::EXTRA == 0 {
            return None;
        }
        self.store.extra(self.id)
    }

    /// The record text (lossy UTF-8), without framing, legacy prefix or line end.
    pub fn text(&self) -> &'a str {
        if let Some(t) = self.extra().and_then(|e| e.long_text.as_deref()) {
            return t;
        }
        let r = self.row;
        let start = r.offset as usize;
        self.store.chunks[r.chunk as usize]
            .get(start..start + r.len as usize)
            .unwrap_or("")
    }

    /// The bytes as received (for hex views).
    pub fn raw_bytes(&self) -> &'a [u8] {
        match self.extra().and_then(|e| e.bytes.as_deref()) {
            Some(b) => b,
            None => self.text().as_bytes(),
        }
    }

    pub fn site(&self) -> &'a Arc<str> {
        &self.key().site
    }

    pub fn source(&self) -> Source {
        Source {
            origin: self.key().origin.clone(),
            line: u64::from(self.row.line),
        }
    }

    pub fn padding(&self) -> char {
        self.key().padding
    }

    pub fn received(&self) -> Option<DateTime<FixedOffset>> {
        let utc = unpack_time(self.row.received)?;
        let offset = FixedOffset::east_opt(self.key().offset_s)?;
        Some(DateTime::from_naive_utc_and_offset(utc, offset))
    }

    pub fn format(&self) -> Format {
        row::format_of(self.row.format)
    }

    pub fn kind(&self) -> Kind {
        row::kind_of(self.row.kind)
    }

    pub fn date(&self) -> DateDecision {
        let source = row::date_source_of(self.row.date_source);
        let date = match self.kind() {
            // Unparsed rows are placed by their receipt time, but have no date of their own.
            Kind::Unparsed => None,
            _ => unpack_time(self.row.when).map(|t| t.date()),
        };
        match date {
            Some(d) => DateDecision::new(d, source),
            None => DateDecision { date: None, source },
        }
    }

    /// When the call or event happened (or, for unparsed lines, when they were received).
    pub fn when(&self) -> Option<NaiveDateTime> {
        unpack_time(self.row.when)
    }

    pub fn duration_s(&self) -> Option<u32> {
        (self.row.duration != NO_DURATION).then_some(self.row.duration)
    }

    /// Nobody answered (5000 `*****` ring-in, MiVB `***`).
    pub fn unanswered(&self) -> bool {
        self.row.flags & flags::UNANSWERED != 0
    }

    /// Why the bytes never made a record, if they did not.
    pub fn problem(&self) -> Option<&'a str> {
        self.extra().and_then(|e| e.problem.as_deref())
    }

    /// Decodes the fields again from the text: cheap and allocation-free for good records.
    pub fn decode(&self) -> Decoded<'a> {
        let text = self.text();
        let body = match self.problem() {
            Some(p) => Body::Unparsed(p.to_string()),
            None => crate::protocol::decode_as(self.format(), text, self.padding()),
        };
        Decoded {
            format: self.format(),
            text,
            date: self.date(),
            body,
        }
    }

    /// An owned copy (for exports and other threads).
    pub fn to_record(&self) -> Record {
        let bytes = self.extra().and_then(|e| e.bytes.clone());
        Record {
            site: self.site().clone(),
            source: self.source(),
            received: self.received(),
            format: self.format(),
            kind: self.kind(),
            date: self.date(),
            padding: self.padding(),
            text: self.text().into(),
            bytes,
            problem: self.problem().map(Into::into),
        }
    }
}

#[cfg(test)]
mod tests;
