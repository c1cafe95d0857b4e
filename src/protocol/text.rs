//! Small, allocation-free helpers for cutting fields out of record text.

/// The text between two 0-based byte columns (end exclusive), clamped to the line and to
/// character boundaries so a stray multi-byte character can never cause a panic.
pub fn cols(line: &str, start: usize, end: usize) -> &str {
    let len = line.len();
    let a = line.floor_char_boundary(start.min(len));
    let b = line.floor_char_boundary(end.min(len));
    if a >= b { "" } else { &line[a..b] }
}

/// [`cols`] trimmed of spaces and NULs, which pad fixed-width fields.
pub fn field(line: &str, start: usize, end: usize) -> &str {
    trim(cols(line, start, end))
}

pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c == ' ' || c == '\0' || c == '\t')
}

/// The byte at a column, or a space past the end (short lines are padded, not rejected).
pub fn byte_at(line: &str, col: usize) -> u8 {
    line.as_bytes().get(col).copied().unwrap_or(b' ')
}

pub fn is_digit_at(line: &str, col: usize) -> bool {
    byte_at(line, col).is_ascii_digit()
}

/// Parses ASCII digits without allocating; `None` for empty input, any other character, or overflow.
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    s.bytes().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Two ASCII digits at `at` as a number.
pub fn two_digits(b: &[u8], at: usize) -> Option<u32> {
    let hi = *b.get(at)?;
    let lo = *b.get(at + 1)?;
    (hi.is_ascii_digit() && lo.is_ascii_digit())
        .then(|| u32::from(hi - b'0') * 10 + u32::from(lo - b'0'))
}

/// Strips a padding character from the left of a numeric field: an all-padding field is empty.
pub fn strip_left_padding(s: &str, padding: char) -> &str {
    trim(s).trim_start_matches(padding)
}

/// A text field that is nothing but padding is empty; otherwise it is kept as printed.
pub fn unpad_text(s: &str, padding: char) -> &str {
    let t = trim(s);
    if !t.is_empty() && t.chars().all(|c| c == padding) {
        ""
    } else {
        t
    }
}

/// Drops the line terminator (any mix of CR and LF at the end).
pub fn strip_eol(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

/// Removes the seed script's artefact: its logs start each line with the length prefix rendered
/// as text, `R`/`Q` (0x52/0x51) then three NUL bytes (shown as spaces once copied).
pub fn strip_legacy_prefix(line: &str) -> &str {
    let b = line.as_bytes();
    if b.len() >= 4 && matches!(b[0], b'R' | b'Q') && b[1..4].iter().all(|&c| c == 0 || c == b' ') {
        // A real 5000 record with `TYP` blank starts with four spaces, never with R/Q then
        // spaces; an App Suite or MiVB line never starts with R/Q.
        &line[4..]
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cols_are_clamped_and_boundary_safe() {
        assert_eq!(cols("abcdef", 2, 4), "cd");
        assert_eq!(cols("abc", 2, 10), "c");
        assert_eq!(cols("abc", 5, 10), "");
        // 'é' is two bytes: cutting inside it moves back to the boundary instead of panicking.
        assert_eq!(cols("aé b", 0, 2), "a");
        assert_eq!(cols("aé b", 2, 5), "é b");
    }

    #[test]
    fn numbers_and_padding() {
        assert_eq!(parse_u32("0226"), Some(226));
        assert_eq!(parse_u32(""), None);
        assert_eq!(parse_u32("2a"), None);
        assert_eq!(parse_u32("9999999999"), None);
        assert_eq!(strip_left_padding("0000079XXXXXXXX", '0'), "79XXXXXXXX");
        assert_eq!(strip_left_padding("000000000000", '0'), "");
        assert_eq!(unpad_text("00000", '0'), "");
        assert_eq!(unpad_text(" CHRIS R MOBILE ", '0'), "CHRIS R MOBILE");
    }

    #[test]
    fn legacy_prefix() {
        assert_eq!(strip_legacy_prefix("R\0\0\0NET 1234"), "NET 1234");
        assert_eq!(strip_legacy_prefix("Q   Station"), "Station");
        assert_eq!(strip_legacy_prefix("    ***** 94129"), "    ***** 94129");
        assert_eq!(strip_legacy_prefix("RING"), "RING");
    }
}
