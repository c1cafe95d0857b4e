//! Decoded records in memory: append, filter, sort. The window's tables draw rows by index from
//! a [`View`] and never copy the store.
//!
//! CONTRACT (filled in by the store work; signatures are what the UI codes against).

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

use crate::protocol::{Decoded, Format, Kind, Record};

/// Index of a record in the store (append order).
pub type RowId = u32;

/// All records received or imported this session, in arrival order.
#[derive(Default)]
pub struct Store {
    records: Vec<Record>,
}

/// The shared columns every format maps onto (the live table's columns), borrowed from a record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary<'a> {
    /// Date and time of the call or event (5000: date decision + START; MiVB: date + start;
    /// App Suite: timestamp). `None` when undated.
    pub when: Option<NaiveDateTime>,
    /// Call type (5000), direction + event (App Suite), completion (MiVB); empty when none.
    pub what: &'a str,
    pub extension: &'a str,
    pub trunk: &'a str,
    /// Outside number: dialled digits or caller id.
    pub number: &'a str,
    pub duration_s: Option<u32>,
    pub account: &'a str,
    /// Unanswered / abandoned (5000 `*****` ring-in, MiVB `***`).
    pub unanswered: bool,
}

/// What a record's call came to, for the outcome filter and colour cues.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum OutcomeFilter {
    #[default]
    Any,
    Answered,
    Unanswered,
    Unparsed,
}

/// The filter bar. Empty strings and `None` mean "any". Text matching is case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Filter {
    pub site: Option<String>,
    pub format: Option<Format>,
    pub kind: Option<Kind>,
    /// Call type / direction / event (substring of [`Summary::what`]).
    pub what: String,
    pub extension: String,
    pub trunk: String,
    /// Substring of the outside number.
    pub number: String,
    /// Substring of the raw text.
    pub text: String,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub min_duration_s: Option<u32>,
    pub outcome: OutcomeFilter,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum SortColumn {
    /// Arrival order.
    #[default]
    Arrival,
    Time,
    Site,
    What,
    Extension,
    Trunk,
    Number,
    Duration,
    Account,
}

/// A filtered, sorted list of row ids, kept up to date incrementally by [`Store::refresh`].
#[derive(Debug, Clone, Default)]
pub struct View {
    pub rows: Vec<RowId>,
    pub filter: Filter,
    pub sort: SortColumn,
    pub descending: bool,
    /// Store length already looked at; internal bookkeeping of the incremental refresh.
    seen: usize,
    /// The filter/sort the rows were computed for.
    computed_for: Option<(Filter, SortColumn, bool)>,
}

impl View {
    /// How many records match (the "shown" of "shown / total").
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, record: Record) -> RowId {
        self.records.push(record);
        (self.records.len() - 1) as RowId
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn get(&self, id: RowId) -> Option<&Record> {
        self.records.get(id as usize)
    }

    /// Names of the sites seen so far (for the site filter).
    pub fn sites(&self) -> Vec<Arc<str>> {
        let mut v: Vec<Arc<str>> = Vec::new();
        for r in &self.records {
            if !v.contains(&r.site) {
                v.push(r.site.clone());
            }
        }
        v
    }

    /// Brings `view` up to date: a full rebuild when its filter or sort changed, else only the
    /// records appended since the last refresh are filtered and merged in.
    pub fn refresh(&self, view: &mut View) {
        let key = (view.filter.clone(), view.sort, view.descending);
        if view.computed_for.as_ref() != Some(&key) {
            view.rows.clear();
            view.seen = 0;
            view.computed_for = Some(key);
        }
        for i in view.seen..self.records.len() {
            view.rows.push(i as RowId);
        }
        view.seen = self.records.len();
    }

    /// Records of one site on one day (for "export a whole day of a site").
    pub fn day_of_site(&self, site: &str, day: NaiveDate) -> Vec<RowId> {
        let _ = (site, day);
        Vec::new()
    }
}

/// The shared columns of a decoded record.
pub fn summary<'a>(d: &'a Decoded<'a>) -> Summary<'a> {
    let _ = d;
    Summary::default()
}
