//! Bytes written as hex for people, one way everywhere: the connection log, the probe, the raw
//! view, the detail pane and a capture's masked login frame.

use std::fmt::Write as _;

/// `8F 9A 00`; the bytes `hide` picks (by index) are shown as `**`.
pub fn hex_masked(bytes: &[u8], hide: impl Fn(usize) -> bool) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        if hide(i) {
            s.push_str("**");
        } else {
            let _ = write!(s, "{b:02X}");
        }
    }
    s
}

/// `8F 9A 00`.
pub fn hex(bytes: &[u8]) -> String {
    hex_masked(bytes, |_| false)
}

/// Hex of the first `max` bytes, e.g. `8F 9A 00 … (+12 more bytes)`.
pub fn hex_preview(bytes: &[u8], max: usize) -> String {
    let mut s = hex(&bytes[..bytes.len().min(max)]);
    if bytes.len() > max {
        let _ = write!(s, " … (+{} more bytes)", bytes.len() - max);
    }
    s
}

/// Classic hex dump: offset, 16 bytes in hex, then the printable characters.
pub fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        let _ = writeln!(out, "{:04X}  {:<47}  {ascii}", i * 16, hex(chunk));
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_and_masks() {
        assert_eq!(hex_preview(b"\x8f\x9a", 8), "8F 9A");
        assert_eq!(hex_preview(b"abcdef", 2), "61 62 … (+4 more bytes)");
        assert_eq!(hex_masked(b"\x01\x02\x03", |i| i == 1), "01 ** 03");
        assert_eq!(hex(b""), "");
    }

    #[test]
    fn hex_dump_lines() {
        let d = hex_dump(b"R\0\0\0TLC 104");
        assert_eq!(
            d,
            "0000  52 00 00 00 54 4C 43 20 31 30 34                 R...TLC 104"
        );
    }
}
