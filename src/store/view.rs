//! A filtered, sorted list of row ids, kept up to date incrementally: records appended since the
//! last refresh are filtered and merged in; only a changed filter or sort rebuilds it all.

use super::filter::Matcher;
use super::row::NO_DURATION;
use super::{RecordRef, RowId, Store};
use crate::protocol::summary::summary;
use crate::timeline::view::Filter;

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

/// More new rows than this are sorted with the rest rather than inserted one by one.
const INSERT_LIMIT: usize = 256;

/// What the user chose for the records table: saved between runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ViewSettings {
    pub filter: Filter,
    pub sort: SortColumn,
    pub descending: bool,
}

impl ViewSettings {
    /// Clicking a column header: sort by it, or flip the direction if it is already the sort.
    pub fn toggle_sort(&mut self, column: SortColumn) {
        crate::timeline::view::toggle_sort(&mut self.sort, &mut self.descending, column);
    }
}

/// The rows a [`ViewSettings`] selects, in its order: derived, runtime only.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// Matching rows in ascending sort order (display order reverses it when descending).
    rows: Vec<RowId>,
    /// Store length already looked at.
    seen: usize,
    /// The filter and sort the rows were computed for.
    computed_for: Option<(Filter, SortColumn)>,
    /// The direction of the last refresh (it needs no recompute).
    descending: bool,
    /// Counts the changes of `rows` (so a window can tell a row may have moved).
    generation: u64,
}

impl View {
    /// How many records match (the "shown" of "shown / total").
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row shown at display position `i`.
    pub fn get(&self, i: usize) -> Option<RowId> {
        let n = self.rows.len();
        if i >= n {
            return None;
        }
        Some(self.rows[if self.descending { n - 1 - i } else { i }])
    }

    /// The rows in display order.
    pub fn ids(&self) -> impl Iterator<Item = RowId> + '_ {
        let n = self.rows.len();
        (0..n).filter_map(|i| self.get(i))
    }

    /// Changes whenever rows are added, filtered or sorted again (not when only the direction
    /// flips): a row's display position can have changed only if this did.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The direction of the last refresh (newest first when sorted by time, descending).
    pub fn descending(&self) -> bool {
        self.descending
    }

    /// Display position of a row, if it is shown.
    pub fn position(&self, id: RowId) -> Option<usize> {
        let i = self.rows.iter().position(|&r| r == id)?;
        Some(if self.descending {
            self.rows.len() - 1 - i
        } else {
            i
        })
    }
}

/// A sort key: numbers for times and durations, a short lower-cased prefix for text, and for
/// extensions and trunks a "natural" key: numbers by value, then names with a number in them by
/// name and then number (`P2` before `P10`), blanks last. Ties keep arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Num(u64),
    Text([u8; 24]),
    Natural {
        /// Lower-cased letters before the first digit (empty for a number).
        prefix: [u8; 12],
        /// The first run of digits, by value (`None` when there is none: after those with one).
        number: Option<u64>,
        /// What follows the digits.
        rest: [u8; 8],
    },
    Blank,
}

fn text_key(s: &str) -> Key {
    let mut k = [0u8; 24];
    for (d, b) in k.iter_mut().zip(s.bytes()) {
        *d = b.to_ascii_lowercase();
    }
    Key::Text(k)
}

fn lower_prefix<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut k = [0u8; N];
    for (d, b) in k.iter_mut().zip(s) {
        *d = b.to_ascii_lowercase();
    }
    k
}

fn natural_key(s: &str) -> Key {
    let s = s.trim().as_bytes();
    if s.is_empty() {
        return Key::Blank;
    }
    let digits_at = s.iter().position(u8::is_ascii_digit).unwrap_or(s.len());
    let digits_len = s[digits_at..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len() - digits_at);
    let digits = &s[digits_at..digits_at + digits_len];
    // Longer than a u64 holds: the biggest value, then arrival order.
    let number = (!digits.is_empty()).then(|| {
        digits.iter().fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        })
    });
    Key::Natural {
        prefix: lower_prefix(&s[..digits_at]),
        number,
        rest: lower_prefix(&s[digits_at + digits_len..]),
    }
}

fn key_of(column: SortColumn, r: &RecordRef<'_>) -> Key {
    match column {
        SortColumn::Arrival => Key::Num(u64::from(r.id)),
        SortColumn::Time => Key::Num(u64::from(r.row.when)),
        SortColumn::Duration => Key::Num(u64::from(r.duration_s().unwrap_or(NO_DURATION))),
        SortColumn::Site => text_key(r.site()),
        SortColumn::What
        | SortColumn::Extension
        | SortColumn::Trunk
        | SortColumn::Number
        | SortColumn::Account => {
            let d = r.decode();
            let s = summary(&d);
            match column {
                SortColumn::What => text_key(s.what),
                SortColumn::Extension => natural_key(s.extension),
                SortColumn::Trunk => natural_key(s.trunk),
                SortColumn::Number => text_key(s.number),
                _ => text_key(s.account),
            }
        }
    }
}

impl Store {
    /// Brings `view` up to date with `settings` and the records; returns whether its rows
    /// changed (a new direction only reverses the display order).
    pub fn refresh(&self, view: &mut View, settings: &ViewSettings) -> bool {
        view.descending = settings.descending;
        let key = (settings.filter.clone(), settings.sort);
        let changed = if view.computed_for.as_ref() != Some(&key) {
            view.rows.clear();
            view.seen = 0;
            view.computed_for = Some(key);
            self.add_new(view, settings);
            true
        } else if view.seen == self.len() {
            false
        } else {
            self.add_new(view, settings)
        };
        if changed {
            view.generation += 1;
        }
        changed
    }

    fn add_new(&self, view: &mut View, settings: &ViewSettings) -> bool {
        let matcher = Matcher::new(&settings.filter);
        let new: Vec<RowId> = self.rows[view.seen..]
            .iter()
            .enumerate()
            .map(|(i, row)| RecordRef {
                store: self,
                row,
                id: (view.seen + i) as RowId,
            })
            .filter(|r| matcher.matches(r))
            .map(|r| r.id)
            .collect();
        view.seen = self.len();
        if new.is_empty() {
            return false;
        }
        let column = settings.sort;
        let key = |id: RowId| self.get(id).map(|r| (key_of(column, &r), id));
        if column == SortColumn::Arrival {
            view.rows.extend(new);
        } else if new.len() <= INSERT_LIMIT {
            for id in new {
                let k = key(id);
                let at = view.rows.partition_point(|&r| key(r) < k);
                view.rows.insert(at, id);
            }
        } else {
            view.rows.extend(new);
            let mut keyed: Vec<(Key, RowId)> = view.rows.iter().filter_map(|&id| key(id)).collect();
            keyed.sort_unstable();
            view.rows = keyed.into_iter().map(|(_, id)| id).collect();
        }
        true
    }
}
