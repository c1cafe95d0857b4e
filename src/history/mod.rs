//! The history database: every record, unparsed line, call and connection gap of every site,
//! across days, in an embedded SQLite file (the default) or a shared PostgreSQL.
//!
//! - [`target`]: which database ([`Target`]), the URL with its password masked;
//! - [`schema`]: one schema, migrations for each engine, the version check;
//! - [`rows`]: what a write holds, and the way back to records and calls;
//! - [`files`]: the numbers of the files records come from, part of each record's id;
//! - [`query`]: filters and statistics in SQL both engines run;
//! - [`sqlite`], [`pg`]: the two engines behind [`HistoryStore`];
//! - [`ingest`]: records → rows and calls, raw day logs and saved files → the database, with a
//!   checkpoint per raw day log;
//! - [`writer`]: [`HistoryWriter`], the engine's side: its own thread, a bounded queue, never
//!   blocking the caller, catching up from the raw day logs.
//!
//! Query results are written out by `jobs::history_output` (it needs the export writers).
//!
//! The raw day logs stay the source of truth: the history can always be rebuilt from them.

pub mod browse;
pub mod browser;
pub mod files;
pub mod ingest;
pub mod pg;
pub mod query;
pub mod rows;
pub mod schema;
pub mod sqlite;
pub mod target;
pub mod writer;

use std::io;
use std::path::PathBuf;

use chrono::NaiveDate;

pub use ingest::{CatchUp, Ingest, SiteLogs, catch_up, import_file, rebuild};
pub use query::{RecordQuery, StatsBy, StatsRow};
pub use rows::{AlarmRow, Batch, CallRow, Checkpoint, StoredLine};
pub use target::{PgUrl, SslMode, Target};
pub use writer::{HistoryStatus, HistoryWriter, WriterOptions};

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("the history database {target} is not usable: {why}")]
    BadTarget { target: String, why: String },
    #[error("cannot read the settings {path}: {why}")]
    Settings { path: PathBuf, why: String },
    #[error(
        "the history database {target} is at schema version {found}, this program knows up to {}: upgrade SMDR Monitor",
        schema::VERSION
    )]
    TooNew { target: String, found: i64 },
    #[error("cannot create the folder of the history database {path}: {source}")]
    Folder { path: PathBuf, source: io::Error },
    #[error("the history database {target}: {what}: {source}")]
    Sqlite {
        target: String,
        what: &'static str,
        source: rusqlite::Error,
    },
    #[error("cannot reach the history database {target}: {source}")]
    Connect {
        target: String,
        source: postgres::Error,
    },
    #[error("the history database {target}: {what}: {source}")]
    Postgres {
        target: String,
        what: &'static str,
        source: postgres::Error,
    },
    #[error("cannot set up TLS for the history database {target}: {why}")]
    Tls { target: String, why: String },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write the output: {source}")]
    Output { source: io::Error },
    #[error("cannot start a thread to write the history: {source}")]
    Thread { source: io::Error },
}

impl HistoryError {
    /// Whether the database could not be reached or dropped the connection (worth retrying
    /// later), rather than refusing what was asked.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Connect { .. } => true,
            Self::Postgres { source, .. } => source.is_closed() || source.as_db_error().is_none(),
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, HistoryError>;

/// How many rows a prune removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    pub records: u64,
    pub unparsed: u64,
    pub calls: u64,
    pub spans: u64,
}

/// How many rows each table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub records: u64,
    pub unparsed: u64,
    pub calls: u64,
    pub spans: u64,
}

/// One schema, two engines: what every part of the program asks of a history database.
pub trait HistoryStore: Send {
    /// Where it is (password masked when shown).
    fn target(&self) -> &Target;

    /// Writes a batch in one transaction: records and unparsed lines are inserted unless their
    /// natural key is there already, calls are inserted or updated, checkpoints moved forward.
    /// Returns how many lines (records and unparsed) were new.
    fn write(&mut self, batch: &Batch) -> Result<u64>;

    /// Every raw day log's checkpoint.
    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>>;

    /// Records (and unparsed lines) matching `q`, in time order, handed to `f` one by one.
    fn records(
        &mut self,
        q: &RecordQuery,
        f: &mut dyn FnMut(&StoredLine) -> io::Result<()>,
    ) -> Result<u64>;

    /// Calls matching `q`, in start order.
    fn calls(
        &mut self,
        q: &RecordQuery,
        f: &mut dyn FnMut(&CallRow) -> io::Result<()>,
    ) -> Result<u64>;

    /// Figures per group over the calls matching `q`.
    fn stats(&mut self, q: &RecordQuery, by: StatsBy) -> Result<Vec<StatsRow>>;

    /// Connection spans `(site, from ms, to ms)` that overlap the days of `q`.
    fn spans(&mut self, q: &RecordQuery) -> Result<Vec<(String, i64, i64)>>;

    /// Removes everything of days before `before`.
    fn prune(&mut self, before: NaiveDate) -> Result<Pruned>;

    fn counts(&mut self) -> Result<Counts>;

    /// Adds an alarm unless it is there already; whether it was new.
    fn add_alarm(&mut self, alarm: &AlarmRow) -> Result<bool>;

    /// Runs a browse pass built by [`browse::ids_sql`]: each row's id (records positive,
    /// unparsed lines negative) and, with `whole`, the line itself.
    fn line_ids(
        &mut self,
        sql: &str,
        params: &[query::Param],
        whole: bool,
        f: &mut dyn FnMut(i64, Option<&StoredLine>) -> io::Result<()>,
    ) -> Result<u64>;

    /// The lines of `ids` of one table (unparsed lines or records), each with its
    /// [`browse::LineId`] number, in no particular order.
    fn lines_by_id(&mut self, unparsed: bool, ids: &[i64]) -> Result<Vec<(i64, StoredLine)>>;

    /// Every site the database has lines of, sorted.
    fn sites(&mut self) -> Result<Vec<String>>;
}

/// Opens (creating when needed) the history at `target` and brings its schema up to date. A
/// database written by a newer program is refused, untouched.
pub fn open(target: &Target) -> Result<Box<dyn HistoryStore>> {
    Ok(match target {
        Target::Embedded(path) => Box::new(sqlite::SqliteHistory::open(path)?),
        Target::Postgres(url) => Box::new(pg::PgHistory::open(url)?),
    })
}

/// Now, in Unix milliseconds (for `updated_at` columns).
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The first moment of `day` in local time, in Unix milliseconds (prune of spans).
pub(crate) fn local_midnight_ms(day: NaiveDate) -> i64 {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono::Local
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(
            || midnight.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

/// What a running program calls itself in `schema_version.program`.
pub(crate) const PROGRAM: &str = concat!("smdr-monitor ", env!("CARGO_PKG_VERSION"));
