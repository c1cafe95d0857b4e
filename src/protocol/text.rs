//! Small, allocation-free helpers for cutting fields out of record text.
//!
//! Record text is ASCII almost always: the helpers work on bytes (padding, delimiters and
//! whitespace are ASCII, so a cut there is always on a character boundary) and decode
//! characters only where a byte is not ASCII. `benches/decode.rs` measures them.

mod columns;
mod content;

pub use columns::{AsciiColumns, ColumnText, Columns};

/// The text between two 0-based byte columns (end exclusive), clamped to the line and to
/// character boundaries so a stray multi-byte character can never cause a panic.
#[inline]
pub fn cols(line: &str, start: usize, end: usize) -> &str {
    let a = floor_boundary(line, start);
    let b = floor_boundary(line, end);
    line.get(a..b).unwrap_or("")
}

/// `i` clamped to the line and moved back to a character boundary (checked first: in ASCII
/// text every index is one).
#[inline]
fn floor_boundary(line: &str, i: usize) -> usize {
    let i = i.min(line.len());
    if line.is_char_boundary(i) {
        i
    } else {
        line.floor_char_boundary(i)
    }
}

/// `bytes.is_ascii()`, faster on record-sized lines: eight bytes at a time, OR-ed (the
/// standard check costs more than the UTF-8 validation before it).
#[inline]
pub fn is_ascii(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut acc = 0u64;
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        acc |= u64::from_ne_bytes(b);
    }
    let tail = words.remainder().iter().fold(0u8, |a, b| a | b);
    acc & 0x8080_8080_8080_8080 == 0 && tail < 0x80
}

/// The bytes as text when they are ASCII: [`is_ascii`] is the whole check, where
/// `str::from_utf8` would check them again (a record's ASCII check and UTF-8 validation were
/// a tenth of decoding a 5000 frame).
#[inline]
pub fn ascii_str(bytes: &[u8]) -> Option<&str> {
    if !is_ascii(bytes) {
        return None;
    }
    // SAFETY: every ASCII byte sequence is valid UTF-8 (each byte below 0x80 is a character).
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// Text for fixed-column record bytes: one character per byte, each byte ≥ 0x80 one U+FFFD
/// (a lossy UTF-8 conversion would make a valid multi-byte sequence one column, an invalid
/// byte one, and shift what follows). Borrowed when the bytes are ASCII.
pub fn fixed_column_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match ascii_str(bytes) {
        Some(text) => std::borrow::Cow::Borrowed(text),
        None => bytes
            .iter()
            .map(|&b| {
                if b.is_ascii() {
                    char::from(b)
                } else {
                    '\u{fffd}'
                }
            })
            .collect(),
    }
}

/// For text shaped `xx:xx:xx` (the common case, no split needed): `Some` of its seconds, or of
/// `None` when it is not a time of day's shape in digits. `None` for any other shape.
#[inline]
pub fn fixed_hh_mm_ss(s: &str) -> Option<Option<u32>> {
    let b: [u8; 8] = s.as_bytes().try_into().ok()?;
    if b[2] != b':' || b[5] != b':' {
        return None;
    }
    // The eight bytes as one word, each less '0' by XOR: a digit becomes 0-9 and nothing else
    // does. A byte above 9 (its low seven bits plus 0x76 reach bit 7, or bit 7 was set) at a
    // digit's place is not a digit; the colons' places are left out of the check.
    let d = u64::from_le_bytes(b) ^ 0x3030_3030_3030_3030;
    let above_nine = ((d & 0x7f7f_7f7f_7f7f_7f7f) + 0x7676_7676_7676_7676) | d;
    if above_nine & 0x8080_0080_8000_8080 != 0 {
        return Some(None);
    }
    let d = d.to_le_bytes();
    let two = |i: usize| u32::from(d[i]) * 10 + u32::from(d[i + 1]);
    let (h, m, sec) = (two(0), two(3), two(6));
    Some((m < 60 && sec < 60).then_some(h * 3600 + m * 60 + sec))
}

/// [`cols`] trimmed of spaces and NULs, which pad fixed-width fields.
#[inline]
pub fn field(line: &str, start: usize, end: usize) -> &str {
    trim(cols(line, start, end))
}

/// `s` without leading and trailing spaces, NULs and tabs.
#[inline]
pub fn trim(s: &str) -> &str {
    let pad = |b: &u8| matches!(b, b' ' | b'\0' | b'\t');
    let b = s.as_bytes();
    let Some(start) = b.iter().position(|c| !pad(c)) else {
        return "";
    };
    let end = b.iter().rposition(|c| !pad(c)).map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or("")
}

/// The byte at a column, or a space past the end (short lines are padded, not rejected).
#[inline]
pub fn byte_at(line: &str, col: usize) -> u8 {
    line.as_bytes().get(col).copied().unwrap_or(b' ')
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
#[inline]
pub fn two_digits(b: &[u8], at: usize) -> Option<u32> {
    let hi = *b.get(at)?;
    let lo = *b.get(at + 1)?;
    (hi.is_ascii_digit() && lo.is_ascii_digit())
        .then(|| u32::from(hi - b'0') * 10 + u32::from(lo - b'0'))
}

/// Strips a padding character from the left of a numeric field: an all-padding field is empty.
pub fn strip_left_padding(s: &str, padding: char) -> &str {
    let t = trim(s);
    match u8::try_from(padding).ok().filter(u8::is_ascii) {
        Some(p) => {
            let n = t.bytes().take_while(|&b| b == p).count();
            t.get(n..).unwrap_or("")
        }
        None => t.trim_start_matches(padding),
    }
}

/// A text field that is nothing but padding is empty; otherwise it is kept as printed.
pub fn unpad_text(s: &str, padding: char) -> &str {
    let t = trim(s);
    let all_padding = match u8::try_from(padding).ok().filter(u8::is_ascii) {
        Some(p) => t.bytes().all(|b| b == p),
        None => t.chars().all(|c| c == padding),
    };
    if !t.is_empty() && all_padding { "" } else { t }
}

/// Whitespace-separated tokens, exactly as [`str::split_whitespace`] gives them, without
/// decoding ASCII bytes into characters.
pub fn tokens(s: &str) -> Tokens<'_> {
    Tokens { rest: s }
}

pub struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let start = boundary::<true>(self.rest);
        let rest = self.rest.get(start..).unwrap_or("");
        if rest.is_empty() {
            self.rest = rest;
            return None;
        }
        let end = boundary::<false>(rest);
        self.rest = rest.get(end..).unwrap_or("");
        rest.get(..end)
    }
}

/// `char::is_whitespace` for ASCII bytes: tab, LF, VT, FF, CR and space, as bits.
const ASCII_SPACE: u64 = 1 << b'\t' | 1 << b'\n' | 1 << 0x0B | 1 << 0x0C | 1 << b'\r' | 1 << b' ';

/// The byte index of the first character that is (`!IN_SPACE`) or is not (`IN_SPACE`) white
/// space, or the length. (A constant parameter: each of the two loops compiles on its own.)
fn boundary<const IN_SPACE: bool>(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let (space, len) = if c.is_ascii() {
            (c <= b' ' && ASCII_SPACE >> c & 1 == 1, 1)
        } else {
            match s.get(i..).and_then(|t| t.chars().next()) {
                Some(ch) => (ch.is_whitespace(), ch.len_utf8()),
                None => (false, 1),
            }
        };
        if space != IN_SPACE {
            return i;
        }
        i += len;
    }
    b.len()
}

/// The pieces of `s` between `delimiter`s, as `s.split(char::from(delimiter))` gives them,
/// the delimiters found by a vectorised byte search. `delimiter` must be ASCII.
pub fn split_at_byte(s: &str, delimiter: u8) -> impl Iterator<Item = &str> {
    let mut from = Some(0);
    let mut hits = memchr::memchr_iter(delimiter, s.as_bytes());
    std::iter::from_fn(move || {
        let start = from?;
        let end = hits.next();
        from = end.map(|i| i + 1);
        s.get(start..end.unwrap_or(s.len()))
    })
}

/// Drops the line terminator (any mix of CR and LF at the end).
pub fn strip_eol(s: &str) -> &str {
    // Bytes, not `trim_end_matches` with a char pattern: this runs once or twice a record.
    let end = s
        .as_bytes()
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    s.get(..end).unwrap_or(s)
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
    fn ascii_str_takes_ascii_only() {
        assert_eq!(ascii_str(b"TLC 11202 08:36"), Some("TLC 11202 08:36"));
        assert_eq!(ascii_str(b""), Some(""));
        assert_eq!(ascii_str(b"\0\t~\x7f"), Some("\0\t~\x7f"));
        // Valid UTF-8 that is not ASCII, a stray byte at each place a word check has.
        assert_eq!(ascii_str("caf\u{e9}".as_bytes()), None);
        for at in 0..20 {
            let mut b = vec![b'a'; 20];
            b[at] = 0x80;
            assert_eq!(ascii_str(&b), None, "{at}");
        }
    }

    #[test]
    fn cols_are_clamped_and_boundary_safe() {
        assert_eq!(cols("abcdef", 2, 4), "cd");
        assert_eq!(cols("abc", 2, 10), "c");
        assert_eq!(cols("abc", 5, 10), "");
        // 'é' is two bytes: cutting inside it moves back to the boundary instead of panicking.
        assert_eq!(cols("aé b", 0, 2), "a");
        assert_eq!(cols("aé b", 2, 5), "é b");
        assert_eq!(cols("abc", 2, 1), "");
        assert_eq!(fixed_hh_mm_ss("01:02:03"), Some(Some(3723)));
        assert_eq!(fixed_hh_mm_ss("01:60:03"), Some(None));
        assert_eq!(fixed_hh_mm_ss("0a:00:03"), Some(None));
        assert_eq!(fixed_hh_mm_ss("123:4:56"), None);
        assert_eq!(fixed_hh_mm_ss("99:59:59"), Some(Some(359_999)));
    }

    /// The word-at-a-time check against the plain one, for every byte at every place.
    #[test]
    fn fixed_hh_mm_ss_is_the_digit_by_digit_reading() {
        let plain = |s: &str| {
            let b = s.as_bytes();
            if b.len() != 8 || b[2] != b':' || b[5] != b':' {
                return None;
            }
            Some(
                match (two_digits(b, 0), two_digits(b, 3), two_digits(b, 6)) {
                    (Some(h), Some(m), Some(sec)) if m < 60 && sec < 60 => {
                        Some(h * 3600 + m * 60 + sec)
                    }
                    _ => None,
                },
            )
        };
        for base in ["12:34:56", "00:00:00", "99:59:59", "09:60:09"] {
            for at in 0..8 {
                for c in (0u8..=0x7f).map(char::from).chain(['é', '\u{fffd}']) {
                    let mut s: Vec<char> = base.chars().collect();
                    s[at] = c;
                    let s: String = s.into_iter().collect();
                    assert_eq!(fixed_hh_mm_ss(&s), plain(&s), "{s:?}");
                }
            }
        }
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
    fn tokens_split_like_split_whitespace() {
        for s in [
            "",
            "   ",
            " a  bc\td ",
            "x\u{a0}y z",
            "\u{3000}lead trail\u{2029}",
            "a\u{b}b\u{c}c\u{85}d",
            "é ü",
            "\0a\0 b",
        ] {
            let ours: Vec<&str> = tokens(s).collect();
            let std: Vec<&str> = s.split_whitespace().collect();
            assert_eq!(ours, std, "{s:?}");
        }
        assert_eq!(trim("\0 \tab c\t \0"), "ab c");
        assert_eq!(trim(" \0 "), "");
        for n in 0..40usize {
            for (i, c) in [(0, 'x'), (n / 2, 'y'), (n.saturating_sub(1), 'z')] {
                let mut t: Vec<u8> = vec![b' '; n];
                if n > 0 {
                    t[i] = c as u8;
                }
                let t = String::from_utf8(t).unwrap();
                assert_eq!(trim(&t), t.trim_matches([' ', '\0', '\t']), "{t:?}");
            }
        }
        assert_eq!(trim("é "), "é");
        assert_eq!(strip_left_padding("**12", '*'), "12");
        assert_eq!(strip_left_padding("ééx", 'é'), "x");
        assert_eq!(unpad_text("éé", 'é'), "");
        for line in ["", "|", "a|b||c|", "||", "é|ü|"] {
            let ours: Vec<&str> = split_at_byte(line, b'|').collect();
            let std: Vec<&str> = line.split('|').collect();
            assert_eq!(ours, std, "{line:?}");
        }
    }

    #[test]
    fn columns_count_one_per_received_byte() {
        let text = fixed_column_text(b"ab\xffcd\xc3\xa9e");
        assert_eq!(text, "ab\u{fffd}cd\u{fffd}\u{fffd}e");
        let c = Columns::new(&text);
        assert_eq!(c.width(), 8);
        assert_eq!(c.cols(3, 5), "cd");
        assert_eq!(c.cols(1, 3), "b\u{fffd}");
        assert_eq!(c.field(7, 20), "e");
        assert_eq!(
            (c.byte_at(2), c.byte_at(3), c.byte_at(30)),
            (0x80, b'c', b' ')
        );
        assert_eq!(Columns::new("x\u{fffd}12").two_digits(2), Some(12));
        assert_eq!(Columns::new("x\u{fffd}12").two_digits(1), None);
        assert!(matches!(
            fixed_column_text(b"plain"),
            std::borrow::Cow::Borrowed("plain")
        ));
        assert!(is_ascii(b"plain\0\x7f") && !is_ascii(b"x\x80") && is_ascii(b""));
        let ascii = Columns::new("abcdef");
        assert_eq!(
            (ascii.cols(2, 4), ascii.width(), ascii.byte_at(9)),
            ("cd", 6, b' ')
        );
    }

    proptest::proptest! {
        /// An ASCII line's fields trimmed by its padding mask are the byte loop's, wherever
        /// the columns fall: inside the mask, across its end, past the line.
        #[test]
        fn masked_trim_is_the_byte_trim(
            line in proptest::collection::vec(
                proptest::sample::select(vec![b' ', b'\0', b'\t', b'a', b'7', b'*']),
                0..260,
            ),
            start in 0usize..270,
            width in 0usize..80,
        ) {
            let line = String::from_utf8(line).unwrap();
            let end = start + width;
            let want = field(&line, start, end);
            proptest::prop_assert_eq!(Columns::new(&line).field(start, end), want);
        }
    }

    #[test]
    fn legacy_prefix() {
        assert_eq!(strip_legacy_prefix("R\0\0\0NET 1234"), "NET 1234");
        assert_eq!(strip_legacy_prefix("Q   Station"), "Station");
        assert_eq!(strip_legacy_prefix("    ***** 94129"), "    ***** 94129");
        assert_eq!(strip_legacy_prefix("RING"), "RING");
    }
}
