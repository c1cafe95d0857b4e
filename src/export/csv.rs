//! CSV (RFC 4180): quoted only where needed, CR LF between rows so spreadsheets agree.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::protocol::fields::Value;

pub fn write_row<'a>(
    out: &mut impl Write,
    values: impl Iterator<Item = Value<'a>>,
) -> io::Result<()> {
    let mut buf = String::with_capacity(256);
    for (i, v) in values.enumerate() {
        if i > 0 {
            buf.push(',');
        }
        push_cell(&mut buf, v);
    }
    buf.push_str("\r\n");
    out.write_all(buf.as_bytes())
}

fn push_cell(buf: &mut String, v: Value<'_>) {
    let start = buf.len();
    // Writing to a String cannot fail.
    let _ = write!(buf, "{v}");
    let cell = &buf[start..];
    if cell.contains([',', '"', '\r', '\n']) || cell.starts_with(' ') || cell.ends_with(' ') {
        let quoted = format!("\"{}\"", cell.replace('"', "\"\""));
        buf.truncate(start);
        buf.push_str(&quoted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let mut out = Vec::new();
        write_row(
            &mut out,
            [
                Value::Str("a"),
                Value::Str("b,c"),
                Value::Str("say \"hi\""),
                Value::Null,
                Value::UInt(7),
            ]
            .into_iter(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,\"b,c\",\"say \"\"hi\"\"\",,7\r\n"
        );
    }
}
