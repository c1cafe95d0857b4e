//! JSON lines: one object per record, written directly (no intermediate map).

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::protocol::fields::{Value, visit_fields};
use crate::protocol::{Decoded, Source};

pub fn write_record(out: &mut impl Write, d: &Decoded<'_>, source: &Source) -> io::Result<()> {
    let mut buf = String::with_capacity(512);
    buf.push('{');
    let mut first = true;
    visit_fields(d, source, |name, v| {
        if !first {
            buf.push(',');
        }
        first = false;
        push_str(&mut buf, name);
        buf.push(':');
        push_value(&mut buf, v);
    });
    buf.push_str("}\n");
    out.write_all(buf.as_bytes())
}

pub fn push_value(buf: &mut String, v: Value<'_>) {
    match v {
        Value::Null => buf.push_str("null"),
        Value::Bool(b) => buf.push_str(if b { "true" } else { "false" }),
        Value::UInt(n) => {
            let _ = write!(buf, "{n}");
        }
        Value::Str(s) => push_str(buf, s),
        other => push_str(buf, &other.to_string()),
    }
}

/// A JSON string literal, escaped.
pub fn push_str(buf: &mut String, s: &str) {
    buf.push('"');
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters() {
        let mut b = String::new();
        push_str(&mut b, "a\"b\\c\0\n");
        assert_eq!(b, r#""a\"b\\c\u0000\n""#);
        assert!(serde_json::from_str::<String>(&b).is_ok());
    }
}
