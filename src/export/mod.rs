//! Writers for decoded records and calls: JSON lines, CSV, XLSX.

pub mod calls;
pub mod csv;
pub mod jsonl;
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
}

impl<W: Write> RecordWriter<W> {
    pub fn new(out: W, format: TextFormat) -> Self {
        Self {
            out,
            format,
            wrote_header: false,
        }
    }

    pub fn write(&mut self, d: &Decoded<'_>, source: &Source) -> io::Result<()> {
        match self.format {
            TextFormat::Jsonl => jsonl::write_record(&mut self.out, d, source),
            TextFormat::Csv => {
                if !self.wrote_header {
                    csv::write_row(&mut self.out, RECORD_COLUMNS.iter().map(|c| Value::Str(c)))?;
                    self.wrote_header = true;
                }
                let mut row: [Value<'_>; RECORD_COLUMNS.len()] =
                    [Value::Null; RECORD_COLUMNS.len()];
                visit_fields(d, source, |name, v| {
                    if let Some(i) = column_of(name) {
                        row[i] = v;
                    }
                });
                csv::write_row(&mut self.out, row.into_iter())
            }
        }
    }

    /// Writes the CSV header even when there were no records, then flushes.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == TextFormat::Csv && !self.wrote_header {
            csv::write_row(&mut self.out, RECORD_COLUMNS.iter().map(|c| Value::Str(c)))?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}
