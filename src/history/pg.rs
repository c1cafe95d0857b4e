//! The shared engine: PostgreSQL through the synchronous `postgres` client (it runs its own
//! small runtime, so callers use it from a plain named thread). TLS through the OS's stack:
//! `sslmode=require` encrypts without checking the certificate, as libpq does; `verify-ca` and
//! `verify-full` check it (against `sslrootcert` when given, else the system's authorities).
//!
//! Rows go in one statement per table per batch: records by binary `COPY` ([`copy`]), falling
//! back to `INSERT … SELECT * FROM UNNEST($1, $2, …) ON CONFLICT DO NOTHING` when some are
//! there already, as the other tables always do: a round trip per batch rather than per row.

use std::borrow::Cow;
use std::io;

use chrono::NaiveDate;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, Row, Statement};

use super::files::{self, FileIds, FileStep};
use super::query::{self, Param, RecordQuery, StatsBy, StatsFold, StatsRow, numbered};
use super::rows::{AlarmRow, Batch, CallRow, Checkpoint, StoredLine};
use super::sqlite::{UPSERT_CHECKPOINT, UPSERT_SPAN};
use super::target::PgUrl;
use super::{Counts, HistoryError, HistoryStore, Pruned, Result, Target};

mod connect;
mod copy;
mod rows;

use connect::{connector, migrate};

use rows::{call_nul_free, call_row, nul_free, stored_line, with_nul};

pub struct PgHistory {
    target: Target,
    shown: String,
    client: Client,
    statements: Statements,
    /// The last batch's records met some already there: the next goes the `INSERT` road
    /// straight away (a replay would waste a `COPY` per batch).
    copy_conflicted: bool,
    files: FileIds,
}

struct Statements {
    records: Statement,
    unparsed: Statement,
    calls: Statement,
    span: Statement,
    checkpoint: Statement,
}

const INSERT_RECORDS: &str = "INSERT INTO records (id, site, origin, line, source, \
     received_at, utc_offset_s, day, format, kind, record_date, date_source, at, direction, what, \
     extension, trunk, number, duration_s, call_id, padding, raw, bytes) \
     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], \
     $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], \
     $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::bigint[], \
     $20::text[], $21::text[], $22::text[], $23::bytea[]) ON CONFLICT DO NOTHING";

const INSERT_UNPARSED: &str = "INSERT INTO unparsed (site, origin, line, source, received_at, \
     utc_offset_s, day, format, reason, problem, padding, raw, bytes) \
     SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], \
     $6::bigint[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], \
     $13::bytea[]) ON CONFLICT DO NOTHING";

/// Calls of a batch (each once: the batch holds a call's latest state only).
const UPSERT_CALLS: &str = "INSERT INTO calls (site, call_key, format, call_id, start, day, \
     hour, end_at, direction, number, contact_name, ddi, trunk, outcome, answered_by, \
     time_to_answer_s, wait_s, talk_s, hold_s, queued_s, transfers, diversions, path, events, \
     updated_at) SELECT *, $25::bigint FROM UNNEST($1::text[], $2::text[], $3::text[], \
     $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], \
     $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[], \
     $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[], \
     $23::text[], $24::text[]) ON CONFLICT (site, call_key) DO UPDATE SET \
     format = excluded.format, call_id = excluded.call_id, start = excluded.start, \
     day = excluded.day, hour = excluded.hour, end_at = excluded.end_at, \
     direction = excluded.direction, number = excluded.number, \
     contact_name = excluded.contact_name, ddi = excluded.ddi, trunk = excluded.trunk, \
     outcome = excluded.outcome, answered_by = excluded.answered_by, \
     time_to_answer_s = excluded.time_to_answer_s, wait_s = excluded.wait_s, \
     talk_s = excluded.talk_s, hold_s = excluded.hold_s, queued_s = excluded.queued_s, \
     transfers = excluded.transfers, diversions = excluded.diversions, path = excluded.path, \
     events = excluded.events, updated_at = excluded.updated_at";

impl PgHistory {
    pub fn open(url: &PgUrl) -> Result<Self> {
        let target = Target::Postgres(url.clone());
        let shown = target.to_string();
        let config = url.config().map_err(|_| HistoryError::BadTarget {
            target: shown.clone(),
            why: "it is not a PostgreSQL URL".into(),
        })?;
        let mut client =
            config
                .connect(connector(url, &shown)?)
                .map_err(|source| HistoryError::Connect {
                    target: shown.clone(),
                    source,
                })?;
        migrate(&mut client, &shown)?;
        let statements = prepare(&mut client).map_err(|source| HistoryError::Postgres {
            target: shown.clone(),
            what: "cannot prepare its statements",
            source,
        })?;
        Ok(Self {
            target,
            shown,
            client,
            statements,
            copy_conflicted: false,
            files: FileIds::default(),
        })
    }

    fn err(&self, what: &'static str) -> impl FnOnce(postgres::Error) -> HistoryError + use<> {
        let target = self.shown.clone();
        move |source| HistoryError::Postgres {
            target,
            what,
            source,
        }
    }

    /// The schema version the database is at.
    pub fn version(&mut self) -> Result<i64> {
        let err = self.err("cannot read its schema version");
        self.client
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version",
                &[],
            )
            .map(|r| r.get(0))
            .map_err(err)
    }

    /// Whether this connection is encrypted (for tests and the Settings' Test button).
    pub fn uses_tls(&mut self) -> Result<bool> {
        let err = self.err("cannot ask it about TLS");
        self.client
            .query_one(
                "SELECT COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
                &[],
            )
            .map(|r| r.get(0))
            .map_err(err)
    }

    /// The id of each record of `batch`, numbering new files first (each in its own
    /// transaction: a number once given stays, whatever becomes of the batch).
    fn record_ids(&mut self, batch: &Batch) -> std::result::Result<Vec<i64>, postgres::Error> {
        let client = &mut self.client;
        self.files.number(&batch.records, |step, site, origin| {
            let key: [&(dyn ToSql + Sync); 2] = [&nul_free(site), &nul_free(origin)];
            let look_up = numbered(files::FILE_ID);
            Ok(match step {
                FileStep::LookUp => client.query_opt(look_up.as_str(), &key)?.map(|r| r.get(0)),
                FileStep::LastLookUp => Some(client.query_one(look_up.as_str(), &key)?.get(0)),
                FileStep::Give => {
                    client.execute(numbered(files::ENSURE_FILE).as_str(), &key)?;
                    None
                }
            })
        })
    }

    /// Runs `f` over every row of `sql`, streamed.
    fn each_row(
        &mut self,
        sql: &str,
        params: &[Param],
        what: &'static str,
        mut f: impl FnMut(&Row) -> io::Result<()>,
    ) -> Result<u64> {
        let err = self.err(what);
        let values = bind(params);
        let mut out = Ok(());
        let n = (|| {
            let mut rows = self
                .client
                .query_raw(numbered(sql).as_str(), values.iter().copied())?;
            let mut n = 0;
            while let Some(row) = rows.next()? {
                n += 1;
                if let Err(e) = f(&row) {
                    out = Err(e);
                    break;
                }
            }
            Ok(n)
        })()
        .map_err(err)?;
        out.map_err(|source| HistoryError::Output { source })?;
        Ok(n)
    }
}

fn prepare(client: &mut Client) -> std::result::Result<Statements, postgres::Error> {
    Ok(Statements {
        records: client.prepare(INSERT_RECORDS)?,
        unparsed: client.prepare(INSERT_UNPARSED)?,
        calls: client.prepare(UPSERT_CALLS)?,
        span: client.prepare(&numbered(UPSERT_SPAN))?,
        checkpoint: client.prepare(&numbered(UPSERT_CHECKPOINT))?,
    })
}

fn bind(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(s) => s as &(dyn ToSql + Sync),
            Param::Int(n) => n as &(dyn ToSql + Sync),
        })
        .collect()
}

/// One column of a batch, as an array parameter.
fn col<'a, T, U>(rows: &'a [T], f: impl Fn(&'a T) -> U) -> Vec<U> {
    rows.iter().map(f).collect()
}

impl HistoryStore for PgHistory {
    fn target(&self) -> &Target {
        &self.target
    }

    fn add_alarm(&mut self, a: &AlarmRow) -> Result<bool> {
        let err = self.err("cannot write an alarm to it");
        self.client
            .execute(
                "INSERT INTO alarms (at_ms, utc_offset_s, day, site, rule, severity, text, \
                 record_received_at, record_raw, call_id, test) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
                &[
                    &a.at_ms,
                    &a.utc_offset_s,
                    &nul_free(&a.day),
                    &nul_free(&a.site),
                    &nul_free(&a.rule),
                    &nul_free(&a.severity),
                    &nul_free(&a.text),
                    &a.record_received_at,
                    &a.record_raw.as_deref().map(nul_free),
                    &a.call_id.as_deref().map(nul_free),
                    &i32::from(a.test),
                ],
            )
            .map(|n| n > 0)
            .map_err(err)
    }

    fn write(&mut self, batch: &Batch) -> Result<u64> {
        let err = self.err("cannot write to it");
        let now = super::now_ms();
        let ids = self
            .record_ids(batch)
            .map_err(self.err("cannot number its files"))?;
        let st = &self.statements;
        let client = &mut self.client;
        let copy_conflicted = &mut self.copy_conflicted;
        (|| {
            let mut tx = client.transaction()?;
            let mut new = 0;
            let r = &batch.records;
            let copied = if r.is_empty() || *copy_conflicted {
                None
            } else {
                copy::copy_records(&mut tx, r, &ids)
            };
            if let Some(n) = copied {
                new += n;
            } else if !r.is_empty() {
                let inserted = tx.execute(
                    &st.records,
                    &[
                        &ids,
                        &col(r, |r| nul_free(&r.site)),
                        &col(r, |r| nul_free(&r.origin)),
                        &col(r, |r| r.line),
                        &col(r, |r| nul_free(&r.source)),
                        &col(r, |r| r.received_at),
                        &col(r, |r| r.utc_offset_s),
                        &col(r, |r| r.day.as_deref().map(nul_free)),
                        &col(r, |r| nul_free(r.format)),
                        &col(r, |r| nul_free(r.kind)),
                        &col(r, |r| r.record_date.as_deref().map(nul_free)),
                        &col(r, |r| nul_free(r.date_source)),
                        &col(r, |r| r.at.as_deref().map(nul_free)),
                        &col(r, |r| nul_free(r.direction.as_str())),
                        &col(r, |r| nul_free(r.what.as_str())),
                        &col(r, |r| nul_free(r.extension.as_str())),
                        &col(r, |r| nul_free(r.trunk.as_str())),
                        &col(r, |r| nul_free(r.number.as_str())),
                        &col(r, |r| r.duration_s),
                        &col(r, |r| r.call_id.as_deref().map(nul_free)),
                        &col(r, |r| nul_free(r.padding.as_str())),
                        &col(r, |r| nul_free(r.raw.as_str())),
                        &col(r, |r| r.bytes.as_deref()),
                    ],
                )?;
                *copy_conflicted = inserted < r.len() as u64;
                new += inserted;
            }
            let u = &batch.unparsed;
            if !u.is_empty() {
                new += tx.execute(
                    &st.unparsed,
                    &[
                        &col(u, |u| nul_free(&u.site)),
                        &col(u, |u| nul_free(&u.origin)),
                        &col(u, |u| u.line),
                        &col(u, |u| nul_free(&u.source)),
                        &col(u, |u| u.received_at),
                        &col(u, |u| u.utc_offset_s),
                        &col(u, |u| u.day.as_deref().map(nul_free)),
                        &col(u, |u| nul_free(u.format)),
                        &col(u, |u| nul_free(u.reason.as_str())),
                        &col(u, |u| i64::from(u.problem)),
                        &col(u, |u| nul_free(u.padding.as_str())),
                        &col(u, |u| nul_free(u.raw.as_str())),
                        &col(u, |u| u.bytes.as_deref()),
                    ],
                )?;
            }
            let calls: Vec<Cow<'_, CallRow>> = batch.calls.iter().map(call_nul_free).collect();
            let c = &calls;
            if !c.is_empty() {
                tx.execute(
                    &st.calls,
                    &[
                        &col(c, |c| &*c.site),
                        &col(c, |c| c.call_key.as_str()),
                        &col(c, |c| c.format.as_str()),
                        &col(c, |c| c.call_id.as_str()),
                        &col(c, |c| c.start.as_str()),
                        &col(c, |c| c.day.as_str()),
                        &col(c, |c| c.hour.as_str()),
                        &col(c, |c| c.end.as_deref()),
                        &col(c, |c| c.direction.as_str()),
                        &col(c, |c| c.number.as_str()),
                        &col(c, |c| c.contact_name.as_str()),
                        &col(c, |c| c.ddi.as_str()),
                        &col(c, |c| c.trunk.as_str()),
                        &col(c, |c| c.outcome.as_str()),
                        &col(c, |c| c.answered_by.as_deref()),
                        &col(c, |c| c.time_to_answer_s),
                        &col(c, |c| c.wait_s),
                        &col(c, |c| c.talk_s),
                        &col(c, |c| c.hold_s),
                        &col(c, |c| c.queued_s),
                        &col(c, |c| c.transfers),
                        &col(c, |c| c.diversions),
                        &col(c, |c| c.path.as_str()),
                        &col(c, |c| c.events.as_str()),
                        &now,
                    ],
                )?;
            }
            for (site, from, to) in &batch.spans {
                tx.execute(&st.span, &[&&**site, from, to])?;
            }
            for c in &batch.checkpoints {
                tx.execute(
                    &st.checkpoint,
                    &[
                        &&*c.site,
                        &c.file,
                        &c.line,
                        &c.read_to,
                        &c.read_to_line,
                        &now,
                    ],
                )?;
            }
            tx.commit()?;
            Ok(new)
        })()
        .map_err(err)
    }

    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>> {
        let err = self.err("cannot read its checkpoints");
        let rows = self
            .client
            .query(
                "SELECT site, file, line, read_to, read_to_line FROM checkpoints",
                &[],
            )
            .map_err(err)?;
        Ok(rows
            .iter()
            .map(|r| Checkpoint {
                site: r.get::<_, String>(0).into(),
                file: r.get(1),
                line: r.get(2),
                read_to: r.get(3),
                read_to_line: r.get(4),
            })
            .collect())
    }

    fn records(
        &mut self,
        q: &RecordQuery,
        f: &mut dyn FnMut(&StoredLine) -> io::Result<()>,
    ) -> Result<u64> {
        let (sql, params) = query::records_sql(q);
        self.each_row(&sql, &params, "cannot read records from it", |r| {
            f(&stored_line(r))
        })
    }

    fn calls(
        &mut self,
        q: &RecordQuery,
        f: &mut dyn FnMut(&CallRow) -> io::Result<()>,
    ) -> Result<u64> {
        let (sql, params) = query::calls_sql(q);
        self.each_row(&sql, &params, "cannot read calls from it", |r| {
            f(&call_row(r))
        })
    }

    fn stats(&mut self, q: &RecordQuery, by: StatsBy) -> Result<Vec<StatsRow>> {
        let (sql, params) = query::stats_sql(q, by);
        let mut fold = StatsFold::default();
        self.each_row(&sql, &params, "cannot compute statistics from it", |r| {
            fold.push(
                with_nul(r.get::<_, Option<String>>(0).unwrap_or_default()),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
            );
            Ok(())
        })?;
        Ok(fold.finish())
    }

    fn spans(&mut self, q: &RecordQuery) -> Result<Vec<(String, i64, i64)>> {
        let (sql, params) = query::spans_sql(q);
        let mut out = Vec::new();
        self.each_row(&sql, &params, "cannot read connection spans from it", |r| {
            out.push((r.get(0), r.get(1), r.get(2)));
            Ok(())
        })?;
        Ok(out)
    }

    fn prune(&mut self, before: NaiveDate) -> Result<Pruned> {
        let day = before.format("%Y-%m-%d").to_string();
        let ms = super::local_midnight_ms(before);
        let err = self.err("cannot prune it");
        (|| {
            let mut tx = self.client.transaction()?;
            let p = Pruned {
                records: tx.execute("DELETE FROM records WHERE day < $1", &[&day])?,
                unparsed: tx.execute("DELETE FROM unparsed WHERE day < $1", &[&day])?,
                calls: tx.execute("DELETE FROM calls WHERE day < $1", &[&day])?,
                spans: tx.execute("DELETE FROM connection_spans WHERE to_at < $1", &[&ms])?,
            };
            tx.commit()?;
            Ok(p)
        })()
        .map_err(err)
    }

    fn counts(&mut self) -> Result<Counts> {
        let err = self.err("cannot count its rows");
        let row = self
            .client
            .query_one(
                "SELECT (SELECT COUNT(*) FROM records), (SELECT COUNT(*) FROM unparsed), \
                 (SELECT COUNT(*) FROM calls), (SELECT COUNT(*) FROM connection_spans)",
                &[],
            )
            .map_err(err)?;
        let n = |i| row.get::<_, i64>(i) as u64;
        Ok(Counts {
            records: n(0),
            unparsed: n(1),
            calls: n(2),
            spans: n(3),
        })
    }

    fn line_ids(
        &mut self,
        sql: &str,
        params: &[Param],
        whole: bool,
        f: &mut dyn FnMut(i64, Option<&StoredLine>) -> io::Result<()>,
    ) -> Result<u64> {
        self.each_row(sql, params, "cannot read records from it", |r| {
            if whole {
                f(r.get(12), Some(&stored_line(r)))
            } else {
                f(r.get(0), None)
            }
        })
    }

    fn lines_by_id(&mut self, unparsed: bool, ids: &[i64]) -> Result<Vec<(i64, StoredLine)>> {
        let sql = super::browse::by_id_sql(unparsed, ids.len());
        let params: Vec<Param> = ids.iter().map(|&i| Param::Int(i)).collect();
        let mut lines = Vec::with_capacity(ids.len());
        self.each_row(&sql, &params, "cannot read records from it", |r| {
            lines.push((r.get(12), stored_line(r)));
            Ok(())
        })?;
        Ok(lines)
    }

    fn sites(&mut self) -> Result<Vec<String>> {
        let mut sites = Vec::new();
        self.each_row(
            super::browse::SITES_SQL,
            &[],
            "cannot read its sites",
            |r| {
                sites.push(r.get(0));
                Ok(())
            },
        )?;
        Ok(sites)
    }
}
