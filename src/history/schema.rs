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

/// Migration `i + 1` for SQLite.
pub const SQLITE: &[&str] = &[
    r#"
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    line INTEGER NOT NULL,
    source TEXT NOT NULL,
    received_at INTEGER,
    utc_offset_s INTEGER,
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
    duration_s INTEGER,
    call_id TEXT,
    padding TEXT NOT NULL,
    raw TEXT NOT NULL,
    bytes BLOB
);
CREATE UNIQUE INDEX records_key ON records (origin, site, line);
-- Day first: one index serves a day range of every site, and a day of some sites.
CREATE INDEX records_day_site ON records (day, site);

CREATE TABLE unparsed (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    line INTEGER NOT NULL,
    source TEXT NOT NULL,
    received_at INTEGER,
    utc_offset_s INTEGER,
    day TEXT,
    format TEXT NOT NULL,
    reason TEXT NOT NULL,
    problem INTEGER NOT NULL,
    padding TEXT NOT NULL,
    raw TEXT NOT NULL,
    bytes BLOB
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
    time_to_answer_s INTEGER,
    wait_s INTEGER,
    talk_s INTEGER,
    hold_s INTEGER NOT NULL,
    queued_s INTEGER NOT NULL,
    transfers INTEGER NOT NULL,
    diversions INTEGER NOT NULL,
    path TEXT NOT NULL,
    events TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (site, call_key)
);
-- Serves day ranges of some or all sites, and covers every statistics query: a scan of it
-- reads no call row (events are long).
CREATE INDEX calls_stats ON calls (day, direction, outcome, time_to_answer_s, site, talk_s,
    hour, answered_by, trunk, ddi);

CREATE TABLE connection_spans (
    site TEXT NOT NULL,
    from_at INTEGER NOT NULL,
    to_at INTEGER NOT NULL,
    PRIMARY KEY (site, from_at)
);

CREATE TABLE checkpoints (
    site TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    read_to INTEGER NOT NULL,
    read_to_line INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (site, file)
);
"#,
    r#"
-- Version 2: a record's natural key is its id — the raw day log's (or import's) number in
-- `files` times 2^32, plus the line — rather than a unique index of (origin, site, line): one
-- index less to keep up per record (the ingest's largest cost), and a smaller database.
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    UNIQUE (site, origin)
);
INSERT INTO files (id, site, origin)
    SELECT ROW_NUMBER() OVER (ORDER BY site, origin), site, origin
    FROM (SELECT DISTINCT site, origin FROM records) o;
CREATE TABLE records_v2 (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    line INTEGER NOT NULL,
    source TEXT NOT NULL,
    received_at INTEGER,
    utc_offset_s INTEGER,
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
    duration_s INTEGER,
    call_id TEXT,
    padding TEXT NOT NULL,
    raw TEXT NOT NULL,
    bytes BLOB
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
"#,
    ALARMS,
];

/// Migration `i + 1` for PostgreSQL.
pub const POSTGRES: &[&str] = &[
    r#"
CREATE TABLE records (
    id BIGSERIAL PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    line BIGINT NOT NULL,
    source TEXT NOT NULL,
    received_at BIGINT,
    utc_offset_s BIGINT,
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
    duration_s BIGINT,
    call_id TEXT,
    padding TEXT NOT NULL,
    raw TEXT NOT NULL,
    bytes BYTEA
);
CREATE UNIQUE INDEX records_key ON records (origin, site, line);
-- Day first: one index serves a day range of every site, and a day of some sites.
CREATE INDEX records_day_site ON records (day, site);

CREATE TABLE unparsed (
    id BIGSERIAL PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    line BIGINT NOT NULL,
    source TEXT NOT NULL,
    received_at BIGINT,
    utc_offset_s BIGINT,
    day TEXT,
    format TEXT NOT NULL,
    reason TEXT NOT NULL,
    problem BIGINT NOT NULL,
    padding TEXT NOT NULL,
    raw TEXT NOT NULL,
    bytes BYTEA
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
    time_to_answer_s BIGINT,
    wait_s BIGINT,
    talk_s BIGINT,
    hold_s BIGINT NOT NULL,
    queued_s BIGINT NOT NULL,
    transfers BIGINT NOT NULL,
    diversions BIGINT NOT NULL,
    path TEXT NOT NULL,
    events TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site, call_key)
);
-- Serves day ranges of some or all sites, and covers every statistics query: a scan of it
-- reads no call row (events are long).
CREATE INDEX calls_stats ON calls (day, direction, outcome, time_to_answer_s, site, talk_s,
    hour, answered_by, trunk, ddi);

CREATE TABLE connection_spans (
    site TEXT NOT NULL,
    from_at BIGINT NOT NULL,
    to_at BIGINT NOT NULL,
    PRIMARY KEY (site, from_at)
);

CREATE TABLE checkpoints (
    site TEXT NOT NULL,
    file TEXT NOT NULL,
    line BIGINT NOT NULL,
    read_to BIGINT NOT NULL,
    read_to_line BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site, file)
);
"#,
    r#"
-- Version 2: a record's natural key is its id — the raw day log's (or import's) number in
-- `files` times 2^32, plus the line — rather than a unique index of (origin, site, line): one
-- index less to keep up per record (the ingest's largest cost), and a smaller database.
CREATE TABLE files (
    id BIGINT PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    UNIQUE (site, origin)
);
INSERT INTO files (id, site, origin)
    SELECT ROW_NUMBER() OVER (ORDER BY site, origin), site, origin
    FROM (SELECT DISTINCT site, origin FROM records) o;
CREATE TABLE records_v2 (
    id BIGINT PRIMARY KEY,
    site TEXT NOT NULL,
    origin TEXT NOT NULL,
    line BIGINT NOT NULL,
    source TEXT NOT NULL,
    received_at BIGINT,
    utc_offset_s BIGINT,
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
    duration_s BIGINT,
    call_id TEXT,
    padding TEXT NOT NULL,
    raw TEXT NOT NULL,
    bytes BYTEA
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
"#,
    ALARMS,
];

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
        assert_eq!(SQLITE.len() as i64, VERSION);
        assert_eq!(POSTGRES.len() as i64, VERSION);
        // The same tables and columns in both.
        let names = |sql: &str| -> Vec<String> {
            sql.lines()
                .map(str::trim)
                .filter_map(|l| l.split_whitespace().next())
                .map(str::to_string)
                .collect()
        };
        for (a, b) in SQLITE.iter().zip(POSTGRES) {
            assert_eq!(names(a), names(b));
        }
    }
}
