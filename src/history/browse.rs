//! Browsing the history page by page (the window's History tab): one pass finds the ids of the
//! lines a query matches, in time order; pages of rows are then read by id. A month of a busy
//! site is a list of ids in memory (8 bytes a line), never its rows.
//!
//! The Records tab's filter ([`Filter`]) is applied in SQL where the columns hold exactly what
//! it compares (format, type or event, extension, trunk, number, duration, times); its text
//! needle and answered / unanswered are judged on the decoded line, as the Records tab does.

use chrono::NaiveDate;

use super::query::{Param, RecordQuery, Table, where_clause};
use super::rows::StoredLine;
use crate::protocol::Kind;
use crate::protocol::summary::{note, summary};
use crate::timeline::Needle;
use crate::timeline::view::{Filter, OutcomeFilter};

/// A line's place in its table: a record (`id`) or an unparsed line (`-id`). Ids start at 1 in
/// both engines, so the sign tells the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineId(pub i64);

impl LineId {
    pub fn record(id: i64) -> Self {
        Self(id)
    }

    pub fn unparsed(id: i64) -> Self {
        Self(-id)
    }

    pub fn is_unparsed(self) -> bool {
        self.0 < 0
    }

    pub fn id(self) -> i64 {
        self.0.abs()
    }
}

/// What the History tab asks: sites and days, and the Records tab's filters (its site is not
/// used: `sites` says which).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Browse {
    pub sites: Vec<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub filter: Filter,
}

impl Browse {
    /// The sites and days, for the parts that have no record filter (statistics of calls).
    pub fn days(&self) -> RecordQuery {
        RecordQuery {
            sites: self.sites.clone(),
            from: self.from,
            to: self.to,
            ..Default::default()
        }
    }

    /// The per-day figures' query: calls of these sites and days, with the number and
    /// extension filters (an extension anywhere on the call's path).
    pub fn calls(&self) -> RecordQuery {
        RecordQuery {
            number: self.filter.number.trim().to_string(),
            extension: self.filter.extension.trim().to_string(),
            ..self.days()
        }
    }

    /// Whether a line must be decoded to be judged (the SQL alone would let too many through).
    pub fn needs_check(&self) -> bool {
        !self.filter.text.trim().is_empty()
            || matches!(
                self.filter.outcome,
                OutcomeFilter::Answered | OutcomeFilter::Unanswered
            )
    }

    /// Unparsed lines can match: they have none of the record fields a filter may ask for.
    fn includes_unparsed(&self) -> bool {
        let f = &self.filter;
        matches!(f.outcome, OutcomeFilter::Any | OutcomeFilter::Unparsed)
            && f.what.trim().is_empty()
            && f.extension.trim().is_empty()
            && f.trunk.trim().is_empty()
            && Needle::number(&f.number).is_empty()
            && f.from.is_none()
            && f.to.is_none()
            && f.min_duration_s.is_none()
    }

    fn includes_records(&self) -> bool {
        self.filter.outcome != OutcomeFilter::Unparsed
    }

    /// Whether a line the SQL let through matches (the text needle, the outcome).
    pub fn matches(&self, line: &StoredLine) -> bool {
        let f = &self.filter;
        let d = line.decode();
        let kind = d.kind();
        let s = summary(&d);
        let outcome_ok = match f.outcome {
            OutcomeFilter::Any => true,
            OutcomeFilter::Answered => kind == Kind::Call && !s.unanswered,
            OutcomeFilter::Unanswered => s.unanswered,
            OutcomeFilter::Unparsed => kind == Kind::Unparsed,
        };
        if !outcome_ok {
            return false;
        }
        let text = Needle::new(&f.text);
        if text.is_empty() || text.found_in(&line.raw) {
            return true;
        }
        let n = note(&d.body);
        text.found_in(n.label) || text.found_in(n.value) || text.found_in(&n.to_string())
    }
}

/// Characters a phone number may be written with that the number filter ignores (as
/// `Needle::number` does).
const NUMBER_PUNCTUATION: [&str; 8] = ["-", " ", "\t", "(", ")", ".", "/", "+"];

/// `LIKE` text for a substring, `%`, `_` and `\` taken literally.
fn like(needle: &str) -> String {
    let mut s = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// The conditions of the Records tab's filter on the `records` table.
fn record_terms(f: &Filter, terms: &mut Vec<String>, params: &mut Vec<Param>) {
    let mut like_in = |columns: &[&str], needle: &str| {
        let needle = needle.trim();
        if needle.is_empty() {
            return;
        }
        let any: Vec<String> = columns
            .iter()
            .map(|c| format!("LOWER({c}) LIKE ? ESCAPE '\\'"))
            .collect();
        terms.push(format!("({})", any.join(" OR ")));
        for _ in columns {
            params.push(Param::Text(like(needle)));
        }
    };
    like_in(&["what", "direction"], &f.what);
    like_in(&["extension"], &f.extension);
    like_in(&["trunk"], &f.trunk);
    if let Some(fmt) = f.format {
        terms.push("format = ?".into());
        params.push(Param::Text(fmt.as_str().into()));
    }
    let digits: String = f
        .number
        .chars()
        .filter(|c| !NUMBER_PUNCTUATION.contains(&c.to_string().as_str()))
        .collect();
    if !digits.is_empty() {
        let stripped = NUMBER_PUNCTUATION
            .iter()
            .fold("number".to_string(), |col, p| {
                format!("REPLACE({col}, '{p}', '')")
            });
        terms.push(format!("LOWER({stripped}) LIKE ? ESCAPE '\\'"));
        params.push(Param::Text(like(&digits)));
    }
    if let Some(min) = f.min_duration_s {
        terms.push("duration_s >= ?".into());
        params.push(Param::Int(i64::from(min)));
    }
    let at = |t: chrono::NaiveDateTime| Param::Text(t.format("%Y-%m-%dT%H:%M:%S").to_string());
    if let Some(from) = f.from {
        terms.push("at >= ?".into());
        params.push(at(from));
    }
    if let Some(to) = f.to {
        terms.push("at <= ?".into());
        params.push(at(to));
    }
    if f.outcome == OutcomeFilter::Answered {
        terms.push("kind = 'call'".into());
    }
}

/// The columns a line is read back with (as `query::records_sql` reads them), its id last.
const RECORD_LINE: &str = "site, origin, line, source, received_at, utc_offset_s, format, \
     record_date, date_source, padding, raw, CAST(NULL AS TEXT) AS reason, id";
const UNPARSED_LINE: &str = "site, origin, line, source, received_at, utc_offset_s, format, \
     CAST(NULL AS TEXT) AS record_date, 'unknown' AS date_source, padding, raw, reason, -id";

/// The ids of the lines `b` asks for, in time order (as `history query` prints them). With
/// `whole`, each row also holds the line (columns 0–11, id at 12) so it can be judged by
/// [`Browse::matches`]; else only the id (column 0). `None`: nothing can match.
pub fn ids_sql(b: &Browse, whole: bool) -> Option<(String, Vec<Param>)> {
    let q = b.days();
    let mut arms = Vec::new();
    let mut params = Vec::new();
    let keys = "COALESCE(day, '') AS sort_day, COALESCE(received_at, 0) AS sort_at, \
                site AS s, origin AS o, line AS l";
    if b.includes_records() {
        let (w, p) = where_clause(&q, Table::Records);
        let mut terms = Vec::new();
        let mut more = Vec::new();
        record_terms(&b.filter, &mut terms, &mut more);
        let w = join_where(w, &terms);
        let cols = if whole { RECORD_LINE } else { "id" };
        arms.push(format!("SELECT {cols}, {keys} FROM records{w}"));
        params.extend(p);
        params.extend(more);
    }
    if b.includes_unparsed() {
        let (w, p) = where_clause(&q, Table::Unparsed);
        let cols = if whole { UNPARSED_LINE } else { "-id" };
        arms.push(format!("SELECT {cols}, {keys} FROM unparsed{w}"));
        params.extend(p);
    }
    if arms.is_empty() {
        return None;
    }
    let sql = format!(
        "{} ORDER BY sort_day, sort_at, s, o, l",
        arms.join(" UNION ALL ")
    );
    Some((sql, params))
}

fn join_where(w: String, terms: &[String]) -> String {
    if terms.is_empty() {
        return w;
    }
    let more = terms.join(" AND ");
    if w.is_empty() {
        format!(" WHERE {more}")
    } else {
        format!("{w} AND {more}")
    }
}

/// Every site with records or unparsed lines.
pub const SITES_SQL: &str =
    "SELECT site FROM records UNION SELECT site FROM unparsed ORDER BY site";

/// The lines of some ids of one table (in no order: the caller puts them in its own).
pub fn by_id_sql(unparsed: bool, n: usize) -> String {
    let marks = vec!["?"; n].join(", ");
    if unparsed {
        format!("SELECT {UNPARSED_LINE} FROM unparsed WHERE id IN ({marks})")
    } else {
        format!("SELECT {RECORD_LINE} FROM records WHERE id IN ({marks})")
    }
}

/// Reads `ids` from `store` in their order (a page of the History tab, or a chunk of an
/// export). Ids no longer there (pruned meanwhile) are left out.
pub fn read_lines(
    store: &mut dyn super::HistoryStore,
    ids: &[LineId],
) -> super::Result<Vec<StoredLine>> {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for unparsed in [false, true] {
        let part: Vec<i64> = ids
            .iter()
            .filter(|i| i.is_unparsed() == unparsed)
            .map(|i| i.id())
            .collect();
        if part.is_empty() {
            continue;
        }
        for (id, line) in store.lines_by_id(unparsed, &part)? {
            found.insert(LineId(id), line);
        }
    }
    Ok(ids.iter().filter_map(|i| found.remove(i)).collect())
}

/// Every id `b` matches, in order, judging decoded lines where the filter needs it.
pub fn find_ids(
    store: &mut dyn super::HistoryStore,
    b: &Browse,
    progress: &mut dyn FnMut(u64),
) -> super::Result<Vec<LineId>> {
    let whole = b.needs_check();
    let Some((sql, params)) = ids_sql(b, whole) else {
        return Ok(Vec::new());
    };
    let mut ids = Vec::new();
    let mut seen = 0u64;
    store.line_ids(&sql, &params, whole, &mut |id, line| {
        seen += 1;
        if seen.is_multiple_of(65_536) {
            progress(seen);
        }
        if line.is_none_or(|l| b.matches(l)) {
            ids.push(LineId(id));
        }
        Ok(())
    })?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_sql_where_the_columns_say_it_exactly() {
        let b = Browse {
            sites: vec!["HQ".into()],
            from: NaiveDate::from_ymd_opt(2026, 11, 24),
            to: NaiveDate::from_ymd_opt(2026, 11, 24),
            filter: Filter {
                number: "(714) 512".into(),
                extension: "10".into(),
                ..Default::default()
            },
        };
        let (sql, params) = ids_sql(&b, false).unwrap();
        assert!(sql.starts_with("SELECT id, "), "{sql}");
        // A number or extension filter: unparsed lines cannot match.
        assert!(!sql.contains("FROM unparsed"), "{sql}");
        assert!(sql.contains("LOWER(extension) LIKE ?"), "{sql}");
        assert!(sql.contains("REPLACE(REPLACE("), "{sql}");
        assert_eq!(
            params,
            [
                Param::Text("HQ".into()),
                Param::Text("2026-11-24".into()),
                Param::Text("2026-11-24".into()),
                Param::Text("%10%".into()),
                Param::Text("%714512%".into()),
            ]
        );
        assert!(!b.needs_check());
        let only_unparsed = Browse {
            filter: Filter {
                outcome: OutcomeFilter::Unparsed,
                ..Default::default()
            },
            ..Default::default()
        };
        let (sql, _) = ids_sql(&only_unparsed, true).unwrap();
        assert!(sql.starts_with("SELECT site, ") && !sql.contains("FROM records"));
        assert_eq!(LineId::unparsed(7).id(), 7);
        assert!(LineId::unparsed(7).is_unparsed() && !LineId::record(7).is_unparsed());
    }
}
