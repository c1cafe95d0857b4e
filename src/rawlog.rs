//! The raw day log's own conventions, shared by whoever writes it (the collectors), reads it
//! back (import, history, relays) or names its files (history's ingest, the window): a site's
//! file name, and each line's receipt-time prefix `<RFC 3339 time, ms>\t<record text>`.
//! Neutral ground, so none of them owns it.

use chrono::{DateTime, FixedOffset, Local};

/// A site name made safe for a file and folder name: letters, digits, `-`, `_`, `.`; anything
/// else becomes `_`. Never empty, never only dots, never a Windows device name.
pub fn file_name_for(site: &str) -> String {
    let mut s: String = site
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    s = s.trim_matches('.').to_string();
    if s.is_empty() {
        s = "site".into();
    }
    const RESERVED: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
    let upper = s.to_ascii_uppercase();
    let stem = upper.split('.').next().unwrap_or("");
    let device = RESERVED.contains(&stem)
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        s.insert(0, '_');
    }
    s
}

/// The receipt-time stamp of raw and connection logs: RFC 3339, milliseconds, local offset.
pub fn stamp(at: &DateTime<Local>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// A raw-day-log line: `2026-11-22T14:02:11.123+01:00<TAB>text`. Other lines have no time.
pub fn split_receipt_time(line: &[u8]) -> (Option<DateTime<FixedOffset>>, &[u8]) {
    // What chrono's RFC 3339 reading needs first, and a record's text (a MiVB line, an App
    // Suite event's `2012-03-09 01:20:43 |`) seldom has: `-` at byte 4, and a fraction or an
    // offset at byte 19 (`.`, `Z`, a sign, or the first byte of U+2212 `−`).
    if line.get(4) != Some(&b'-')
        || !matches!(line.get(19), Some(b'.' | b'Z' | b'z' | b'+' | b'-' | 0xE2))
    {
        return (None, line);
    }
    stamped(line)
}

/// [`split_receipt_time`] without its quick test.
fn stamped(line: &[u8]) -> (Option<DateTime<FixedOffset>>, &[u8]) {
    // RFC 3339 with offset is 20 to 35 bytes; look for the tab only near the start.
    let Some(tab) = memchr::memchr(b'\t', &line[..line.len().min(40)]) else {
        return (None, line);
    };
    let stamp = std::str::from_utf8(&line[..tab]).ok();
    match stamp.and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
        Some(t) => (Some(t), &line[tab + 1..]),
        None => (None, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitised_names() {
        assert_eq!(file_name_for("Demo 5000"), "Demo_5000");
        assert_eq!(file_name_for("../etc/passwd"), "_etc_passwd");
        assert_eq!(file_name_for("  "), "site");
        assert_eq!(file_name_for("CON"), "_CON");
        assert_eq!(file_name_for("com1.txt"), "_com1.txt");
        assert_eq!(file_name_for("Zürich HQ"), "Z_rich_HQ");
    }

    #[test]
    fn receipt_time_prefix() {
        let (t, rest) = split_receipt_time(b"2026-11-22T00:10:00.250+01:00\tNET 1234");
        assert_eq!(t.unwrap().to_rfc3339(), "2026-11-22T00:10:00.250+01:00");
        assert_eq!(rest, b"NET 1234");
        let (t, rest) = split_receipt_time(b"NET\t1234");
        assert!(t.is_none());
        assert_eq!(rest, b"NET\t1234");
        let (t, rest) = split_receipt_time(b"2026-11-22T00:10:00Z\tNET 1234");
        assert_eq!(t.unwrap().to_rfc3339(), "2026-11-22T00:10:00+00:00");
        assert_eq!(rest, b"NET 1234");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Stamps of every shape chrono reads (fraction or not, `Z`, `z`, signs, U+2212) and
        /// ones it does not, spoilt at any byte: read as without the quick test.
        #[test]
        fn the_quick_test_rules_out_only_lines_chrono_would_not_read(
            date in "[0-9]{4}-[01][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-5][0-9]:[0-6][0-9]",
            fraction in "(\\.[0-9]{1,9})?",
            offset in "(Z|z|[+−-][0-2][0-9]:[0-5][0-9]|[+-][0-9]{4}|UTC|)",
            rest in "[ -~\t]{0,20}",
            spoil in proptest::option::of((0usize..40, proptest::prelude::any::<u8>())),
        ) {
            let mut line = format!("{date}{fraction}{offset}\t{rest}").into_bytes();
            if let Some((at, byte)) = spoil
                && let Some(b) = line.get_mut(at)
            {
                *b = byte;
            }
            proptest::prop_assert_eq!(split_receipt_time(&line), stamped(&line));
        }
    }
}
