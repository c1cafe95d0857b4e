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

/// Writes every record of `store` (a snapshot of what the user chose) to `path`, calling
/// `progress(done, total)` now and then. Returns the number of records written.
pub fn write_records(
    store: &Store,
    path: &Path,
    format: ExportFormat,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, ExportError> {
    let total = store.len() as u64;
    let io_err = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tick = |i: u64, progress: &mut dyn FnMut(u64, u64)| {
        if i.is_multiple_of(4096) {
            progress(i, total);
        }
    };
    match format {
        ExportFormat::Csv | ExportFormat::Json => {
            let text = if format == ExportFormat::Csv {
                TextFormat::Csv
            } else {
                TextFormat::Jsonl
            };
            let file = File::create(path).map_err(io_err)?;
            let mut w = RecordWriter::new(BufWriter::new(file), text);
            for (i, r) in store.iter().enumerate() {
                tick(i as u64, &mut progress);
                w.write(&r.decode(), &r.source()).map_err(io_err)?;
            }
            w.finish().map_err(io_err)?;
        }
        ExportFormat::Xlsx => {
            let xlsx_err = |source| ExportError::Xlsx {
                path: path.to_path_buf(),
                source,
            };
            let mut w = xlsx::XlsxWriter::new("records", RECORD_COLUMNS);
            for (i, r) in store.iter().enumerate() {
                tick(i as u64, &mut progress);
                let d = r.decode();
                let source = r.source();
                let mut row = Vec::with_capacity(24);
                visit_fields(&d, &source, |name, v| {
                    if let Some(c) = column_of(name) {
                        row.push((c, v));
                    }
                });
                w.write_row(row).map_err(xlsx_err)?;
            }
            w.save(path).map_err(xlsx_err)?;
        }
    }
    progress(total, total);
    Ok(total)
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
        // Column `c` comes after `c` commas: the commas before each cell are written as a run.
        let mut commas = 0;
        for (c, &(start, end)) in spans.iter().enumerate() {
            if end > start {
                push_commas(&mut self.buf, c - commas);
                commas = c;
                cells.push_piece(&mut self.buf, start, end - start);
            }
        }
        push_commas(&mut self.buf, RECORD_COLUMNS.len() - 1 - commas);
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

/// `n` commas.
#[inline]
fn push_commas(buf: &mut Vec<u8>, n: usize) {
    const COMMAS: [u8; 64] = [b','; 64];
    if n <= COMMAS.len() {
        buf.extend_from_slice(&COMMAS);
        buf.truncate(buf.len() - (COMMAS.len() - n));
    } else {
        buf.resize(buf.len() + n, b',');
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
