//! One schema, in each engine's dialect, as numbered migrations applied at open.
//!
//! Times are Unix milliseconds (`received_at`, spans) with the receiving clock's UTC offset
//! beside them, so output shows the time as it was received; days are `YYYY-MM-DD` text and
//! call times `YYYY-MM-DDTHH:MM:SS`, as the `decode` and `calls` outputs print them. Each record
//! has a natural key — site, origin (a raw day log's file name, or `import:` and a content hash),
//! line — so a replay never duplicates it: since version 2 it is the record's id, the number
//! `files` gives its (site, origin) times 2^32 plus the line.
//!
//! A migration is only ever added, never changed: a database at version N has run migrations
//! 1..=N. A database at a version above [`VERSION`] was written by a newer program and is refused.

/// The newest schema this program knows.
pub const VERSION: i64 = 3;

/// The two engines' words for the types the migrations name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `sql` with its `{RECORD_COLUMNS}`, and its `{SERIAL}` (a key numbered by the
    /// database), `{INT}` (64-bit integer) and `{BLOB}` in this engine's words. SQLite's `INTEGER PRIMARY KEY` is the row id.
    fn types(self, sql: &str) -> String {
        let (serial, int, blob) = match self {
            Self::Sqlite => ("INTEGER", "INTEGER", "BLOB"),
            Self::Postgres => ("BIGSERIAL", "BIGINT", "BYTEA"),
        };
        sql.replace("{RECORD_COLUMNS}", RECORD_COLUMNS)
            .replace("{SERIAL}", serial)
            .replace("{INT}", int)
            .replace("{BLOB}", blob)
    }
}

/// Migration `i + 1` in `dialect`: one text for both engines, their types filled in.
pub fn migrations(dialect: Dialect) -> Vec<String> {
    MIGRATIONS.iter().map(|m| dialect.types(m)).collect()
}

/// Migration `i + 1`, in both engines' words but for the types (see [`Dialect::types`]).
const MIGRATIONS: &[&str] = &[V1, V2, ALARMS];

/// The records table's columns after its id (versions 1 and 2 have the same).
const RECORD_COLUMNS: &str = r#"    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    line {INT} NOT NULL,
    source TEXT NOT NULL,
    received_at {INT},
    utc_offset_s {INT},
    day TEXT,
    format TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_date TEXT,
    date_source TEXT NOT NULL,
    at TEXT,
    direction TEXT NOT NULL,
    what TEXT NOT NULL,
    extension TEXT NOT NULL,
    trunk TEXT NOT NULL,
    number TEXT NOT NULL,
    duration_s {INT},
    call_id TEXT,
    padding TEXT NOT NULL,
    raw TEXT NOT NULL,
    bytes {BLOB}"#;

const V1: &str = r#"
CREATE TABLE records (
    id {SERIAL} PRIMARY KEY,
{RECORD_COLUMNS}
);
CREATE UNIQUE INDEX records_key ON records (origin, site, line);
-- Day first: one index serves a day range of every site, and a day of some sites.
CREATE INDEX records_day_site ON records (day, site);

CREATE TABLE unparsed (
    id {SERIAL} PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    line {INT} NOT NULL,
    source TEXT NOT NULL,
    received_at {INT},
    utc_offset_s {INT},
    day TEXT,
    format TEXT NOT NULL,
    reason TEXT NOT NULL,
    problem {INT} NOT NULL,
    padding TEXT NOT NULL,
    raw TEXT NOT NULL,
    bytes {BLOB}
);
CREATE UNIQUE INDEX unparsed_key ON unparsed (origin, site, line);
CREATE INDEX unparsed_day_site ON unparsed (day, site);

CREATE TABLE calls (
    site TEXT NOT NULL,
    call_key TEXT NOT NULL,
    format TEXT NOT NULL,
    call_id TEXT NOT NULL,
    start TEXT NOT NULL,
    day TEXT NOT NULL,
    hour TEXT NOT NULL,
    end_at TEXT,
    direction TEXT NOT NULL,
    number TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    ddi TEXT NOT NULL,
    trunk TEXT NOT NULL,
    outcome TEXT NOT NULL,
    answered_by TEXT,
    time_to_answer_s {INT},
    wait_s {INT},
    talk_s {INT},
    hold_s {INT} NOT NULL,
    queued_s {INT} NOT NULL,
    transfers {INT} NOT NULL,
    diversions {INT} NOT NULL,
    path TEXT NOT NULL,
    events TEXT NOT NULL,
    updated_at {INT} NOT NULL,
    PRIMARY KEY (site, call_key)
);
-- Serves day ranges of some or all sites, and covers every statistics query: a scan of it
-- reads no call row (events are long).
CREATE INDEX calls_stats ON calls (day, direction, outcome, time_to_answer_s, site, talk_s,
    hour, answered_by, trunk, ddi);

CREATE TABLE connection_spans (
    site TEXT NOT NULL,
    from_at {INT} NOT NULL,
    to_at {INT} NOT NULL,
    PRIMARY KEY (site, from_at)
);

CREATE TABLE checkpoints (
    site TEXT NOT NULL,
    file TEXT NOT NULL,
    line {INT} NOT NULL,
    read_to {INT} NOT NULL,
    read_to_line {INT} NOT NULL,
    updated_at {INT} NOT NULL,
    PRIMARY KEY (site, file)
);
"#;

const V2: &str = r#"
-- Version 2: a record's natural key is its id — the raw day log's (or import's) number in
-- `files` times 2^32, plus the line — rather than a unique index of (origin, site, line): one
-- index less to keep up per record (the ingest's largest cost), and a smaller database.
CREATE TABLE files (
    id {INT} PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    UNIQUE (site, origin)
);
INSERT INTO files (id, site, origin)
    SELECT ROW_NUMBER() OVER (ORDER BY site, origin), site, origin
    FROM (SELECT DISTINCT site, origin FROM records) o;
CREATE TABLE records_v2 (
    id {INT} PRIMARY KEY,
{RECORD_COLUMNS}
);
INSERT INTO records_v2 (id, site, origin, line, source, received_at, utc_offset_s, day, format,
    kind, record_date, date_source, at, direction, what, extension, trunk, number, duration_s,
    call_id, padding, raw, bytes)
    SELECT f.id * 4294967296 + r.line, r.site, r.origin, r.line, r.source, r.received_at,
    r.utc_offset_s, r.day, r.format, r.kind, r.record_date, r.date_source, r.at, r.direction,
    r.what, r.extension, r.trunk, r.number, r.duration_s, r.call_id, r.padding, r.raw, r.bytes
    FROM records r JOIN files f ON f.site = r.site AND f.origin = r.origin;
DROP TABLE records;
ALTER TABLE records_v2 RENAME TO records;
CREATE INDEX records_day_site ON records (day, site);
"#;

/// Migration 3 in both engines: the alarms raised (one row each; a replay adds none).
const ALARMS: &str = r#"
CREATE TABLE alarms (
    at_ms BIGINT NOT NULL,
    utc_offset_s INTEGER NOT NULL,
    day TEXT NOT NULL,
    site TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    text TEXT NOT NULL,
    record_received_at BIGINT,
    record_raw TEXT,
    call_id TEXT,
    test INTEGER NOT NULL,
    PRIMARY KEY (site, rule, at_ms, text)
);
CREATE INDEX alarms_day_site ON alarms (day, site);
"#;

/// The version table, created before any migration (the same text in both engines).
pub const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    version BIGINT PRIMARY KEY,
    applied_at BIGINT NOT NULL,
    program TEXT NOT NULL
)";

/// What a database's version means for this program.
pub fn check(found: i64, target: &str) -> Result<(), super::HistoryError> {
    if found > VERSION {
        return Err(super::HistoryError::TooNew {
            target: target.to_string(),
            found,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_a_migration_in_each_engine() {
        let (sqlite, postgres) = (migrations(Dialect::Sqlite), migrations(Dialect::Postgres));
        assert_eq!(sqlite.len() as i64, VERSION);
        assert_eq!(postgres.len() as i64, VERSION);
        for sql in sqlite.iter().chain(&postgres) {
            assert!(!sql.contains('{'), "a type left unnamed: {sql}");
        }
        // Record ids: SQLite's row id, PostgreSQL's sequence (then, from version 2, the ids
        // the program gives).
        assert!(sqlite[0].contains("id INTEGER PRIMARY KEY,"));
        assert!(postgres[0].contains("id BIGSERIAL PRIMARY KEY,"));
        assert!(postgres[1].contains("id BIGINT PRIMARY KEY,"));
        assert!(sqlite[0].contains("bytes BLOB") && postgres[0].contains("bytes BYTEA"));
    }
}
