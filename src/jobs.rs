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
    use crate::history::output::RecordOut;
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
                Ok(JobEvent::Rebuilt { store: s, .. }) => store = s,
                Ok(JobEvent::Finished(r)) => return (store, r),
                Ok(_) => {}
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

    /// Runs an import to its end: the store, the refusals and the summary.
    fn import_files(files: Vec<ImportFile>) -> (Store, Vec<Refusal>, Vec<u64>, String) {
        let rx = import_as(files, no_wake());
        let (mut store, mut refused, mut counts) = (Store::new(), Vec::new(), Vec::new());
        loop {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(JobEvent::Records(batch)) => store.append(batch),
                Ok(JobEvent::Refused(r)) => refused.push(r),
                Ok(JobEvent::Imported { records, .. }) => counts.push(records),
                Ok(JobEvent::Finished(r)) => return (store, refused, counts, r.unwrap()),
                Ok(_) => {}
                Err(e) => panic!("job did not finish: {e}"),
            }
        }
    }

    fn fixture(p: &str, anyway: bool) -> ImportFile {
        let path = PathBuf::from(format!("tests/fixtures/{p}"));
        ImportFile::named_after(path, DecodeOptions::default(), anyway)
    }

    #[test]
    fn a_file_without_smdr_is_refused_unless_asked() {
        let (store, refused, counts, summary) = import_files(vec![
            fixture("other/apt-history.log", false),
            fixture("mitel5000/axxess-8520-records.txt", false),
        ]);
        assert_eq!(
            refused,
            [Refusal {
                path: "tests/fixtures/other/apt-history.log".into(),
                why: Refused::NoSmdr
            }]
        );
        assert_eq!(counts, [7]);
        assert_eq!(store.len(), 7);
        assert!(
            summary.starts_with("imported 7 records from 1 file"),
            "{summary}"
        );
        let (store, refused, counts, _) =
            import_files(vec![fixture("other/apt-history.log", true)]);
        assert!(refused.is_empty());
        assert_eq!((store.len(), counts.as_slice()), (8, &[8][..]));
        assert!(store.iter().all(|r| r.kind() == Kind::Unparsed));
    }

    #[test]
    fn a_connection_log_is_not_imported_as_records() {
        let (store, refused, counts, summary) =
            import_files(vec![fixture("other/HQ.20261129.connection.log", true)]);
        assert_eq!(refused[0].why, Refused::ConnectionLog);
        assert!(
            refused[0]
                .to_string()
                .ends_with("HQ.20261129.connection.log is a connection log, not SMDR")
        );
        assert!(store.is_empty() && counts.is_empty());
        assert_eq!(summary, "nothing imported");
    }

    #[test]
    fn a_file_is_opened_once_and_closing_it_forgets_it() {
        let mut open = OpenFiles::default();
        let options = DecodeOptions::default();
        let axxess = PathBuf::from("tests/fixtures/mitel5000/axxess-8520-records.txt");
        let (take, refused) = open.claim(vec![axxess.clone()], &options, false);
        assert_eq!(take.len(), 1);
        assert!(refused.is_empty());
        assert_eq!(open.list().count(), 0, "listed once imported");
        open.imported(&take[0].origin(), 7);
        // The same file by another path, and twice in one request.
        let again = PathBuf::from("tests/fixtures/mitel5000/../mitel5000/axxess-8520-records.txt");
        let seed = PathBuf::from("tests/fixtures/mitel5000/seed-debug-output.txt");
        let (take, refused) = open.claim(
            vec![again.clone(), seed.clone(), seed.clone()],
            &options,
            false,
        );
        assert_eq!(
            take.iter().map(|f| f.path.as_path()).collect::<Vec<_>>(),
            [seed.as_path()]
        );
        assert_eq!(
            refused.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                format!("already open: {}", again.display()),
                format!("already open: {}", seed.display())
            ]
        );
        open.release(&seed);
        let closed = open.close(&axxess.display().to_string()).unwrap();
        assert_eq!(closed.records, Some(7));
        assert_eq!(open.list().count(), 0);
        let (take, _) = open.claim(vec![axxess, seed], &options, false);
        assert_eq!(take.len(), 2, "closed and released files open again");
    }

    #[test]
    fn closing_a_file_rebuilds_the_store_without_its_rows() {
        let (store, _, _, _) = import_files(vec![
            fixture("mitel5000/axxess-8520-records.txt", false),
            fixture("appsuite/manual-examples-162.txt", false),
        ]);
        let all = store.len();
        let site: Arc<str> = "axxess-8520-records.txt".into();
        let origin: Arc<str> = "tests/fixtures/mitel5000/axxess-8520-records.txt".into();
        let (rebuilt, r) = finish(close_file(store, site, origin, no_wake()));
        assert_eq!(
            r.unwrap(),
            "closed tests/fixtures/mitel5000/axxess-8520-records.txt: 7 records removed"
        );
        assert_eq!(rebuilt.len(), all - 7);
        assert_eq!(
            rebuilt.sites().iter().map(|s| &**s).collect::<Vec<_>>(),
            ["manual-examples-162.txt"]
        );
        assert!(rebuilt.iter().all(|r| r.kind() == Kind::Event));
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
                    assert!(lines[0].starts_with("site,format,kind,source,date"));
                    assert!(lines[1].starts_with("manual-examples-162.txt,appsuite,event,"));
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

    #[test]
    fn the_history_tab_result_exports_page_by_page() {
        use crate::history::browse::{Browse, find_ids};
        use crate::history::ingest::{Ingest, import_file};
        let dir = tempfile::tempdir().unwrap();
        let target = crate::history::Target::Embedded(dir.path().join("h.sqlite3"));
        let mut store = crate::history::open(&target).unwrap();
        let path = Path::new("tests/fixtures/mitel5000/axxess-8520-records.txt");
        let mut ingest = Ingest::new(chrono::Duration::minutes(30));
        import_file(
            store.as_mut(),
            &mut ingest,
            path,
            &"HQ".into(),
            &DecodeOptions::default(),
        )
        .unwrap();
        let ids: Arc<[_]> = find_ids(store.as_mut(), &Browse::default(), &mut |_| {})
            .unwrap()
            .into();
        assert_eq!(ids.len(), 7);
        for format in ExportFormat::ALL {
            let out = dir.path().join(format!("h.{}", format.extension()));
            let rx = export_history(target.clone(), ids.clone(), out.clone(), format, no_wake());
            let (_, result) = finish(rx);
            assert!(
                result
                    .unwrap()
                    .starts_with("exported 7 records from the history")
            );
            let bytes = std::fs::read(&out).unwrap();
            match format {
                ExportFormat::Csv => {
                    let text = String::from_utf8(bytes).unwrap();
                    assert_eq!(text.lines().count(), 8);
                    assert!(text.starts_with("site,received_at,format,kind,"), "{text}");
                    assert!(text.lines().nth(1).unwrap().starts_with("HQ,,mitel5000,"));
                }
                ExportFormat::Json => {
                    let text = String::from_utf8(bytes).unwrap();
                    let first: serde_json::Value =
                        serde_json::from_str(text.lines().next().unwrap()).unwrap();
                    assert_eq!(first["site"], "HQ");
                    assert_eq!(first["format"], "mitel5000");
                }
                ExportFormat::Xlsx => {
                    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                    let mut sheet = String::new();
                    zip.by_name("xl/worksheets/sheet1.xml")
                        .unwrap()
                        .read_to_string(&mut sheet)
                        .unwrap();
                    assert_eq!(sheet.matches("<row ").count(), 8);
                    assert!(sheet.contains("952-474-1742"));
                }
            }
        }
    }
}
