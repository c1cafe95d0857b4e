//! What a history query asks, in SQL both engines run: filters over sites and days, the
//! window's text filters, and per-group call statistics. SQL is written with `?` placeholders
//! (SQLite's); PostgreSQL's `$n` are made from them.

use chrono::NaiveDate;

/// Which records (or calls) a query returns. Empty strings and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordQuery {
    /// Any of these sites (all when empty).
    pub sites: Vec<String>,
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
    /// Substring of the outside number.
    pub number: String,
    /// Substring of the extension (calls: of any extension on the call's path).
    pub extension: String,
    /// Substring of the raw text, any case (calls: of number, name, DDI and path).
    pub text: String,
    /// Only records received at or after this time (Unix ms): the tracker's warm-up.
    pub received_since: Option<i64>,
    /// Only App Suite events (the warm-up needs only them).
    pub app_suite_only: bool,
}

impl RecordQuery {
    /// Whether unparsed lines can match (they have no number or extension).
    pub fn includes_unparsed(&self) -> bool {
        self.number.is_empty() && self.extension.is_empty() && !self.app_suite_only
    }
}

/// How statistics are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum StatsBy {
    #[default]
    Day,
    /// Hour of the day (00–23), over every day asked for.
    Hour,
    /// The extension that answered (empty: nobody answered).
    Extension,
    Trunk,
    Ddi,
}

impl StatsBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Hour => "hour",
            Self::Extension => "extension",
            Self::Trunk => "trunk",
            Self::Ddi => "ddi",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Hour => "hour",
            Self::Extension => "COALESCE(answered_by, '')",
            Self::Trunk => "trunk",
            Self::Ddi => "ddi",
        }
    }
}

/// Figures over one group of calls. Outcome counts cover every call; the time-to-answer
/// figures only answered incoming calls (callers), as the Calls tab's do.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatsRow {
    pub group: String,
    pub calls: i64,
    pub answered: i64,
    pub abandoned: i64,
    /// Incoming calls (direction `IN`): callers.
    pub incoming: i64,
    pub avg_time_to_answer_s: Option<f64>,
    /// Nearest-rank 90th percentile.
    pub p90_time_to_answer_s: Option<i64>,
    /// Talk time over every call, seconds.
    pub talk_s: i64,
}

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    Int(i64),
}

/// `LIKE` text for a substring, with `%`, `_` and `\` taken literally (`ESCAPE '\'`).
fn contains(needle: &str) -> String {
    let mut s = String::with_capacity(needle.len() + 2);
    s.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// Which table a condition is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Records,
    Unparsed,
    Calls,
}

/// `WHERE …` (or nothing) and its values.
pub fn where_clause(q: &RecordQuery, table: Table) -> (String, Vec<Param>) {
    let mut terms = Vec::new();
    let mut params = Vec::new();
    if !q.sites.is_empty() {
        let marks = vec!["?"; q.sites.len()].join(", ");
        terms.push(format!("site IN ({marks})"));
        params.extend(q.sites.iter().cloned().map(Param::Text));
    }
    if let Some(from) = q.from {
        terms.push("day >= ?".to_string());
        params.push(Param::Text(from.format("%Y-%m-%d").to_string()));
    }
    if let Some(to) = q.to {
        terms.push("day <= ?".to_string());
        params.push(Param::Text(to.format("%Y-%m-%d").to_string()));
    }
    let mut like = |column: &str, needle: &str| {
        if !needle.is_empty() {
            terms.push(format!("LOWER({column}) LIKE ? ESCAPE '\\'"));
            params.push(Param::Text(contains(needle)));
        }
    };
    match table {
        Table::Calls => {
            like("number", &q.number);
            like("path", &q.extension);
            like(
                "number || ' ' || contact_name || ' ' || ddi || ' ' || path",
                &q.text,
            );
        }
        Table::Records | Table::Unparsed => {
            if table == Table::Records {
                like("number", &q.number);
                like("extension", &q.extension);
            }
            like("raw", &q.text);
        }
    }
    if let Some(since) = q.received_since {
        terms.push("received_at >= ?".to_string());
        params.push(Param::Int(since));
    }
    if q.app_suite_only {
        terms.push("format = 'appsuite'".to_string());
    }
    if terms.is_empty() {
        (String::new(), params)
    } else {
        (format!(" WHERE {}", terms.join(" AND ")), params)
    }
}

/// The columns of a stored line, in [`super::rows::StoredLine`] order, then two sort keys.
const LINE_COLUMNS: &str = "site, origin, line, source, received_at, utc_offset_s, format, \
     record_date, date_source, padding, raw";

/// Records (and unparsed lines, when they can match) in time order.
pub fn records_sql(q: &RecordQuery) -> (String, Vec<Param>) {
    let (w, mut params) = where_clause(q, Table::Records);
    let mut sql = format!(
        "SELECT {LINE_COLUMNS}, CAST(NULL AS TEXT) AS reason, COALESCE(day, '') AS sort_day, \
         COALESCE(received_at, 0) AS sort_at FROM records{w}"
    );
    if q.includes_unparsed() {
        let (w, more) = where_clause(q, Table::Unparsed);
        params.extend(more);
        sql.push_str(&format!(
            " UNION ALL SELECT site, origin, line, source, received_at, utc_offset_s, format, \
             CAST(NULL AS TEXT), 'unknown', padding, raw, reason, COALESCE(day, ''), \
             COALESCE(received_at, 0) FROM unparsed{w}"
        ));
    }
    sql.push_str(" ORDER BY sort_day, sort_at, site, origin, line");
    (sql, params)
}

/// The columns of a call row, in [`super::rows::CallRow`] order.
pub const CALL_COLUMNS: &str = "site, call_key, format, call_id, start, day, hour, end_at, \
     direction, number, contact_name, ddi, trunk, outcome, answered_by, time_to_answer_s, wait_s, \
     talk_s, hold_s, queued_s, transfers, diversions, path, events";

pub fn calls_sql(q: &RecordQuery) -> (String, Vec<Param>) {
    let (w, params) = where_clause(q, Table::Calls);
    (
        format!("SELECT {CALL_COLUMNS} FROM calls{w} ORDER BY start, site, call_key"),
        params,
    )
}

/// Two statements: the counts per group, and the 90th percentile per group (window functions,
/// which both engines have).
pub fn stats_sql(q: &RecordQuery, by: StatsBy) -> [(String, Vec<Param>); 2] {
    let (w, params) = where_clause(q, Table::Calls);
    let g = by.column();
    let counts = format!(
        "SELECT {g} AS g, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN outcome = 'answered' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN direction = 'IN' THEN 1 ELSE 0 END) AS BIGINT), \
         AVG(CASE WHEN direction = 'IN' AND outcome = 'answered' \
             THEN CAST(time_to_answer_s AS DOUBLE PRECISION) END), \
         CAST(COALESCE(SUM(talk_s), 0) AS BIGINT) \
         FROM calls{w} GROUP BY {g} ORDER BY g"
    );
    let answered = if w.is_empty() { " WHERE" } else { " AND" };
    let p90 = format!(
        "SELECT g, MIN(t) FROM (SELECT {g} AS g, time_to_answer_s AS t, \
         ROW_NUMBER() OVER (PARTITION BY {g} ORDER BY time_to_answer_s) AS rn, \
         COUNT(*) OVER (PARTITION BY {g}) AS n \
         FROM calls{w}{answered} direction = 'IN' AND outcome = 'answered' \
         AND time_to_answer_s IS NOT NULL) x WHERE rn = (9 * n + 9) / 10 GROUP BY g"
    );
    [(counts, params.clone()), (p90, params)]
}

/// Puts the percentiles beside the counts.
pub fn merge_p90(rows: &mut [StatsRow], p90: Vec<(String, i64)>) {
    for (group, value) in p90 {
        if let Some(r) = rows.iter_mut().find(|r| r.group == group) {
            r.p90_time_to_answer_s = Some(value);
        }
    }
}

/// `?` → `$1`, `$2`, … for PostgreSQL (none of our SQL has `?` inside a string literal).
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Spans of the sites asked for that overlap the days asked for.
pub fn spans_sql(q: &RecordQuery) -> (String, Vec<Param>) {
    let mut terms = Vec::new();
    let mut params = Vec::new();
    if !q.sites.is_empty() {
        terms.push(format!("site IN ({})", vec!["?"; q.sites.len()].join(", ")));
        params.extend(q.sites.iter().cloned().map(Param::Text));
    }
    if let Some(from) = q.from {
        terms.push("to_at >= ?".into());
        params.push(Param::Int(super::local_midnight_ms(from)));
    }
    if let Some(to) = q.to.and_then(|d| d.succ_opt()) {
        terms.push("from_at < ?".into());
        params.push(Param::Int(super::local_midnight_ms(to)));
    }
    let w = if terms.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", terms.join(" AND "))
    };
    (
        format!("SELECT site, from_at, to_at FROM connection_spans{w} ORDER BY from_at, site"),
        params,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_clauses_bind_every_value() {
        let q = RecordQuery {
            sites: vec!["HQ".into(), "Branch".into()],
            from: NaiveDate::from_ymd_opt(2026, 11, 1),
            number: "0161_".into(),
            ..Default::default()
        };
        let (w, p) = where_clause(&q, Table::Records);
        assert_eq!(
            w,
            " WHERE site IN (?, ?) AND day >= ? AND LOWER(number) LIKE ? ESCAPE '\\'"
        );
        assert_eq!(
            p,
            [
                Param::Text("HQ".into()),
                Param::Text("Branch".into()),
                Param::Text("2026-11-01".into()),
                Param::Text("%0161\\_%".into()),
            ]
        );
        assert_eq!(
            numbered("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
        assert!(!q.includes_unparsed());
    }
}
