//! Long file work off the UI thread: importing saved logs and exporting records or calls. Each
//! job runs on a named thread and reports progress; the window polls the receiver.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use crate::export;
use crate::import::{self, FileId, Refusal, Refused};
use crate::protocol::{DecodeOptions, StreamDecoder};
use crate::store::Store;
use crate::wake::Wake;

pub mod history_output;

pub use crate::export::ExportFormat;

/// Records per imported batch: big enough to be cheap, small enough to show progress live.
const BATCH: usize = 50_000;

/// What a job tells the window.
pub enum JobEvent {
    /// Work done so far, of `total` (bytes for imports, rows for exports).
    Progress { done: u64, total: u64 },
    /// A batch of imported records, in file order, ready to [`Store::append`].
    Records(Store),
    /// A file imported whole: its rows are the ones from `origin` under `site`.
    Imported {
        site: Arc<str>,
        origin: Arc<str>,
        records: u64,
    },
    /// A file not imported, and why.
    Refused(Refusal),
    /// A file not imported because the job stopped before it (its error follows).
    NotImported(PathBuf),
    /// The store rebuilt without a closed file's rows, from rows `0..upto` of the store it was
    /// given (rows that arrived since are still to be added).
    Rebuilt { store: Store, upto: usize },
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
            Self::Imported {
                origin, records, ..
            } => write!(f, "Imported({origin}: {records})"),
            Self::Refused(r) => write!(f, "Refused({r})"),
            Self::NotImported(p) => write!(f, "NotImported({})", p.display()),
            Self::Rebuilt { store, upto } => write!(f, "Rebuilt({}/{upto})", store.len()),
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
    /// Imported even when not one line of it is SMDR (the user asked for it).
    pub anyway: bool,
}

impl ImportFile {
    /// A file shown as a source named after it.
    pub fn named_after(path: PathBuf, options: DecodeOptions, anyway: bool) -> Self {
        Self {
            site: file_name(&path).into(),
            path,
            options,
            anyway,
        }
    }

    /// The name its rows carry as their origin.
    pub fn origin(&self) -> Arc<str> {
        origin_of(&self.path)
    }
}

fn origin_of(path: &Path) -> Arc<str> {
    path.display().to_string().into()
}

/// Imports saved logs (raw day logs, seed-script logs, captures) as an offline source named
/// after each file.
pub fn import(files: Vec<PathBuf>, options: DecodeOptions, wake: Wake) -> Receiver<JobEvent> {
    let files = files
        .into_iter()
        .map(|path| ImportFile::named_after(path, options.clone(), false))
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
        let (mut done_bytes, mut records, mut unparsed, mut imported) = (0u64, 0u64, 0u64, 0);
        for (i, file) in files.iter().enumerate() {
            let path = &file.path;
            if import::is_connection_log(path) {
                rep.send(JobEvent::Refused(Refusal {
                    path: path.clone(),
                    why: Refused::ConnectionLog,
                }));
                done_bytes += std::fs::metadata(path).map_or(0, |m| m.len());
                continue;
            }
            let data = match std::fs::read(path) {
                Ok(data) => data,
                Err(e) => {
                    for rest in &files[i..] {
                        rep.send(JobEvent::NotImported(rest.path.clone()));
                    }
                    return Err(JobError::Read {
                        path: path.clone(),
                        source: e,
                    });
                }
            };
            let origin = file.origin();
            let mut decoder = StreamDecoder::new(file.options.clone());
            let mut batch = Store::new();
            let (mut sent_before, mut unparsed_sent) = (0u64, 0u64);
            // Rows are held back until the file shows one line of SMDR: a file without any is
            // not imported unless asked.
            let (mut smdr, mut looked) = (file.anyway, 0usize);
            import::into_store(
                &data,
                &origin,
                &file.site,
                &mut decoder,
                &mut batch,
                |store, consumed| {
                    if !smdr {
                        smdr = (looked..store.len()).any(|id| {
                            store
                                .get(id as u32)
                                .is_some_and(|r| r.kind() != crate::protocol::Kind::Unparsed)
                        });
                        looked = store.len();
                    }
                    if smdr && store.len() >= BATCH {
                        sent_before += store.len() as u64;
                        unparsed_sent += unparsed_in(store);
                        rep.send(JobEvent::Records(std::mem::take(store)));
                        looked = 0;
                    }
                    rep.progress(done_bytes + consumed.min(data.len() as u64), total);
                },
            );
            done_bytes += data.len() as u64;
            if !smdr {
                rep.send(JobEvent::Refused(Refusal {
                    path: path.clone(),
                    why: Refused::NoSmdr,
                }));
                continue;
            }
            let in_file = sent_before + batch.len() as u64;
            unparsed += unparsed_sent + unparsed_in(&batch);
            rep.send(JobEvent::Records(batch));
            rep.send(JobEvent::Imported {
                site: file.site.clone(),
                origin,
                records: in_file,
            });
            records += in_file;
            imported += 1;
        }
        rep.progress(total, total);
        if imported == 0 {
            return Ok("nothing imported".to_string());
        }
        let files_word = if imported == 1 { "file" } else { "files" };
        Ok(format!(
            "imported {records} records from {imported} {files_word}, {unparsed} of them not decoded"
        ))
    })
}

/// Rebuilds `store` (a snapshot of the window's, rows `0..upto`) without the rows of one
/// imported file, off the UI thread.
pub fn close_file(
    store: Store,
    site: Arc<str>,
    origin: Arc<str>,
    wake: Wake,
) -> Receiver<JobEvent> {
    spawn("smdr-close", wake, move |rep| {
        let upto = store.len();
        let rebuilt = store.filtered(0, |r| !is_of(r, &site, &origin));
        let removed = upto - rebuilt.len();
        rep.send(JobEvent::Rebuilt {
            store: rebuilt,
            upto,
        });
        Ok(format!("closed {origin}: {removed} records removed"))
    })
}

/// The record came from the imported file `origin`, shown as `site`.
pub fn is_of(r: &crate::store::RecordRef<'_>, site: &str, origin: &str) -> bool {
    &**r.site() == site && *r.source().origin == *origin
}

/// One file opened in the window (File › Open log…).
#[derive(Debug, Clone)]
pub struct OpenFile {
    pub id: FileId,
    pub path: PathBuf,
    pub site: Arc<str>,
    pub origin: Arc<str>,
    /// Records imported; `None` while its import runs.
    pub records: Option<u64>,
}

/// The files opened in the window: a file is opened once; closing one removes its rows.
#[derive(Debug, Default)]
pub struct OpenFiles {
    files: Vec<OpenFile>,
}

impl OpenFiles {
    /// Takes the files not open yet (once each) for import, and says why the others are not.
    /// A file that cannot be read is passed on: the import says why.
    pub fn claim(
        &mut self,
        paths: Vec<PathBuf>,
        options: &DecodeOptions,
        anyway: bool,
    ) -> (Vec<ImportFile>, Vec<Refusal>) {
        let (mut take, mut refused) = (Vec::new(), Vec::new());
        for path in paths {
            let Ok(id) = FileId::of(&path) else {
                take.push(ImportFile::named_after(path, options.clone(), anyway));
                continue;
            };
            if let Some(open) = self.files.iter().find(|f| f.id.canonical == id.canonical) {
                refused.push(Refusal {
                    path,
                    why: Refused::AlreadyOpen {
                        changed: !open.id.unchanged(&id),
                    },
                });
                continue;
            }
            let file = ImportFile::named_after(path, options.clone(), anyway);
            self.files.push(OpenFile {
                id,
                path: file.path.clone(),
                site: file.site.clone(),
                origin: file.origin(),
                records: None,
            });
            take.push(file);
        }
        (take, refused)
    }

    /// The import of `origin` ended with `records` rows.
    pub fn imported(&mut self, origin: &str, records: u64) {
        if let Some(f) = self.files.iter_mut().find(|f| &*f.origin == origin) {
            f.records = Some(records);
        }
    }

    /// A claimed file was not imported after all (refused, or its import failed).
    pub fn release(&mut self, path: &Path) {
        self.files.retain(|f| f.path != path);
    }

    /// Files whose import is still running are released (the job ended without them).
    pub fn release_unfinished(&mut self) {
        self.files.retain(|f| f.records.is_some());
    }

    /// Forgets `origin`; returns it to have its rows removed.
    pub fn close(&mut self, origin: &str) -> Option<OpenFile> {
        let i = self.files.iter().position(|f| &*f.origin == origin)?;
        Some(self.files.remove(i))
    }

    /// The files imported, in the order they were opened.
    pub fn list(&self) -> impl Iterator<Item = &OpenFile> {
        self.files.iter().filter(|f| f.records.is_some())
    }
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

/// The History tab's columns: `site` and `received_at`, then a record's (as `history query`).
static HISTORY_COLUMNS: std::sync::LazyLock<&'static [&'static str]> =
    std::sync::LazyLock::new(|| {
        let mut c = vec!["site", "received_at"];
        c.extend(crate::protocol::fields::RECORD_COLUMNS);
        Vec::leak(c)
    });

/// Writes the History tab's result (`ids`, in order) from the database at `target` to `path`,
/// a page at a time: CSV and JSON lines as `history query` writes them, XLSX with the same
/// columns.
pub fn export_history(
    target: crate::history::Target,
    ids: Arc<[crate::history::browse::LineId]>,
    path: PathBuf,
    format: ExportFormat,
    wake: Wake,
) -> Receiver<JobEvent> {
    use crate::history::browse::read_lines;
    use history_output::RecordOut;
    spawn("smdr-export", wake, move |rep| {
        let history_err = |e: crate::history::HistoryError| {
            JobError::Export(export::ExportError::Io {
                path: path.clone(),
                source: std::io::Error::other(e.to_string()),
            })
        };
        let io_err = |source| {
            JobError::Export(export::ExportError::Io {
                path: path.clone(),
                source,
            })
        };
        let mut store = crate::history::open(&target).map_err(history_err)?;
        let total = ids.len() as u64;
        let mut done = 0u64;
        match format.text() {
            Some(text) => {
                let file = std::fs::File::create(&path).map_err(io_err)?;
                let mut w = RecordOut::new(std::io::BufWriter::new(file), text);
                for chunk in ids.chunks(crate::history::browser::PAGE) {
                    for line in read_lines(store.as_mut(), chunk).map_err(history_err)? {
                        w.write(&line).map_err(io_err)?;
                    }
                    done += chunk.len() as u64;
                    rep.progress(done, total);
                }
                w.finish().map_err(io_err)?;
            }
            None => {
                let xlsx_err = |source| {
                    JobError::Export(export::ExportError::Xlsx {
                        path: path.clone(),
                        source,
                    })
                };
                let mut w = export::xlsx::XlsxWriter::new("history", &HISTORY_COLUMNS);
                for chunk in ids.chunks(crate::history::browser::PAGE) {
                    for line in read_lines(store.as_mut(), chunk).map_err(history_err)? {
                        let d = line.decode();
                        let source = crate::protocol::Source {
                            origin: line.source.as_str().into(),
                            line: u64::try_from(line.line).unwrap_or(0),
                        };
                        let received = line
                            .received()
                            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false));
                        let mut cells = vec![
                            (0, crate::protocol::fields::Value::Str(&line.site)),
                            (
                                1,
                                received
                                    .as_deref()
                                    .map_or(crate::protocol::fields::Value::Null, |r| {
                                        crate::protocol::fields::Value::Str(r)
                                    }),
                            ),
                        ];
                        crate::protocol::fields::visit_fields(&d, &source, |name, v| {
                            if let Some(i) = HISTORY_COLUMNS.iter().skip(2).position(|c| *c == name)
                            {
                                cells.push((i + 2, v));
                            }
                        });
                        w.write_row(cells).map_err(xlsx_err)?;
                    }
                    done += chunk.len() as u64;
                    rep.progress(done, total);
                }
                w.save(&path).map_err(xlsx_err)?;
            }
        }
        rep.progress(total, total);
        Ok(format!(
            "exported {total} records from the history to {}",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests;
