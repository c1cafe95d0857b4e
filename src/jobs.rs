//! Long file work off the UI thread: importing saved logs and exporting records or calls. Each
//! job runs on a named thread and reports progress; the window polls the receiver.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use crate::export;
use crate::import;
use crate::protocol::{DecodeOptions, StreamDecoder};
use crate::store::Store;
use crate::wake::Wake;

pub use crate::export::ExportFormat;

/// Records per imported batch: big enough to be cheap, small enough to show progress live.
const BATCH: usize = 50_000;

/// What a job tells the window.
pub enum JobEvent {
    /// Work done so far, of `total` (bytes for imports, rows for exports).
    Progress { done: u64, total: u64 },
    /// A batch of imported records, in file order, ready to [`Store::append`].
    Records(Store),
    /// The job ended: a summary in words, or what went wrong.
    Finished(Result<String, JobError>),
}

/// Why a job did not finish. The window shows it (and logs it) once.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Export(#[from] export::ExportError),
    #[error("cannot start a thread: {0}")]
    Thread(#[source] std::io::Error),
}

impl std::fmt::Debug for JobEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Progress { done, total } => write!(f, "Progress({done}/{total})"),
            Self::Records(s) => write!(f, "Records({})", s.len()),
            Self::Finished(r) => write!(f, "Finished({r:?})"),
        }
    }
}

/// Sends job events, waking the window, with progress at most every 100 ms.
struct Reporter {
    tx: Sender<JobEvent>,
    wake: Wake,
    last_progress: Instant,
}

impl Reporter {
    fn new(tx: Sender<JobEvent>, wake: Wake) -> Self {
        Self {
            tx,
            wake,
            last_progress: Instant::now(),
        }
    }

    fn send(&self, event: JobEvent) {
        // The window may have gone away: then nobody needs the result.
        let _ = self.tx.send(event);
        (self.wake)();
    }

    fn progress(&mut self, done: u64, total: u64) {
        if done < total && self.last_progress.elapsed() < Duration::from_millis(100) {
            return;
        }
        self.last_progress = Instant::now();
        self.send(JobEvent::Progress { done, total });
    }
}

fn spawn(
    name: &str,
    wake: Wake,
    work: impl FnOnce(&mut Reporter) -> Result<String, JobError> + Send + 'static,
) -> Receiver<JobEvent> {
    let (tx, rx) = channel();
    let failed = (tx.clone(), wake.clone());
    let spawned = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let mut reporter = Reporter::new(tx, wake);
            let result = work(&mut reporter);
            reporter.send(JobEvent::Finished(result));
        });
    if let Err(e) = spawned {
        let _ = failed.0.send(JobEvent::Finished(Err(JobError::Thread(e))));
        (failed.1)();
    }
    rx
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A file to import, the site its records are shown under and how they are decoded.
#[derive(Debug, Clone)]
pub struct ImportFile {
    pub path: PathBuf,
    pub site: Arc<str>,
    pub options: DecodeOptions,
}

/// Imports saved logs (raw day logs, seed-script logs, captures) as an offline source named
/// after each file.
pub fn import(files: Vec<PathBuf>, options: DecodeOptions, wake: Wake) -> Receiver<JobEvent> {
    let files = files
        .into_iter()
        .map(|path| ImportFile {
            site: file_name(&path).into(),
            path,
            options: options.clone(),
        })
        .collect();
    import_as(files, wake)
}

/// Imports files, each under the site it names.
pub fn import_as(files: Vec<ImportFile>, wake: Wake) -> Receiver<JobEvent> {
    spawn("smdr-import", wake, move |rep| {
        let total: u64 = files
            .iter()
            .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
            .sum();
        let (mut done_files, mut records, mut unparsed) = (0u64, 0u64, 0u64);
        for ImportFile {
            path,
            site,
            options,
        } in &files
        {
            let data = std::fs::read(path).map_err(|source| JobError::Read {
                path: path.clone(),
                source,
            })?;
            let origin: Arc<str> = path.display().to_string().into();
            let mut decoder = StreamDecoder::new(options.clone());
            let mut batch = Store::new();
            let mut sent_before = 0u64;
            import::into_store(
                &data,
                &origin,
                site,
                &mut decoder,
                &mut batch,
                |store, consumed| {
                    if store.len() >= BATCH {
                        sent_before += store.len() as u64;
                        unparsed += unparsed_in(store);
                        rep.send(JobEvent::Records(std::mem::take(store)));
                    }
                    rep.progress(done_files + consumed.min(data.len() as u64), total);
                },
            );
            let in_file = sent_before + batch.len() as u64;
            unparsed += unparsed_in(&batch);
            rep.send(JobEvent::Records(batch));
            records += in_file;
            done_files += data.len() as u64;
        }
        rep.progress(total, total);
        let files_word = if files.len() == 1 { "file" } else { "files" };
        Ok(format!(
            "imported {records} records from {} {files_word}, {unparsed} of them not decoded",
            files.len()
        ))
    })
}

fn unparsed_in(store: &Store) -> u64 {
    store
        .iter()
        .filter(|r| r.kind() == crate::protocol::Kind::Unparsed)
        .count() as u64
}

/// Writes records or calls (as the window chose and ordered them) to `path`.
pub fn export(
    what: export::Exported,
    path: PathBuf,
    format: ExportFormat,
    wake: Wake,
) -> Receiver<JobEvent> {
    spawn("smdr-export", wake, move |rep| {
        let n = export::write(&what, &path, format, |d, t| rep.progress(d, t))?;
        Ok(format!(
            "exported {n} {} to {}",
            what.noun(),
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::protocol::Kind;

    fn no_wake() -> Wake {
        Arc::new(|| {})
    }

    fn finish(rx: Receiver<JobEvent>) -> (Store, Result<String, JobError>) {
        let mut store = Store::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(JobEvent::Records(batch)) => store.append(batch),
                Ok(JobEvent::Progress { done, total }) => assert!(done <= total),
                Ok(JobEvent::Finished(r)) => return (store, r),
                Err(e) => panic!("job did not finish: {e}"),
            }
        }
    }

    fn imported(paths: &[&str]) -> (Store, Result<String, JobError>) {
        let files = paths
            .iter()
            .map(|p| PathBuf::from(format!("tests/fixtures/{p}")))
            .collect();
        finish(import(files, DecodeOptions::default(), no_wake()))
    }

    #[test]
    fn imports_logs_and_captures_as_sources_named_after_files() {
        let (store, result) = imported(&[
            "mitel5000/seed-debug-output.txt",
            "mitel5000/socket-stream.bin",
        ]);
        let summary = result.unwrap();
        assert!(
            summary.starts_with("imported 16 records from 2 files, 3 of them not decoded"),
            "{summary}"
        );
        assert_eq!(
            store.sites().iter().map(|s| &**s).collect::<Vec<_>>(),
            ["seed-debug-output.txt", "socket-stream.bin"]
        );
        let calls = store.iter().filter(|r| r.kind() == Kind::Call).count();
        assert_eq!(calls, 4 + 6);
        let first_call = store.iter().find(|r| r.kind() == Kind::Call).unwrap();
        assert_eq!(
            first_call.date().date.map(|d| d.to_string()).as_deref(),
            Some("2012-04-07")
        );
    }

    #[test]
    fn a_missing_file_is_an_error_in_words() {
        let (_, result) = imported(&["no/such/file.log"]);
        assert!(
            result
                .unwrap_err()
                .to_string()
                .starts_with("cannot read tests/fixtures/no/such/file.log")
        );
    }

    #[test]
    fn exports_csv_json_and_xlsx() {
        let (store, _) = imported(&["appsuite/manual-examples-162.txt"]);
        let dir = tempfile::tempdir().unwrap();
        let snap = store.snapshot((0..store.len() as u32).rev());
        for format in ExportFormat::ALL {
            let path = dir.path().join(format!("day.{}", format.extension()));
            let (_, r) = finish(export(
                export::Exported::Records(store.snapshot(snap.iter().map(|r| r.id))),
                path.clone(),
                format,
                no_wake(),
            ));
            assert!(r.unwrap().starts_with("exported 20 records"));
            let bytes = std::fs::read(&path).unwrap();
            match format {
                ExportFormat::Csv => {
                    let text = String::from_utf8(bytes).unwrap();
                    let lines: Vec<&str> = text.lines().collect();
                    assert_eq!(lines.len(), 21);
                    assert!(lines[0].starts_with("format,kind,source,date"));
                    assert!(lines[1].starts_with("appsuite,event,"));
                }
                ExportFormat::Json => {
                    let text = String::from_utf8(bytes).unwrap();
                    let first: serde_json::Value =
                        serde_json::from_str(text.lines().next().unwrap()).unwrap();
                    assert_eq!(first["event"], "RINGING");
                    assert_eq!(first["call_id"], "2012030901204052070264");
                }
                ExportFormat::Xlsx => {
                    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                    let mut sheet = String::new();
                    zip.by_name("xl/worksheets/sheet1.xml")
                        .unwrap()
                        .read_to_string(&mut sheet)
                        .unwrap();
                    assert!(sheet.contains("DISCONNECTED") && sheet.contains("CHRIS R MOBILE"));
                    assert_eq!(sheet.matches("<row ").count(), 21);
                }
            }
        }
    }
}
