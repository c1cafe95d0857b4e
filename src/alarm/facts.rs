//! What the rules read of one decoded record, the same for the three formats: borrowed from the
//! record, no allocation.

use chrono::NaiveDateTime;

use crate::protocol::{Body, Decoded};

/// Which way a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    In,
    /// Out on a trunk: an outside call.
    Out,
    Internal,
    /// A call type that says neither (5000 `NET`, `CNF`).
    Other,
}

impl Dir {
    /// `IN`, `OUT`, `INTERNAL` as the calls view prints them (App Suite directions as printed).
    pub fn of_call(direction: &str) -> Self {
        match direction.trim() {
            "IN" => Self::In,
            "OUT" => Self::Out,
            "INTERNAL" | "INT" => Self::Internal,
            _ => Self::Other,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub direction: Dir,
    /// Digits dialled (outgoing, internal and other calls); empty otherwise.
    pub dialled: &'a str,
    /// Caller id (incoming calls); empty otherwise.
    pub calling: &'a str,
    /// Our side: the extension that dialled, or that the incoming call reached.
    pub extension: &'a str,
    /// The call's time as the PBX printed it (the site's wall clock), when dated.
    pub when: Option<NaiveDateTime>,
    /// Whether `when` has seconds (5000 and standard MiVB times are `HH:MM`).
    pub seconds: bool,
    /// How long the call lasted, from a 5000 or MiVB record.
    pub duration_s: Option<u32>,
    /// 5000 call type (`TLD`, `O/I`…); empty otherwise.
    pub call_type: &'a str,
    /// App Suite: the call id every event of the call carries.
    pub call_id: Option<&'a str>,
}

/// The facts of a call record or event; `None` for headers and unparsed lines.
pub fn of<'a>(d: &Decoded<'a>) -> Option<Facts<'a>> {
    let date = d.date.date;
    match &d.body {
        Body::AppSuiteEvent(e) => {
            let direction = Dir::of_call(e.direction);
            Some(Facts {
                direction,
                dialled: if direction == Dir::In { "" } else { e.number },
                calling: if direction == Dir::In { e.number } else { "" },
                extension: e.extension,
                when: Some(e.timestamp),
                seconds: true,
                duration_s: None,
                call_type: "",
                call_id: Some(e.call_id),
            })
        }
        Body::Mitel5000Call(c) => {
            let incoming = c.ring_in || matches!(c.call_type, "IN" | "DID" | "DSA");
            let direction = match c.call_type {
                _ if incoming => Dir::In,
                "LOC" | "TLC" | "TLD" | "O/I" | "OP" | "INT" | "000" => Dir::Out,
                _ => Dir::Other,
            };
            Some(Facts {
                direction,
                dialled: if incoming { "" } else { c.number() },
                calling: if incoming { c.number() } else { "" },
                extension: if c.unanswered_ring() { "" } else { c.extension },
                when: date.map(|day| day.and_time(c.start)),
                seconds: false,
                // A ring-in's ELAPSED is its ring time, not a call's length.
                duration_s: (!c.ring_in).then_some(c.duration_s),
                call_type: c.call_type,
                call_id: None,
            })
        }
        Body::MivbCall(c) => {
            let trunk = |p: &str| {
                let b = p.as_bytes();
                matches!(b.first(), Some(b'T' | b'X')) && b.get(1).is_some_and(u8::is_ascii_digit)
            };
            let internal = c.completion == "I";
            let direction = if internal {
                Dir::Internal
            } else if trunk(c.calling_party) {
                Dir::In
            } else if trunk(c.called_party) {
                Dir::Out
            } else {
                Dir::Internal
            };
            let incoming = direction == Dir::In;
            Some(Facts {
                direction,
                dialled: if incoming { "" } else { c.digits },
                calling: if incoming { c.ani.unwrap_or("") } else { "" },
                extension: if incoming {
                    c.called_party
                } else {
                    c.calling_party
                },
                when: date.map(|day| day.and_time(c.start)),
                seconds: c.layout.level2,
                duration_s: Some(c.duration_s),
                call_type: "",
                call_id: None,
            })
        }
        Body::Mitel5000Header(_) | Body::Unparsed(_) => None,
    }
}
