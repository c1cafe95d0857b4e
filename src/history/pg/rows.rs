//! PostgreSQL rows back to stored lines and calls, and text without NUL (which PostgreSQL
//! text cannot hold).

use std::borrow::Cow;

use postgres::Row;

use crate::history::rows::{CallRow, StoredLine};

pub(super) fn stored_line(r: &Row) -> StoredLine {
    StoredLine {
        site: with_nul(r.get(0)),
        origin: with_nul(r.get(1)),
        line: r.get(2),
        source: with_nul(r.get(3)),
        received_at: r.get(4),
        utc_offset_s: r.get(5),
        format: r.get(6),
        record_date: r.get(7),
        date_source: r.get(8),
        padding: with_nul(r.get(9)),
        raw: with_nul(r.get(10)),
        reason: r.get::<_, Option<String>>(11).map(with_nul),
    }
}

pub(super) fn call_row(r: &Row) -> CallRow {
    CallRow {
        site: with_nul(r.get(0)).into(),
        call_key: with_nul(r.get(1)),
        format: r.get(2),
        call_id: with_nul(r.get(3)),
        start: r.get(4),
        day: r.get(5),
        hour: r.get(6),
        end: r.get(7),
        direction: with_nul(r.get(8)),
        number: with_nul(r.get(9)),
        contact_name: with_nul(r.get(10)),
        ddi: with_nul(r.get(11)),
        trunk: with_nul(r.get(12)),
        outcome: r.get(13),
        answered_by: r.get::<_, Option<String>>(14).map(with_nul),
        time_to_answer_s: r.get(15),
        wait_s: r.get(16),
        talk_s: r.get(17),
        hold_s: r.get(18),
        queued_s: r.get(19),
        transfers: r.get(20),
        diversions: r.get(21),
        path: with_nul(r.get(22)),
        events: with_nul(r.get(23)),
    }
}

/// PostgreSQL text cannot hold NUL (old collectors' logs and framing garbage can): stored as
/// U+2400 SYMBOL FOR NULL and turned back when read.
pub(super) fn nul_free(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{2400}"))
    } else {
        Cow::Borrowed(s)
    }
}

pub(super) fn with_nul(s: String) -> String {
    if s.contains('\u{2400}') {
        s.replace('\u{2400}', "\0")
    } else {
        s
    }
}

pub(super) fn call_nul_free(c: &CallRow) -> Cow<'_, CallRow> {
    let texts = [
        &c.call_id,
        &c.direction,
        &c.number,
        &c.contact_name,
        &c.ddi,
        &c.trunk,
        &c.path,
        &c.events,
    ];
    if texts.iter().all(|t| !t.contains('\0'))
        && c.answered_by.as_ref().is_none_or(|a| !a.contains('\0'))
        && !c.site.contains('\0')
    {
        return Cow::Borrowed(c);
    }
    let fix = |s: &str| nul_free(s).into_owned();
    let mut c = c.clone();
    c.site = fix(&c.site).into();
    c.call_key = fix(&c.call_key);
    c.call_id = fix(&c.call_id);
    c.direction = fix(&c.direction);
    c.number = fix(&c.number);
    c.contact_name = fix(&c.contact_name);
    c.ddi = fix(&c.ddi);
    c.trunk = fix(&c.trunk);
    c.path = fix(&c.path);
    c.events = fix(&c.events);
    c.answered_by = c.answered_by.as_deref().map(fix);
    Cow::Owned(c)
}
