//! A decoded record's CSV row. Each field goes to its column; most columns of a row are another
//! format's, left empty. When a record's fields come in column order (a 5000 call's do), their
//! cells are written straight into the row; otherwise (MiVB, App Suite) each field's value is
//! put in its column first, and the row written from them.

use super::plain::Line;
use super::{column_in, csv};
use crate::protocol::fields::{EXPORT_RECORD_COLUMNS, FieldSink, Value, visit_fields_into};
use crate::protocol::{Decoded, Source};

/// Writes records' CSV rows, keeping what can be reused between rows.
pub struct Rows {
    columns: ColumnMemo,
    /// The last record's fields came in column order: the next is tried straight into the row.
    in_order: bool,
}

impl Rows {
    pub fn new(names: &'static [&'static str]) -> Self {
        Self {
            columns: ColumnMemo::new(names),
            in_order: true,
        }
    }

    /// The row's columns, in order.
    pub fn names(&self) -> &'static [&'static str] {
        self.columns.names
    }

    /// Appends a record's row, CR LF included.
    pub fn write(
        &mut self,
        buf: &mut Vec<u8>,
        csv: &mut csv::Encoder,
        d: &Decoded<'_>,
        source: &Source,
        site: Option<&str>,
    ) {
        let line = Line::new(d.text, csv::clean_line(d.text));
        let row_start = buf.len();
        if self.in_order {
            let mut out = InOrder {
                columns: &mut self.columns,
                k: 0,
                next: Some(0),
                csv: &mut *csv,
                buf: &mut *buf,
                line,
                source,
            };
            visit_fields_into(d, source, site, &mut out);
            if let Some(next) = out.next {
                // The empty columns after the last field.
                let total = self.columns.names.len();
                commas(buf, total - next - usize::from(next == 0));
                buf.extend_from_slice(b"\r\n");
                return;
            }
            // A field came before one already written: this record's shape is not in column
            // order (a rare change of kind in a file); written again the other way.
            buf.truncate(row_start);
        }
        self.in_order = self.by_columns(buf, csv, d, source, site, line);
    }

    /// Writes the row from its cells put in column order first; returns whether the fields
    /// came in column order.
    fn by_columns(
        &mut self,
        buf: &mut Vec<u8>,
        csv: &mut csv::Encoder,
        d: &Decoded<'_>,
        source: &Source,
        site: Option<&str>,
        line: Line<'_>,
    ) -> bool {
        let columns = self.columns.names.len();
        let mut row = [EMPTY; EXPORT_RECORD_COLUMNS.len()];
        let mut out = ByColumns {
            columns: &mut self.columns,
            k: 0,
            row: &mut row[..columns],
            source,
        };
        visit_fields_into(d, source, site, &mut out);
        let fields = out.k;
        self.columns.keep(fields);
        // Only the columns this shape of record has are looked at; a comma before each column.
        let mut commas_written = 0;
        for &c in self.columns.filled() {
            commas(buf, c - commas_written);
            commas_written = c;
            csv.cell(buf, row[c], line);
        }
        commas(buf, columns.saturating_sub(1) - commas_written);
        buf.extend_from_slice(b"\r\n");
        self.columns.in_order
    }
}

/// A column the record has no field for: nothing between the commas.
const EMPTY: csv::Cell<'static> = csv::Cell::Value(Value::Null);

/// `n` commas: a few (most runs of empty columns are short) as one fixed copy cut back, no
/// call to `memset`.
#[inline]
fn commas(buf: &mut Vec<u8>, n: usize) {
    const COMMAS: [u8; 16] = [b','; 16];
    match COMMAS.len().checked_sub(n) {
        Some(unused) => {
            buf.extend_from_slice(&COMMAS);
            buf.truncate(buf.len() - unused);
        }
        None => buf.resize(buf.len() + n, b','),
    }
}

/// The cell of a field's value: the record's own source is written from its parts.
#[inline(always)]
fn cell_of<'a>(v: Value<'a>, source: &'a Source) -> csv::Cell<'a> {
    match v {
        Value::Display(shown) if std::ptr::addr_eq(shown, source) => csv::Cell::Source(source),
        v => csv::Cell::Value(v),
    }
}

/// One record's cells written straight into its row, while its fields come in column order.
struct InOrder<'x> {
    columns: &'x mut ColumnMemo,
    /// The next field's place in the record.
    k: usize,
    /// The first column not yet passed, or `None` once a field came before one already written.
    next: Option<usize>,
    csv: &'x mut csv::Encoder,
    buf: &'x mut Vec<u8>,
    line: Line<'x>,
    source: &'x Source,
}

impl InOrder<'_> {
    /// The column of the next field, named `name` (`None`: not one of the row's), and the first
    /// column it passes over (`None` when it comes out of order).
    #[inline(always)]
    fn step(&mut self, name: &'static str) -> Option<(usize, Option<usize>)> {
        let column = self.columns.column(self.k, name);
        self.k += 1;
        let column = column?;
        let passed = self.next.filter(|&next| column >= next);
        self.next = passed.map(|_| column + 1);
        Some((column, passed))
    }
}

impl<'b> FieldSink<'b> for InOrder<'_> {
    #[inline(always)]
    fn field(&mut self, name: &'static str, v: Value<'b>) {
        let Some((column, Some(passed))) = self.step(name) else {
            return;
        };
        // The separator after the last cell written, and a comma per empty column between.
        commas(self.buf, column - passed + usize::from(passed > 0));
        self.csv.cell(self.buf, cell_of(v, self.source), self.line);
    }
}

/// One record's cells put in their columns, to be written in column order. Whether they came
/// in column order is the memo's to say, once per shape of record ([`ColumnMemo::in_order`]).
struct ByColumns<'x, 'b> {
    columns: &'x mut ColumnMemo,
    /// The next field's place in the record.
    k: usize,
    row: &'x mut [csv::Cell<'b>],
    source: &'b Source,
}

impl<'b> FieldSink<'b> for ByColumns<'_, 'b> {
    const INLINE: bool = true;

    #[inline(always)]
    fn field(&mut self, name: &'static str, v: Value<'b>) {
        let column = self.columns.column(self.k, name);
        self.k += 1;
        if let Some(cell) = column.and_then(|c| self.row.get_mut(c)) {
            *cell = cell_of(v, self.source);
        }
    }
}

/// Which column each field of the last record went to, by the field's place in the record:
/// records of one kind name the same fields in the same order, so a name is looked up among
/// the columns once, not for every record.
struct ColumnMemo {
    /// The row's columns, in order.
    names: &'static [&'static str],
    seen: Vec<(&'static str, Option<usize>)>,
    /// The columns of `seen`, in order (each once).
    filled: Vec<usize>,
    /// The fields of `seen` go to columns in column order: the next record is tried straight
    /// into the row.
    in_order: bool,
    /// `seen` changed since `filled` and `in_order` were made.
    stale: bool,
}

impl ColumnMemo {
    fn new(names: &'static [&'static str]) -> Self {
        Self {
            names,
            seen: Vec::new(),
            filled: Vec::new(),
            in_order: true,
            stale: false,
        }
    }

    #[inline(always)]
    fn column(&mut self, k: usize, name: &'static str) -> Option<usize> {
        match self.seen.get(k) {
            // The same static name (address and length): the same column.
            Some((seen, column)) if std::ptr::eq(*seen, name) => *column,
            _ => self.look_up(k, name),
        }
    }

    /// A field of a record of another shape than the last (or the first record's).
    #[cold]
    fn look_up(&mut self, k: usize, name: &'static str) -> Option<usize> {
        let column = column_in(self.names, name);
        self.stale = true;
        match self.seen.get_mut(k) {
            Some(slot) => *slot = (name, column),
            None => self.seen.push((name, column)),
        }
        column
    }

    /// Forgets the fields past a record's `k` (a longer shape's, seen before).
    fn keep(&mut self, k: usize) {
        if self.seen.len() > k {
            self.seen.truncate(k);
            self.stale = true;
        }
    }

    /// The columns the fields of `seen` go to, in order.
    fn filled(&mut self) -> &[usize] {
        if self.stale {
            self.filled = self.seen.iter().filter_map(|(_, c)| *c).collect();
            self.in_order = self.filled.is_sorted_by(|a, b| a < b);
            self.filled.sort_unstable();
            self.filled.dedup();
            self.stale = false;
        }
        &self.filled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::fields::{RECORD_COLUMNS, visit_fields};
    use crate::protocol::{DecodeOptions, StreamDecoder};

    /// The row as the plain writer makes it: each field's value put in its column first.
    fn plain_row(d: &Decoded<'_>, source: &Source) -> Vec<u8> {
        let mut row = [Value::Null; RECORD_COLUMNS.len()];
        visit_fields(d, source, |name, v| {
            if let Some(c) = column_in(RECORD_COLUMNS, name) {
                row[c] = v;
            }
        });
        let mut out = Vec::new();
        csv::write_row(&mut out, row.into_iter()).unwrap();
        out
    }

    #[test]
    fn rows_in_column_order_or_not_are_the_plain_writers_rows() {
        // 5000 calls (in column order), a MiVB call and an App Suite event (not), a header,
        // an undecodable line: each change of shape in both directions.
        let lines = [
            "TLC 11202 94003 961-9000                     08:36 00:00:03 $00.00              ",
            "    ***** 94129 RG 612-804-4082         8907 00:29      S=5                    *",
            " 03/12 09:20  00:01:10 2104  004 6135550199                A T014                    000  ",
            "TLC 11202 94003 961-9000                     10:36 00:01:03 $00.00              ",
            "2012-03-09 01:20:43 |IN | 2012030901204052070264 0092108 0001843 0000000 0000079XXXXXXXX |CHRIS R MOBILE| 00044161XXXXXXX |CHRIS DID | 000000000000 |ANSWERED    |",
            "Station Message Detailed Recording                          00:00:04 07-03-2012",
            "no record at all, \"just\" text",
            "    181   94129 RING......0063               06:46      S=9                     ",
        ];
        let mut decoder = StreamDecoder::new(DecodeOptions::default());
        let (mut rows, mut csv) = (Rows::new(RECORD_COLUMNS), csv::Encoder::default());
        let mut shapes = Vec::new();
        for (i, text) in lines.into_iter().enumerate() {
            let d = decoder.decode(text, None);
            shapes.push(format!("{} {}", d.format, d.kind().as_str()));
            let source = Source {
                origin: "a, file".into(),
                line: i as u64 + 1,
            };
            let mut ours = Vec::new();
            rows.write(&mut ours, &mut csv, &d, &source, None);
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&plain_row(&d, &source)),
                "{text}"
            );
        }
        assert_eq!(
            shapes,
            [
                "mitel5000 call",
                "mitel5000 call",
                "mivb call",
                "mitel5000 call",
                "appsuite event",
                "mitel5000 header",
                "mitel5000 unparsed",
                "mitel5000 call"
            ]
        );
    }
}
