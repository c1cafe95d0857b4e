//! JSON lines: one object per record, written directly (no intermediate map).
//!
//! Strings are escaped by serde_json, with one difference kept from the first versions of
//! this writer, so the output stays what it was: backspace and form feed are written
//! `\u0008` and `\u000c` (serde_json writes `\b` and `\f`; both read back the same). Most
//! strings need no escape at all: a word-at-a-time scan finds those and copies them whole.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serializer as _;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

use super::plain::{self, Dates, Keys, Line, SourceText};
use crate::protocol::fields::{FieldSink, Value, visit_fields_into};
use crate::protocol::{Decoded, Source};

/// Writes one record as a JSON object on one line.
pub fn write_record(out: &mut impl Write, d: &Decoded<'_>, source: &Source) -> io::Result<()> {
    let mut buf = Vec::with_capacity(512);
    Encoder::default().record(&mut buf, d, source);
    out.write_all(&buf)
}

/// Writes records as JSON lines into a buffer, keeping what can be reused between records.
#[derive(Default)]
pub struct Encoder {
    scratch: String,
    source: SourceText,
    keys: Keys,
    dates: Dates,
}

impl Encoder {
    /// Appends one record's line to `buf`.
    pub fn record(&mut self, buf: &mut Vec<u8>, d: &Decoded<'_>, source: &Source) {
        self.record_at(buf, d, source, None);
    }

    /// [`Self::record`], with the window's export fields when `site` is given
    /// ([`visit_export_fields`](crate::protocol::fields::visit_export_fields)).
    #[inline]
    pub fn record_at(
        &mut self,
        buf: &mut Vec<u8>,
        d: &Decoded<'_>,
        source: &Source,
        site: Option<&str>,
    ) {
        // When the record's text needs no escape, neither does any field cut from it.
        let mut out = Fields {
            line: Line::new(d.text, !needs_escape(d.text.as_bytes())),
            buf,
            source,
            encoder: self,
            k: 0,
        };
        visit_fields_into(d, source, site, &mut out);
        let buf = out.buf;
        buf.extend_from_slice(b"}\n");
    }

    /// Appends a value: a number, `true`/`false`, `null` or a string.
    pub fn value(&mut self, buf: &mut Vec<u8>, v: Value<'_>) {
        if is_string(v) {
            buf.push(b'"');
        }
        value_after_key(buf, v, &mut self.scratch);
    }
}

/// One record's fields being written: what [`Encoder::record_at`] lends each field.
struct Fields<'x> {
    buf: &'x mut Vec<u8>,
    line: Line<'x>,
    source: &'x Source,
    encoder: &'x mut Encoder,
    /// The field's place in the record.
    k: usize,
}

impl<'b> FieldSink<'b> for Fields<'_> {
    const INLINE: bool = true;

    #[inline(always)]
    fn field(&mut self, name: &'static str, v: Value<'b>) {
        let Self {
            buf,
            line,
            source,
            encoder,
            k,
        } = self;
        let key = encoder.keys.get(*k, name, push_key);
        *k += 1;
        match v {
            Value::Str(s) => {
                key.push(buf, true);
                match line.offset_of(s) {
                    // Most fields: a piece of the record's text, copied as it is.
                    Some(at) if line.clean => line.push_piece(buf, at, s.len()),
                    // An empty field (most of a MiVB line's): nothing between the quotes.
                    None if s.is_empty() => {}
                    _ => push_str_contents(buf, s),
                }
            }
            Value::Word(w) => {
                key.push(buf, true);
                buf.extend_from_slice(w.as_bytes());
            }
            Value::Null => return key.push_then(buf, b"null"),
            Value::Bool(b) => return key.push_then(buf, if b { b"true" } else { b"false" }),
            Value::UInt(n) => {
                key.push(buf, false);
                return plain::push_uint(buf, n);
            }
            Value::Date(date) => {
                key.push(buf, true);
                encoder.dates.push(buf, date);
            }
            Value::Hm(t) | Value::Hms(t) => {
                key.push(buf, true);
                plain::push_time(buf, t, matches!(v, Value::Hms(_)));
            }
            Value::DateTime(t) => {
                key.push(buf, true);
                encoder.dates.push_date_time(buf, t);
            }
            // The record's own source, the field every record has: written from its
            // parts, the origin escaped once per file.
            Value::Display(shown) if std::ptr::addr_eq(shown, *source) => {
                key.push(buf, true);
                encoder.source.push(buf, source, |prefix, origin| {
                    push_str_contents(prefix, origin);
                    prefix.push(b':');
                    false
                });
            }
            Value::Display(_) => {
                key.push(buf, true);
                return value_after_key(buf, v, &mut encoder.scratch);
            }
        }
        buf.push(b'"');
    }
}

/// A value on its own: a number, `true`/`false`, `null` or a string.
pub fn push_value(buf: &mut Vec<u8>, v: Value<'_>) {
    Encoder::default().value(buf, v);
}

fn is_string(v: Value<'_>) -> bool {
    !matches!(v, Value::Null | Value::Bool(_) | Value::UInt(_))
}

/// A value, after the opening quote of a string.
fn value_after_key(buf: &mut Vec<u8>, v: Value<'_>, scratch: &mut String) {
    match v {
        Value::Null => buf.extend_from_slice(b"null"),
        Value::Bool(b) => buf.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::UInt(n) => plain::push_uint(buf, n),
        Value::Str(s) => {
            push_str_contents(buf, s);
            buf.push(b'"');
        }
        Value::Word(w) => {
            buf.extend_from_slice(w.as_bytes());
            buf.push(b'"');
        }
        // Digits, `-`, `:`, `T` (and a sign for years past 9999): nothing to escape.
        Value::Date(_) | Value::Hm(_) | Value::Hms(_) | Value::DateTime(_) => {
            plain::push_value(buf, v, scratch);
            buf.push(b'"');
        }
        Value::Display(shown) => {
            scratch.clear();
            let _ = write!(scratch, "{shown}");
            push_str_contents(buf, scratch);
            buf.push(b'"');
        }
    }
}

/// `{"name":` for the first field, `,"name":` after (a field name is a plain identifier,
/// never escaped).
pub(super) fn push_key(buf: &mut Vec<u8>, k: usize, name: &str) {
    debug_assert!(!needs_escape(name.as_bytes()), "{name}");
    buf.extend_from_slice(if k == 0 { b"{\"" } else { b",\"" });
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b"\":");
}

/// A JSON string literal, escaped.
#[inline]
pub fn push_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    push_str_contents(buf, s);
    buf.push(b'"');
}

/// What is between a JSON string's quotes.
#[inline]
fn push_str_contents(buf: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        escape(buf, s);
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// serde_json's compact output without the quotes around a string, and with `\u0008` and
/// `\u000c` (see the module's comment).
struct Escapes;

impl Formatter for Escapes {
    fn begin_string<W>(&mut self, _: &mut W) -> io::Result<()>
    where
        W: ?Sized + Write,
    {
        Ok(())
    }

    fn end_string<W>(&mut self, _: &mut W) -> io::Result<()>
    where
        W: ?Sized + Write,
    {
        Ok(())
    }

    fn write_char_escape<W>(&mut self, writer: &mut W, escape: CharEscape) -> io::Result<()>
    where
        W: ?Sized + Write,
    {
        match escape {
            CharEscape::Backspace => writer.write_all(b"\\u0008"),
            CharEscape::FormFeed => writer.write_all(b"\\u000c"),
            other => CompactFormatter.write_char_escape(writer, other),
        }
    }
}

#[cold]
fn escape(buf: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::Serializer::with_formatter(&mut *buf, Escapes).serialize_str(s);
}

/// Whether a byte of `b` must be escaped in a JSON string: a control character, `"` or `\`.
/// Eight bytes at a time: a byte below 0x20, or equal to one of the two, shows in a word as a
/// high bit (the "has a byte less than / equal to" bit tricks; exact for the word as a whole,
/// which is all that is asked). The rest is looked at in the last eight bytes (again).
#[inline]
fn needs_escape(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    #[inline]
    fn word(x: u64) -> u64 {
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let q = x ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q;
        let s = x ^ (ONES * u64::from(b'\\'));
        let backslash = s.wrapping_sub(ONES) & !s;
        (control | quote | backslash) & HIGH
    }
    let mut words = b.chunks_exact(8);
    let mut found = 0;
    for w in &mut words {
        found |= w
            .first_chunk::<8>()
            .map_or(0, |w| word(u64::from_le_bytes(*w)));
    }
    if !words.remainder().is_empty() {
        found |= match b.last_chunk::<8>() {
            Some(last) => word(u64::from_le_bytes(*last)),
            None => u64::from(b.iter().any(|&x| x < 0x20 || x == b'"' || x == b'\\')),
        };
    }
    found != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn json(s: &str) -> String {
        let mut b = Vec::new();
        push_str(&mut b, s);
        String::from_utf8(b).unwrap()
    }

    /// serde_json's output with its two short escapes as this writer writes them. Every `\`
    /// in serde_json's output starts an escape, so the escapes are read pair by pair.
    fn serde_json_as_written(s: &str) -> String {
        let theirs = serde_json::to_string(s).unwrap();
        let mut out = String::new();
        let mut chars = theirs.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next().unwrap() {
                'b' => out.push_str("\\u0008"),
                'f' => out.push_str("\\u000c"),
                e => {
                    out.push('\\');
                    out.push(e);
                }
            }
        }
        out
    }

    /// The hand-written writer as it was before the scan and serde_json: the reference for
    /// "the output stays what it was".
    fn first_version(s: &str) -> String {
        use std::fmt::Write as _;
        let mut buf = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => buf.push_str("\\\""),
                '\\' => buf.push_str("\\\\"),
                '\n' => buf.push_str("\\n"),
                '\r' => buf.push_str("\\r"),
                '\t' => buf.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(buf, "\\u{:04x}", c as u32);
                }
                c => buf.push(c),
            }
        }
        buf.push('"');
        buf
    }

    #[test]
    fn escapes_control_characters() {
        let b = json("a\"b\\c\0\n");
        assert_eq!(b, r#""a\"b\\c\u0000\n""#);
        assert!(serde_json::from_str::<String>(&b).is_ok());
        assert_eq!(
            json("\u{8}\u{c}\u{1f}\u{7f}é"),
            "\"\\u0008\\u000c\\u001f\u{7f}é\""
        );
    }

    #[test]
    fn the_scan_finds_every_byte_that_needs_an_escape_at_every_position() {
        for len in 0..40 {
            for at in 0..len {
                for byte in (0u8..0x20).chain([b'"', b'\\']) {
                    let mut b = vec![b'a'; len];
                    b[at] = byte;
                    assert!(needs_escape(&b), "{byte:#x} at {at} of {len}");
                }
                for byte in (0x20u8..=0xff).filter(|b| !matches!(b, b'"' | b'\\')) {
                    let mut b = vec![b'a'; len];
                    b[at] = byte;
                    assert!(!needs_escape(&b), "{byte:#x} at {at} of {len}");
                }
            }
        }
    }

    /// Characters records are made of, and every kind a string can hold that escaping cares
    /// about: control characters, quotes, backslashes, U+FFFD (invalid UTF-8 made lossy),
    /// other non-ASCII, DEL.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[ -~]{0,12}",
            2 => proptest::char::range('\0', '\u{1f}').prop_map(String::from),
            1 => Just("\"".to_string()),
            1 => Just("\\".to_string()),
            1 => Just("\u{fffd}".to_string()),
            1 => Just("\u{7f}".to_string()),
            1 => any::<char>().prop_map(String::from),
            1 => proptest::collection::vec(any::<u8>(), 0..8)
                .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn strings_are_written_as_serde_json_writes_them(s in text()) {
            let ours = json(&s);
            prop_assert_eq!(&ours, &serde_json_as_written(&s));
            prop_assert_eq!(&ours, &first_version(&s));
            prop_assert_eq!(serde_json::from_str::<String>(&ours).unwrap(), s);
        }

        #[test]
        fn any_string_at_all(s in any::<String>()) {
            prop_assert_eq!(json(&s), first_version(&s));
        }
    }
}
