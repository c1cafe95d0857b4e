//! Long file work off the UI thread: importing saved logs and exporting records or calls. Each
//! job runs on a named thread and reports progress; the window polls the receiver.
//!
//! CONTRACT (filled in by the store/export work; signatures are what the window codes against).

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use crate::collect::supervisor::Wake;
use crate::protocol::{DecodeOptions, Record};
use crate::timeline::Call;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Json => "jsonl",
        }
    }
}

/// What a job tells the window.
#[derive(Debug)]
pub enum JobEvent {
    /// Work done so far, of `total` (bytes for imports, rows for exports).
    Progress { done: u64, total: u64 },
    /// A batch of imported records, in file order.
    Records(Vec<Record>),
    /// The job ended: a summary in words, or what went wrong in words.
    Finished(Result<String, String>),
}

/// Imports saved logs (raw day logs, seed-script logs, captures) as an offline source named
/// after each file.
pub fn import(files: Vec<PathBuf>, options: DecodeOptions, wake: Wake) -> Receiver<JobEvent> {
    let _ = (files, options, wake);
    channel().1
}

/// Writes records (already chosen and ordered by the window) to `path`.
pub fn export_records(
    records: Vec<Record>,
    path: PathBuf,
    format: ExportFormat,
    wake: Wake,
) -> Receiver<JobEvent> {
    let _ = (records, path, format, wake);
    channel().1
}

/// Writes calls to `path` (the calls view's export).
pub fn export_calls(
    calls: Vec<Call>,
    path: PathBuf,
    format: ExportFormat,
    wake: Wake,
) -> Receiver<JobEvent> {
    let _ = (calls, path, format, wake);
    channel().1
}
