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

/// One statement: calls and talk time per group, direction, outcome and time to answer, in
/// group order. A scan in the statistics index's order (for days) with no sort, and a few rows
/// per group and second to answer: [`StatsFold`] makes the figures and the percentile of them.
pub fn stats_sql(q: &RecordQuery, by: StatsBy) -> (String, Vec<Param>) {
    let (w, params) = where_clause(q, Table::Calls);
    let g = by.column();
    (
        format!(
            "SELECT {g} AS g, direction, outcome, time_to_answer_s, CAST(COUNT(*) AS BIGINT), \
             CAST(SUM(talk_s) AS BIGINT) FROM calls{w} \
             GROUP BY {g}, direction, outcome, time_to_answer_s ORDER BY 1"
        ),
        params,
    )
}

/// The figures per group out of [`stats_sql`]'s rows, taken in their order.
#[derive(Debug, Default)]
pub struct StatsFold {
    rows: Vec<StatsRow>,
    /// Times to answer of the current group's answered callers: (seconds, calls).
    answers: Vec<(i64, i64)>,
}

impl StatsFold {
    /// One row: `count` calls of `group` with this direction, outcome and time to answer, and
    /// their talk time.
    pub fn push(
        &mut self,
        group: String,
        direction: &str,
        outcome: &str,
        time_to_answer_s: Option<i64>,
        count: i64,
        talk_s: Option<i64>,
    ) {
        if self.rows.last().is_none_or(|r| r.group != group) {
            self.finish_group();
            self.rows.push(StatsRow {
                group,
                ..Default::default()
            });
        }
        let Some(r) = self.rows.last_mut() else {
            return;
        };
        r.calls += count;
        r.talk_s += talk_s.unwrap_or(0);
        let answered = outcome == "answered";
        r.answered += if answered { count } else { 0 };
        r.abandoned += if outcome == "abandoned" { count } else { 0 };
        if direction == "IN" {
            r.incoming += count;
            if answered && let Some(t) = time_to_answer_s {
                self.answers.push((t, count));
            }
        }
    }

    /// The average and the nearest-rank 90th percentile of the group just read.
    fn finish_group(&mut self) {
        let Some(r) = self.rows.last_mut() else {
            return;
        };
        let n: i64 = self.answers.iter().map(|a| a.1).sum();
        if n > 0 {
            let sum: f64 = self.answers.iter().map(|&(t, c)| t as f64 * c as f64).sum();
            r.avg_time_to_answer_s = Some(sum / n as f64);
            self.answers.sort_unstable();
            let rank = (9 * n + 9) / 10;
            let mut seen = 0;
            for &(t, c) in &self.answers {
                seen += c;
                if seen >= rank {
                    r.p90_time_to_answer_s = Some(t);
                    break;
                }
            }
        }
        self.answers.clear();
    }

    pub fn finish(mut self) -> Vec<StatsRow> {
        self.finish_group();
        self.rows
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

    #[test]
    fn stats_fold_counts_averages_and_takes_the_nearest_rank() {
        let mut f = StatsFold::default();
        f.push("2026-11-01".into(), "IN", "answered", Some(4), 3, Some(30));
        f.push("2026-11-01".into(), "IN", "answered", Some(10), 1, Some(5));
        f.push("2026-11-01".into(), "IN", "abandoned", None, 2, None);
        f.push("2026-11-01".into(), "OUT", "answered", Some(1), 1, Some(7));
        f.push("2026-11-02".into(), "IN", "answered", Some(2), 9, Some(1));
        f.push("2026-11-02".into(), "IN", "answered", Some(8), 1, None);
        let rows = f.finish();
        assert_eq!(
            rows,
            [
                StatsRow {
                    group: "2026-11-01".into(),
                    calls: 7,
                    answered: 5,
                    abandoned: 2,
                    incoming: 6,
                    avg_time_to_answer_s: Some(22.0 / 4.0),
                    // Ranks 1-3 are 4 s, rank 4 (of 4: the 90th percentile) 10 s.
                    p90_time_to_answer_s: Some(10),
                    talk_s: 42,
                },
                StatsRow {
                    group: "2026-11-02".into(),
                    calls: 10,
                    answered: 10,
                    abandoned: 0,
                    incoming: 10,
                    avg_time_to_answer_s: Some(26.0 / 10.0),
                    // Rank 9 of 10 is the last 2 s.
                    p90_time_to_answer_s: Some(2),
                    talk_s: 1,
                },
            ]
        );
    }
}
