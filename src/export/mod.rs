//! Writers for decoded records and calls: JSON lines, CSV, XLSX.

pub mod calls;
pub mod csv;
pub mod jsonl;
mod plain;
#[cfg(test)]
mod same_output;
pub mod xlsx;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::protocol::fields::{RECORD_COLUMNS, Value, visit_fields};
use crate::protocol::{Decoded, Source};
use crate::store::Store;
use crate::timeline::Call;

/// The file formats a view can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [Self::Csv, Self::Xlsx, Self::Json];

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Json => "jsonl",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Xlsx => "Excel (XLSX)",
            Self::Json => "JSON lines",
        }
    }

    /// The text format it is written in (`None`: a spreadsheet).
    pub fn text(self) -> Option<TextFormat> {
        match self {
            Self::Csv => Some(TextFormat::Csv),
            Self::Json => Some(TextFormat::Jsonl),
            Self::Xlsx => None,
        }
    }

    /// From a file name's extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "jsonl" | "json" | "ndjson" => Some(Self::Json),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write the spreadsheet {path}: {source}")]
    Xlsx {
        path: PathBuf,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
}

/// What an export holds, in the order it is written.
pub enum Exported {
    /// A snapshot of the records the window chose.
    Records(Store),
    /// The calls the calls view shows.
    Calls(Vec<Call>),
}

impl Exported {
    pub fn len(&self) -> usize {
        match self {
            Self::Records(store) => store.len(),
            Self::Calls(calls) => calls.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the rows are, in words.
    pub fn noun(&self) -> &'static str {
        match self {
            Self::Records(_) => "records",
            Self::Calls(_) => "calls",
        }
    }
}

/// Writes `what` to `path` (records and calls alike, for the Records and the Calls tab), calling
/// `progress(done, total)` now and then. Returns the number of rows written. XLSX cells hold
/// dates and numbers as such, and a call's `path` and `events` as the text CSV has.
pub fn write(
    what: &Exported,
    path: &Path,
    format: ExportFormat,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, ExportError> {
    let total = what.len() as u64;
    let mut tick = |i: usize| {
        if (i as u64).is_multiple_of(4096) {
            progress(i as u64, total);
        }
    };
    if let Some(text) = format.text() {
        let io_err = |source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        };
        let out = BufWriter::new(File::create(path).map_err(io_err)?);
        match what {
            Exported::Records(store) => {
                let mut w = RecordWriter::new(out, text);
                for (i, r) in store.iter().enumerate() {
                    tick(i);
                    w.write(&r.decode(), &r.source()).map_err(io_err)?;
                }
                w.finish().map_err(io_err)?;
            }
            Exported::Calls(all) => {
                let mut w = calls::CallWriter::new(out, text);
                for (i, call) in all.iter().enumerate() {
                    tick(i);
                    w.write(call).map_err(io_err)?;
                }
                w.finish().map_err(io_err)?;
            }
        }
    } else {
        let xlsx_err = |source| ExportError::Xlsx {
            path: path.to_path_buf(),
            source,
        };
        let (sheet, columns) = match what {
            Exported::Records(_) => ("records", RECORD_COLUMNS),
            Exported::Calls(_) => ("calls", calls::CALL_COLUMNS),
        };
        let mut w = xlsx::XlsxWriter::new(sheet, columns);
        match what {
            Exported::Records(store) => {
                for (i, r) in store.iter().enumerate() {
                    tick(i);
                    let (d, source) = (r.decode(), r.source());
                    let cells = record_cells(&d, &source);
                    w.write_row(cells.into_iter().enumerate())
                        .map_err(xlsx_err)?;
                }
            }
            Exported::Calls(all) => {
                for (i, call) in all.iter().enumerate() {
                    tick(i);
                    let row = calls::row(call);
                    w.write_row(calls::cells(&row).enumerate())
                        .map_err(xlsx_err)?;
                }
            }
        }
        w.save(path).map_err(xlsx_err)?;
    }
    progress(total, total);
    Ok(total)
}

/// A record's values in [`RECORD_COLUMNS`] order, `Null` where it has no such field.
fn record_cells<'b>(d: &'b Decoded<'_>, source: &'b Source) -> [Value<'b>; RECORD_COLUMNS.len()] {
    let mut row = [Value::Null; RECORD_COLUMNS.len()];
    visit_fields(d, source, |name, v| {
        if let Some(i) = column_of(name) {
            row[i] = v;
        }
    });
    row
}

fn column_of(name: &str) -> Option<usize> {
    RECORD_COLUMNS.iter().position(|c| *c == name)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextFormat {
    Jsonl,
    Csv,
}

impl TextFormat {
    /// From a file name's extension (`.csv`, `.jsonl`/`.json`).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "json" | "ndjson" => Some(Self::Jsonl),
            _ => None,
        }
    }
}

/// Writes decoded records one by one in the chosen text format.
pub struct RecordWriter<W: Write> {
    out: W,
    format: TextFormat,
    wrote_header: bool,
    /// Records written but not yet given to `out`.
    buf: Vec<u8>,
    /// How many bytes to gather before writing to `out` (0: each record as it comes).
    batch: usize,
    json: jsonl::Encoder,
    csv: csv::Encoder,
    columns: ColumnMemo,
    /// A CSV row's cells, in the order the record gives them.
    cells: Vec<u8>,
}

impl<W: Write> RecordWriter<W> {
    /// Gives `out` each record as it is written (a live export sees every record at once).
    pub fn new(out: W, format: TextFormat) -> Self {
        Self::batched(out, format, 0)
    }

    /// Gathers about `bytes` of output before each write to `out`: for a whole file at
    /// once, large writes and no buffer between.
    pub fn batched(out: W, format: TextFormat, bytes: usize) -> Self {
        Self {
            out,
            format,
            wrote_header: false,
            buf: Vec::with_capacity(bytes.max(1024) + 4096),
            batch: bytes,
            json: jsonl::Encoder::default(),
            csv: csv::Encoder::default(),
            columns: ColumnMemo::default(),
            cells: Vec::new(),
        }
    }

    pub fn write(&mut self, d: &Decoded<'_>, source: &Source) -> io::Result<()> {
        match self.format {
            TextFormat::Jsonl => self.json.record(&mut self.buf, d, source),
            TextFormat::Csv => {
                self.header();
                self.csv_row(d, source);
            }
        }
        if self.buf.len() >= self.batch {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// A record's CSV row: each field's cell written once, in the order the record gives
    /// them, then copied into its column (most columns of a row are another format's: empty).
    fn csv_row(&mut self, d: &Decoded<'_>, source: &Source) {
        let line = plain::Line::new(d.text, csv::clean_line(d.text));
        let cells = &mut self.cells;
        cells.clear();
        let mut spans = [(0usize, 0usize); RECORD_COLUMNS.len()];
        let mut k = 0;
        visit_fields(d, source, |name, v| {
            let column = self.columns.column(k, name);
            k += 1;
            let Some(span) = column.and_then(|c| spans.get_mut(c)) else {
                return;
            };
            let cell = match v {
                Value::Display(shown) if std::ptr::addr_eq(shown, source) => {
                    csv::Cell::Source(source)
                }
                v => csv::Cell::Value(v),
            };
            let start = cells.len();
            self.csv.cell(cells, cell, line);
            *span = (start, cells.len());
        });
        // Room to copy a short cell as a fixed 16 bytes.
        let written = cells.len();
        cells.resize(written + 16, 0);
        let cells = plain::Line::new_bytes(cells);
        for (c, &(start, end)) in spans.iter().enumerate() {
            if c > 0 {
                self.buf.push(b',');
            }
            if end > start {
                cells.push_piece(&mut self.buf, start, end - start);
            }
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    fn header(&mut self) {
        if !self.wrote_header {
            let names = RECORD_COLUMNS
                .iter()
                .map(|c| csv::Cell::Value(Value::Str(c)));
            self.csv.row(&mut self.buf, names, plain::Line::none());
            self.wrote_header = true;
        }
    }

    /// Writes the CSV header even when there were no records, then flushes.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == TextFormat::Csv {
            self.header();
        }
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Which column each field of the last record went to, by the field's place in the record:
/// records of one kind name the same fields in the same order, so a name is looked up among
/// [`RECORD_COLUMNS`] once, not for every record.
#[derive(Default)]
struct ColumnMemo(Vec<(&'static str, Option<usize>)>);

impl ColumnMemo {
    #[inline]
    fn column(&mut self, k: usize, name: &'static str) -> Option<usize> {
        match self.0.get_mut(k) {
            // The same static name (address and length): the same column.
            Some((seen, column)) if std::ptr::eq(*seen, name) => *column,
            Some(slot) => {
                *slot = (name, column_of(name));
                slot.1
            }
            None => {
                let column = column_of(name);
                self.0.push((name, column));
                column
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::protocol::{DecodeOptions, StreamDecoder};

    /// Every record of every fixture, and a MiVB record with each optional field (ANI/DNIS and
    /// call ids), decoded.
    fn each_record(mut f: impl FnMut(&Decoded<'_>, &Source)) {
        let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
        let mut inputs = Vec::new();
        for format in ["mitel5000", "appsuite", "mivb"] {
            for entry in std::fs::read_dir(format!("{dir}/{format}")).unwrap() {
                let path = entry.unwrap().path();
                inputs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
        let mivb = std::fs::read_to_string(format!("{dir}/mivb/standard-90-synthetic.txt"));
        let mivb = mivb.unwrap();
        let line = mivb.lines().nth(1).unwrap().trim_end();
        let full = format!("{line:<88}{:<24}123400011 12340000\r\n", "6135551234 4001");
        inputs.push(("all-fields".into(), format!("{mivb}{full}").into_bytes()));
        for (origin, data) in &inputs {
            let mut decoder = StreamDecoder::new(DecodeOptions::default());
            crate::import::decode_each(data, &mut decoder, |line, d| {
                let origin = origin.as_str().into();
                f(d, &Source { origin, line });
            });
        }
    }

    /// What `visit_fields` gives is what CSV and XLSX (through `record_cells`) and JSON lines
    /// write: a field with no column, or two with one name, fails here.
    #[test]
    fn every_field_of_every_record_reaches_every_writer() {
        let mut seen = BTreeSet::new();
        each_record(|d, source| {
            let mut json = Vec::new();
            jsonl::write_record(&mut json, d, source).unwrap();
            let json: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&json).unwrap();
            let mut names = BTreeSet::new();
            visit_fields(d, source, |name, v| {
                assert!(column_of(name).is_some(), "{name}: no CSV/XLSX column");
                assert!(names.insert(name), "{name} twice in one record");
                let j = &json[name];
                match v {
                    Value::Null => assert!(j.is_null(), "{name}"),
                    Value::UInt(u) => assert_eq!(j.as_u64(), Some(u), "{name}"),
                    Value::Bool(b) => assert_eq!(j.as_bool(), Some(b), "{name}"),
                    v => assert_eq!(j.as_str(), Some(v.to_string().as_str()), "{name}"),
                }
                seen.insert(name);
            });
            assert_eq!(json.len(), names.len(), "{json:?}");
        });
        // Every column is some record's: the walk met every kind of record.
        let unseen: Vec<_> = RECORD_COLUMNS
            .iter()
            .filter(|c| !seen.contains(*c))
            .collect();
        assert!(unseen.is_empty(), "no fixture record has {unseen:?}");
    }
}
