//! The 32-byte row kept per record, and the packing of its times and enums.

use chrono::{DateTime, NaiveDateTime};

use crate::protocol::{DateSource, Format, Kind};

use crate::protocol::summary::Summary;

/// `Row::duration` when the record has none (App Suite events, headers, unparsed lines).
pub const NO_DURATION: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    /// Byte offset of the text in its chunk.
    pub offset: u32,
    pub chunk: u16,
    pub len: u16,
    /// Interned site, origin, padding and UTC offset.
    pub src: u32,
    pub line: u32,
    /// Receipt time, UTC, packed by [`pack_time`]; 0 when unknown.
    pub received: u32,
    /// When the call or event happened, local, packed; 0 when unknown.
    pub when: u32,
    pub duration: u32,
    pub date_source: u8,
    pub format: u8,
    pub kind: u8,
    pub flags: u8,
}

const _: () = assert!(std::mem::size_of::<Row>() == 32);

pub(super) mod flags {
    use super::{Kind, Summary};

    pub const UNANSWERED: u8 = 1;
    pub const ANSWERED: u8 = 2;
    /// The row has an entry in the store's extras (bytes, problem or long text).
    pub const EXTRA: u8 = 4;

    pub fn from_summary(s: &Summary<'_>, kind: Kind) -> u8 {
        if kind != Kind::Call {
            0
        } else if s.unanswered {
            UNANSWERED
        } else {
            ANSWERED
        }
    }
}

/// Seconds since 2000-01-01 00:00:00 (+1, so that 0 means "none"): four bytes reach 2136.
const EPOCH_2000: i64 = 946_684_800;

pub(super) fn pack_time(t: NaiveDateTime) -> u32 {
    let s = t.and_utc().timestamp() - EPOCH_2000 + 1;
    u32::try_from(s).unwrap_or(0)
}

/// The time [`pack_time`] packed, `None` for 0.
pub fn unpack_time(p: u32) -> Option<NaiveDateTime> {
    if p == 0 {
        return None;
    }
    DateTime::from_timestamp(i64::from(p) - 1 + EPOCH_2000, 0).map(|t| t.naive_utc())
}

const FORMATS: [Format; 4] = Format::ALL;
const KINDS: [Kind; 4] = [Kind::Call, Kind::Header, Kind::Event, Kind::Unparsed];
const DATE_SOURCES: [DateSource; 6] = [
    DateSource::Unknown,
    DateSource::Printed,
    DateSource::Receipt,
    DateSource::Header,
    DateSource::Given,
    DateSource::YearInferred,
];

pub(super) fn format_of(b: u8) -> Format {
    FORMATS.get(b as usize).copied().unwrap_or(Format::Unknown)
}

pub(super) fn kind_of(b: u8) -> Kind {
    KINDS.get(b as usize).copied().unwrap_or(Kind::Unparsed)
}

pub(super) fn date_source_of(b: u8) -> DateSource {
    DATE_SOURCES
        .get(b as usize)
        .copied()
        .unwrap_or(DateSource::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_bytes() {
        for f in FORMATS {
            assert_eq!(format_of(f as u8), f);
        }
        for k in KINDS {
            assert_eq!(kind_of(k as u8), k);
        }
        for d in DATE_SOURCES {
            assert_eq!(date_source_of(d as u8), d);
        }
    }

    #[test]
    fn times_round_trip() {
        let t = NaiveDateTime::parse_from_str("2012-03-09 01:31:27", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(unpack_time(pack_time(t)), Some(t));
        let y2k =
            NaiveDateTime::parse_from_str("2000-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(unpack_time(pack_time(y2k)), Some(y2k));
        let before =
            NaiveDateTime::parse_from_str("1999-12-31 23:59:59", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(pack_time(before), 0);
        assert_eq!(unpack_time(0), None);
    }
}
