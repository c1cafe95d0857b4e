//! The embedded engine: one SQLite file (bundled SQLite, nothing to install), WAL mode so a
//! window can read while a writer writes.

use std::io;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::types::{ToSql, ToSqlOutput};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::files::{self, FileIds, FileStep};
use super::query::{self, Param, RecordQuery, StatsBy, StatsFold, StatsRow};
use super::rows::{AlarmRow, Batch, CallRow, Checkpoint, StoredLine};
use super::{Counts, HistoryError, HistoryStore, Pruned, Result, Target, schema};

pub struct SqliteHistory {
    target: Target,
    shown: String,
    conn: Connection,
    files: FileIds,
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Param::Text(s) => s.to_sql(),
            Param::Int(n) => n.to_sql(),
        }
    }
}

impl SqliteHistory {
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| HistoryError::Folder {
                path: dir.into(),
                source,
            })?;
        }
        let target = Target::Embedded(path.into());
        let shown = target.to_string();
        let err = |what| {
            let shown = shown.clone();
            move |source| HistoryError::Sqlite {
                target: shown,
                what,
                source,
            }
        };
        let conn = Connection::open(path).map_err(err("cannot open it"))?;
        // Another process (a window beside `collect`) may hold the write lock for a moment.
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(err("cannot set it up"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err("cannot switch it to WAL mode"))?;
        // WAL with NORMAL: a power cut may lose the last transactions, never corrupt; the raw
        // day logs have them and the checkpoints say where to catch up.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err("cannot set it up"))?;
        // 64 MB of page cache (the default is 2 MB): index pages of a busy history stay in
        // memory while a batch goes in.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(err("cannot set it up"))?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(err("cannot set it up"))?;
        // A checkpoint (the WAL copied into the file, with two fsyncs) every 64 MB of WAL
        // rather than every 4 MB: a rebuild of the bench's 3 million records waited on the
        // disk some 1,300 times, and pages changed by several transactions in between are
        // copied once.
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)
            .map_err(err("cannot set it up"))?;
        let mut h = Self {
            target,
            shown,
            conn,
            files: FileIds::default(),
        };
        h.migrate()?;
        Ok(h)
    }

    fn err(&self, what: &'static str) -> impl FnOnce(rusqlite::Error) -> HistoryError + use<> {
        let target = self.shown.clone();
        move |source| HistoryError::Sqlite {
            target,
            what,
            source,
        }
    }

    /// The schema version the file is at (0: new).
    pub fn version(&self) -> Result<i64> {
        self.conn
            .execute_batch(schema::VERSION_TABLE)
            .map_err(self.err("cannot read its schema version"))?;
        self.conn
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                [],
                |r| r.get(0),
            )
            .map_err(self.err("cannot read its schema version"))
    }

    /// The id of each record of `batch`, numbering new files first (in their own
    /// transactions: a number once given stays, whatever becomes of the batch).
    fn record_ids(&mut self, batch: &Batch) -> rusqlite::Result<Vec<i64>> {
        let conn = &self.conn;
        self.files.number(&batch.records, |step, site, origin| {
            let look_up = || conn.query_row(files::FILE_ID, params![site, origin], |r| r.get(0));
            match step {
                FileStep::LookUp => look_up().optional(),
                FileStep::LastLookUp => look_up().map(Some),
                FileStep::Give => conn
                    .execute(files::ENSURE_FILE, params![site, origin])
                    .map(|_| None),
            }
        })
    }

    /// Runs `f` over every row of `sql`, streamed, until it says stop with an output error
    /// (`f`'s outer result is the database's, its inner one the output's).
    fn each_row(
        &mut self,
        sql: &str,
        params: &[Param],
        what: &'static str,
        mut f: impl FnMut(&Row<'_>) -> rusqlite::Result<io::Result<()>>,
    ) -> Result<u64> {
        let mut out = Ok(());
        let n = (|| {
            let mut st = self.conn.prepare(sql)?;
            let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
            let mut n = 0;
            while let Some(row) = rows.next()? {
                n += 1;
                if let Err(e) = f(row)? {
                    out = Err(e);
                    break;
                }
            }
            Ok(n)
        })()
        .map_err(self.err(what))?;
        out.map_err(|source| HistoryError::Output { source })?;
        Ok(n)
    }

    fn migrate(&mut self) -> Result<()> {
        let err = self.err("cannot bring its schema up to date");
        let result = (|| -> rusqlite::Result<std::result::Result<(), i64>> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(schema::VERSION_TABLE)?;
            let found: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                [],
                |r| r.get(0),
            )?;
            if found > schema::VERSION {
                return Ok(Err(found));
            }
            for (i, sql) in schema::migrations(schema::Dialect::Sqlite)
                .iter()
                .enumerate()
                .skip(found as usize)
            {
                tx.execute_batch(sql)?;
                tx.execute(
                    "INSERT INTO schema_version (version, applied_at, program) VALUES (?, ?, ?)",
                    params![i as i64 + 1, super::now_ms(), super::PROGRAM],
                )?;
            }
            tx.commit()?;
            Ok(Ok(()))
        })()
        .map_err(err)?;
        result.or_else(|found| schema::check(found, &self.shown))
    }
}

fn stored_line(r: &Row<'_>) -> rusqlite::Result<StoredLine> {
    Ok(StoredLine {
        site: r.get(0)?,
        origin: r.get(1)?,
        line: r.get(2)?,
        source: r.get(3)?,
        received_at: r.get(4)?,
        utc_offset_s: r.get(5)?,
        format: r.get(6)?,
        record_date: r.get(7)?,
        date_source: r.get(8)?,
        padding: r.get(9)?,
        raw: r.get(10)?,
        reason: r.get(11)?,
    })
}

fn call_row(r: &Row<'_>) -> rusqlite::Result<CallRow> {
    Ok(CallRow {
        site: r.get::<_, String>(0)?.into(),
        call_key: r.get(1)?,
        format: r.get(2)?,
        call_id: r.get(3)?,
        start: r.get(4)?,
        day: r.get(5)?,
        hour: r.get(6)?,
        end: r.get(7)?,
        direction: r.get(8)?,
        number: r.get(9)?,
        contact_name: r.get(10)?,
        ddi: r.get(11)?,
        trunk: r.get(12)?,
        outcome: r.get(13)?,
        answered_by: r.get(14)?,
        time_to_answer_s: r.get(15)?,
        wait_s: r.get(16)?,
        talk_s: r.get(17)?,
        hold_s: r.get(18)?,
        queued_s: r.get(19)?,
        transfers: r.get(20)?,
        diversions: r.get(21)?,
        path: r.get(22)?,
        events: r.get(23)?,
    })
}

const INSERT_RECORD: &str = "INSERT INTO records (id, site, origin, line, source, received_at, \
     utc_offset_s, day, format, kind, record_date, date_source, at, direction, what, extension, \
     trunk, number, duration_s, call_id, padding, raw, bytes) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT DO NOTHING";

const INSERT_UNPARSED: &str = "INSERT INTO unparsed (site, origin, line, source, received_at, \
     utc_offset_s, day, format, reason, problem, padding, raw, bytes) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

/// Inserts a call or replaces what changed.
const UPSERT_CALL: &str = "INSERT INTO calls (site, call_key, format, call_id, start, day, \
     hour, end_at, direction, number, contact_name, ddi, trunk, outcome, answered_by, \
     time_to_answer_s, wait_s, talk_s, hold_s, queued_s, transfers, diversions, path, events, \
     updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT (site, call_key) DO UPDATE SET format = excluded.format, \
     call_id = excluded.call_id, start = excluded.start, day = excluded.day, \
     hour = excluded.hour, end_at = excluded.end_at, direction = excluded.direction, \
     number = excluded.number, contact_name = excluded.contact_name, ddi = excluded.ddi, \
     trunk = excluded.trunk, outcome = excluded.outcome, answered_by = excluded.answered_by, \
     time_to_answer_s = excluded.time_to_answer_s, wait_s = excluded.wait_s, \
     talk_s = excluded.talk_s, hold_s = excluded.hold_s, queued_s = excluded.queued_s, \
     transfers = excluded.transfers, diversions = excluded.diversions, path = excluded.path, \
     events = excluded.events, updated_at = excluded.updated_at";

/// A span already there grows to the later end.
pub const UPSERT_SPAN: &str = "INSERT INTO connection_spans (site, from_at, to_at) \
     VALUES (?, ?, ?) ON CONFLICT (site, from_at) DO UPDATE SET \
     to_at = CASE WHEN excluded.to_at > connection_spans.to_at THEN excluded.to_at \
     ELSE connection_spans.to_at END";

/// A checkpoint only moves forward.
pub const UPSERT_CHECKPOINT: &str = "INSERT INTO checkpoints (site, file, line, read_to, \
     read_to_line, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site, file) DO UPDATE SET \
     line = CASE WHEN excluded.line > checkpoints.line THEN excluded.line \
     ELSE checkpoints.line END, \
     read_to_line = CASE WHEN excluded.read_to > checkpoints.read_to \
     THEN excluded.read_to_line ELSE checkpoints.read_to_line END, \
     read_to = CASE WHEN excluded.read_to > checkpoints.read_to THEN excluded.read_to \
     ELSE checkpoints.read_to END, updated_at = excluded.updated_at";

impl HistoryStore for SqliteHistory {
    fn target(&self) -> &Target {
        &self.target
    }

    fn write(&mut self, batch: &Batch) -> Result<u64> {
        let err = self.err("cannot write to it");
        let now = super::now_ms();
        let ids = self
            .record_ids(batch)
            .map_err(self.err("cannot number its files"))?;
        (|| -> rusqlite::Result<u64> {
            let mut new = 0;
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut st = tx.prepare_cached(INSERT_RECORD)?;
                for (r, id) in batch.records.iter().zip(ids) {
                    new += st.execute(params![
                        id,
                        &*r.site,
                        &*r.origin,
                        r.line,
                        &*r.source,
                        r.received_at,
                        r.utc_offset_s,
                        r.day,
                        r.format,
                        r.kind,
                        r.record_date,
                        r.date_source,
                        r.at,
                        r.direction,
                        r.what,
                        r.extension,
                        r.trunk,
                        r.number,
                        r.duration_s,
                        r.call_id,
                        r.padding,
                        r.raw,
                        r.bytes,
                    ])?;
                }
                let mut st = tx.prepare_cached(INSERT_UNPARSED)?;
                for u in &batch.unparsed {
                    new += st.execute(params![
                        &*u.site,
                        &*u.origin,
                        u.line,
                        &*u.source,
                        u.received_at,
                        u.utc_offset_s,
                        u.day,
                        u.format,
                        u.reason,
                        i64::from(u.problem),
                        u.padding,
                        u.raw,
                        u.bytes,
                    ])?;
                }
                let mut st = tx.prepare_cached(UPSERT_CALL)?;
                for c in &batch.calls {
                    st.execute(params![
                        &*c.site,
                        c.call_key,
                        c.format,
                        c.call_id,
                        c.start,
                        c.day,
                        c.hour,
                        c.end,
                        c.direction,
                        c.number,
                        c.contact_name,
                        c.ddi,
                        c.trunk,
                        c.outcome,
                        c.answered_by,
                        c.time_to_answer_s,
                        c.wait_s,
                        c.talk_s,
                        c.hold_s,
                        c.queued_s,
                        c.transfers,
                        c.diversions,
                        c.path,
                        c.events,
                        now,
                    ])?;
                }
                let mut st = tx.prepare_cached(UPSERT_SPAN)?;
                for (site, from, to) in &batch.spans {
                    st.execute(params![&**site, from, to])?;
                }
                let mut st = tx.prepare_cached(UPSERT_CHECKPOINT)?;
                for c in &batch.checkpoints {
                    st.execute(params![
                        &*c.site,
                        c.file,
                        c.line,
                        c.read_to,
                        c.read_to_line,
                        now
                    ])?;
                }
            }
            tx.commit()?;
            Ok(new as u64)
        })()
        .map_err(err)
    }

    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>> {
        let err = self.err("cannot read its checkpoints");
        (|| {
            let mut st = self.conn.prepare_cached(
                "SELECT site, file, line, read_to, read_to_line FROM checkpoints",
            )?;
            let rows = st.query_map([], |r| {
                Ok(Checkpoint {
                    site: r.get::<_, String>(0)?.into(),
                    file: r.get(1)?,
                    line: r.get(2)?,
                    read_to: r.get(3)?,
                    read_to_line: r.get(4)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })()
        .map_err(err)
    }

    fn records(
        &mut self,
        q: &RecordQuery,
        f: &mut dyn FnMut(&StoredLine) -> io::Result<()>,
    ) -> Result<u64> {
        let (sql, params) = query::records_sql(q);
        self.each_row(&sql, &params, "cannot read records from it", |row| {
            Ok(f(&stored_line(row)?))
        })
    }

    fn calls(
        &mut self,
        q: &RecordQuery,
        f: &mut dyn FnMut(&CallRow) -> io::Result<()>,
    ) -> Result<u64> {
        let (sql, params) = query::calls_sql(q);
        self.each_row(&sql, &params, "cannot read calls from it", |row| {
            Ok(f(&call_row(row)?))
        })
    }

    fn stats(&mut self, q: &RecordQuery, by: StatsBy) -> Result<Vec<StatsRow>> {
        let (sql, params) = query::stats_sql(q, by);
        let err = self.err("cannot compute statistics from it");
        (|| {
            let mut st = self.conn.prepare(&sql)?;
            let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
            let mut fold = StatsFold::default();
            while let Some(r) = rows.next()? {
                fold.push(
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get_ref(1)?.as_str()?,
                    r.get_ref(2)?.as_str()?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                );
            }
            Ok(fold.finish())
        })()
        .map_err(err)
    }

    fn spans(&mut self, q: &RecordQuery) -> Result<Vec<(String, i64, i64)>> {
        let (sql, params) = query::spans_sql(q);
        let err = self.err("cannot read connection spans from it");
        (|| {
            let mut st = self.conn.prepare(&sql)?;
            st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })()
        .map_err(err)
    }

    fn prune(&mut self, before: NaiveDate) -> Result<Pruned> {
        let day = before.format("%Y-%m-%d").to_string();
        let ms = super::local_midnight_ms(before);
        let err = self.err("cannot prune it");
        (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let p = Pruned {
                records: tx.execute("DELETE FROM records WHERE day < ?", [&day])? as u64,
                unparsed: tx.execute("DELETE FROM unparsed WHERE day < ?", [&day])? as u64,
                calls: tx.execute("DELETE FROM calls WHERE day < ?", [&day])? as u64,
                spans: tx.execute("DELETE FROM connection_spans WHERE to_at < ?", [ms])? as u64,
            };
            tx.commit()?;
            Ok(p)
        })()
        .map_err(err)
    }

    fn counts(&mut self) -> Result<Counts> {
        let err = self.err("cannot count its rows");
        let count = |table: &str| -> rusqlite::Result<u64> {
            self.conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .optional()
                .map(|n| n.unwrap_or(0) as u64)
        };
        (|| {
            Ok(Counts {
                records: count("records")?,
                unparsed: count("unparsed")?,
                calls: count("calls")?,
                spans: count("connection_spans")?,
            })
        })()
        .map_err(err)
    }

    fn add_alarm(&mut self, a: &AlarmRow) -> Result<bool> {
        let err = self.err("cannot write an alarm to it");
        self.conn
            .execute(
                "INSERT INTO alarms (at_ms, utc_offset_s, day, site, rule, severity, text, \
                 record_received_at, record_raw, call_id, test) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING",
                params![
                    a.at_ms,
                    a.utc_offset_s,
                    a.day,
                    a.site,
                    a.rule,
                    a.severity,
                    a.text,
                    a.record_received_at,
                    a.record_raw,
                    a.call_id,
                    i64::from(a.test),
                ],
            )
            .map(|n| n > 0)
            .map_err(err)
    }

    fn line_ids(
        &mut self,
        sql: &str,
        params: &[Param],
        whole: bool,
        f: &mut dyn FnMut(i64, Option<&StoredLine>) -> io::Result<()>,
    ) -> Result<u64> {
        self.each_row(sql, params, "cannot read records from it", |row| {
            Ok(if whole {
                f(row.get(12)?, Some(&stored_line(row)?))
            } else {
                f(row.get(0)?, None)
            })
        })
    }

    fn lines_by_id(&mut self, unparsed: bool, ids: &[i64]) -> Result<Vec<(i64, StoredLine)>> {
        let sql = super::browse::by_id_sql(unparsed, ids.len());
        let err = self.err("cannot read records from it");
        (|| {
            let mut st = self.conn.prepare(&sql)?;
            st.query_map(rusqlite::params_from_iter(ids.iter()), |r| {
                Ok((r.get(12)?, stored_line(r)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })()
        .map_err(err)
    }

    fn sites(&mut self) -> Result<Vec<String>> {
        let err = self.err("cannot read its sites");
        (|| {
            let mut st = self.conn.prepare(super::browse::SITES_SQL)?;
            st.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })()
        .map_err(err)
    }
}
