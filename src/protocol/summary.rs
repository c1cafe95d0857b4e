//! The shared columns every format maps onto (the live table's columns), borrowed from a record.

use chrono::NaiveDateTime;

use super::{Body, Decoded};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary<'a> {
    /// Date and time of the call or event (5000: date decision + START; MiVB: date + start;
    /// App Suite: timestamp). `None` when undated.
    pub when: Option<NaiveDateTime>,
    /// `IN`, `OUT`, or empty when the record does not say (internal, networked, headers).
    pub direction: &'a str,
    /// Call type (5000, `RING` for ring-in records), event (App Suite), completion in words
    /// (MiVB), `header` or `unparsed`.
    pub what: &'a str,
    pub extension: &'a str,
    pub trunk: &'a str,
    /// Outside number: dialled digits or caller id.
    pub number: &'a str,
    pub duration_s: Option<u32>,
    pub account: &'a str,
    /// Unanswered (5000 `*****` ring-in, MiVB `***`).
    pub unanswered: bool,
}

/// The shared columns of a decoded record.
pub fn summary<'a>(d: &Decoded<'a>) -> Summary<'a> {
    match &d.body {
        Body::Mitel5000Call(c) => Summary {
            when: d.date.date.map(|day| day.and_time(c.start)),
            direction: match c.call_type {
                _ if c.ring_in => "IN",
                "IN" | "DID" | "DSA" => "IN",
                "LOC" | "TLC" | "TLD" | "O/I" | "OP" | "INT" | "000" => "OUT",
                _ => "",
            },
            what: if c.ring_in { "RING" } else { c.call_type },
            extension: c.extension,
            trunk: c.trunk,
            number: c.number(),
            duration_s: Some(c.duration_s),
            account: c.account_code,
            unanswered: c.unanswered_ring(),
        },
        Body::Mitel5000Header(h) => Summary {
            when: h.date.map(|day| day.and_time(h.time.unwrap_or_default())),
            what: if h.title_line { "titles" } else { "header" },
            ..Default::default()
        },
        Body::AppSuiteEvent(e) => Summary {
            when: Some(e.timestamp),
            direction: e.direction,
            what: e.event,
            extension: e.extension,
            trunk: e.trunk,
            number: e.number,
            duration_s: None,
            account: e.account_code,
            unanswered: false,
        },
        Body::MivbCall(c) => {
            let (direction, extension, trunk) = if is_trunk(c.calling_party) {
                ("IN", c.called_party, c.calling_party)
            } else if is_trunk(c.called_party) {
                ("OUT", c.calling_party, c.called_party)
            } else {
                ("", c.calling_party, "")
            };
            Summary {
                when: d.date.date.map(|day| day.and_time(c.start)),
                direction,
                what: mivb_completion(c.completion),
                extension,
                trunk,
                number: c.digits,
                duration_s: Some(c.duration_s),
                account: c.account_code,
                unanswered: c.unanswered,
            }
        }
        Body::Unparsed(_) => Summary {
            what: "unparsed",
            ..Default::default()
        },
    }
}

/// MiVB party codes: `Tnnn` CO trunk, `Xnnn` non-CO trunk (stations and `ATTm` are not trunks).
fn is_trunk(party: &str) -> bool {
    let b = party.as_bytes();
    b.len() > 1 && matches!(b[0], b'T' | b'X') && b[1..].iter().all(u8::is_ascii_digit)
}

fn mivb_completion(code: &str) -> &'static str {
    match code {
        "A" => "answered",
        "B" => "busy",
        "E" => "error",
        "T" => "toll",
        "I" => "internal",
        "" => "call",
        _ => "other",
    }
}

/// The table's Note column: the most telling extra of a record — the reason for an unparsed line,
/// a contact name, a DID or DDI, the 5000 `*` flag, a MiVB transfer. Two parts shown with a
/// space between; borrowed, so the records filter can search it without allocating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Note<'a> {
    pub label: &'a str,
    pub value: &'a str,
}

/// Words a note prints that are not in the record's text (the filter needs to know them: see
/// `filter::Matcher`), besides the 5000 `*` flag's sentences (`HUNG_UP_FIRST`). Everything
/// else a note shows is a piece of the text or an unparsed line's reason.
pub(crate) const NOTE_WORDS: [&str; 2] = ["DID", "DDI"];

impl Note<'_> {
    pub fn is_empty(&self) -> bool {
        self.label.is_empty() && self.value.is_empty()
    }
}

impl std::fmt::Display for Note<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.label.is_empty(), self.value.is_empty()) {
            (false, false) => write!(f, "{} {}", self.label, self.value),
            (false, true) => f.write_str(self.label),
            _ => f.write_str(self.value),
        }
    }
}

/// The Note column of a record.
pub fn note<'b>(body: &'b Body<'_>) -> Note<'b> {
    let value = |value| Note { label: "", value };
    match body {
        Body::Unparsed(reason) => value(reason),
        Body::AppSuiteEvent(e) if !e.contact_name.is_empty() => value(e.contact_name),
        Body::AppSuiteEvent(e) if !e.ddi.is_empty() => Note {
            label: NOTE_WORDS[1],
            value: e.ddi,
        },
        Body::Mitel5000Call(c) if !c.did().is_empty() => Note {
            label: NOTE_WORDS[0],
            value: c.did(),
        },
        Body::Mitel5000Call(c) if c.trunk_disconnect => Note {
            label: c.hung_up_first().unwrap_or_default(),
            value: "",
        },
        Body::MivbCall(c) if !c.third_party.is_empty() => Note {
            label: c.transfer_flag,
            value: c.third_party,
        },
        _ => Note::default(),
    }
}
