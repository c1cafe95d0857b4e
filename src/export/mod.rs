//! Writers for decoded records and calls: JSON lines, CSV, XLSX.

pub mod calls;
pub mod csv;
pub mod jsonl;

use std::io::{self, Write};

use crate::protocol::fields::{RECORD_COLUMNS, Value, visit_fields};
use crate::protocol::{Decoded, Source};

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
                    if let Some(i) = RECORD_COLUMNS.iter().position(|c| *c == name) {
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
