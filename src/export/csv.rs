//! CSV (RFC 4180): quoted only where needed, CR LF between rows so spreadsheets agree.

use std::io::{self, Write};

use super::plain::{self, Line};
use crate::protocol::Source;
use crate::protocol::fields::Value;

pub fn write_row<'a>(
    out: &mut impl Write,
    values: impl Iterator<Item = Value<'a>>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    Encoder::default().row(&mut buf, values.map(Cell::Value), Line::none());
    out.write_all(&buf)
}

/// A cell: a value, or a record's source (`origin:line`), which every record has and which is
/// written from its parts.
#[derive(Clone, Copy)]
pub enum Cell<'a> {
    Value(Value<'a>),
    Source(&'a Source),
}

/// Writes CSV rows into a buffer, keeping what can be reused between rows.
#[derive(Default)]
pub struct Encoder {
    scratch: String,
    source: plain::SourceText,
    dates: plain::Dates,
}

impl Encoder {
    /// Appends one row, CR LF included. `line`: the record's text the cells are cut from.
    pub fn row<'a>(
        &mut self,
        buf: &mut Vec<u8>,
        cells: impl Iterator<Item = Cell<'a>>,
        line: Line<'_>,
    ) {
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            // Most of a record's columns are not its format's: nothing between the commas.
            if !matches!(cell, Cell::Value(Value::Null)) {
                self.cell(buf, cell, line);
            }
        }
        buf.extend_from_slice(b"\r\n");
    }

    /// Appends one cell: its text, quoted when it has a comma, quote or line break, or
    /// starts or ends with a space.
    #[inline(always)]
    pub fn cell(&mut self, buf: &mut Vec<u8>, cell: Cell<'_>, line: Line<'_>) {
        let start = buf.len();
        match cell {
            Cell::Value(Value::Str(s)) => {
                match line.offset_of(s) {
                    // A piece of a line without commas, quotes or line breaks has none either:
                    // only a space at an end quotes it, and there is no quote to double.
                    Some(at) if line.clean => {
                        let quoted = s.starts_with(' ') || s.ends_with(' ');
                        if quoted {
                            buf.push(b'"');
                        }
                        line.push_piece(buf, at, s.len());
                        if quoted {
                            buf.push(b'"');
                        }
                        return;
                    }
                    _ => buf.extend_from_slice(s.as_bytes()),
                }
            }
            // Digits and `-`, `:`, `T`, `+`, `true`, `false`: never quoted. Each kind written by
            // its own code, so the field that has it needs no match of its own.
            Cell::Value(Value::Null) => return,
            Cell::Value(Value::Word(w)) => return buf.extend_from_slice(w.as_bytes()),
            Cell::Value(Value::UInt(n)) => return plain::push_uint(buf, n),
            Cell::Value(Value::Bool(b)) => {
                return buf.extend_from_slice(if b { b"true" } else { b"false" });
            }
            Cell::Value(Value::Date(d)) => return self.dates.push(buf, d),
            Cell::Value(Value::Hm(t)) => return plain::push_time(buf, t, false),
            Cell::Value(Value::Hms(t)) => return plain::push_time(buf, t, true),
            Cell::Value(Value::DateTime(t)) => return self.dates.push_date_time(buf, t),
            Cell::Value(v @ Value::Display(_)) => plain::push_value(buf, v, &mut self.scratch),
            Cell::Source(s) => return self.source_cell(buf, s),
        }
        if needs_quotes(&buf[start..]) {
            quote(buf, start);
        }
    }

    /// A record's source, written quoted or not once per origin: a line number needs no quote.
    fn source_cell(&mut self, buf: &mut Vec<u8>, s: &Source) {
        let quoted = self.source.push(buf, s, |prefix, origin| {
            let cell = format!("{origin}:0");
            let quoted = needs_quotes(cell.as_bytes());
            if quoted {
                prefix.push(b'"');
                prefix.extend_from_slice(origin.replace('"', "\"\"").as_bytes());
            } else {
                prefix.extend_from_slice(origin.as_bytes());
            }
            prefix.push(b':');
            quoted
        });
        if quoted {
            buf.push(b'"');
        }
    }
}

/// Whether a record's text has none of the bytes that make a cell quoted (see [`Line`]).
pub fn clean_line(text: &str) -> bool {
    !has_special(text.as_bytes())
}

#[inline]
fn needs_quotes(cell: &[u8]) -> bool {
    match (cell.first(), cell.last()) {
        (None, _) => false,
        (Some(b' '), _) | (_, Some(b' ')) => true,
        _ => has_special(cell),
    }
}

/// Whether `cell` has a `,`, `"`, CR or LF; eight bytes at a time (a byte equal to one of
/// them shows as a high bit: the "has a zero byte" trick on the word XOR-ed with each), the
/// rest in the last eight bytes (again).
#[inline]
fn has_special(cell: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    #[inline]
    fn equal(x: u64, byte: u8) -> u64 {
        let y = x ^ (ONES * u64::from(byte));
        y.wrapping_sub(ONES) & !y
    }
    #[inline]
    fn word(x: u64) -> u64 {
        (equal(x, b',') | equal(x, b'"') | equal(x, b'\r') | equal(x, b'\n')) & HIGH
    }
    let mut words = cell.chunks_exact(8);
    let mut found = 0;
    for w in &mut words {
        found |= w
            .first_chunk::<8>()
            .map_or(0, |w| word(u64::from_le_bytes(*w)));
    }
    if !words.remainder().is_empty() {
        found |= match cell.last_chunk::<8>() {
            Some(last) => word(u64::from_le_bytes(*last)),
            None => u64::from(
                cell.iter()
                    .any(|x| matches!(x, b',' | b'"' | b'\r' | b'\n')),
            ),
        };
    }
    found != 0
}

/// Quotes the cell that starts at `start`, doubling its quotes.
#[inline]
fn quote(buf: &mut Vec<u8>, start: usize) {
    // Spaces at an end or a comma inside (a MiVB record's text ends in spaces): no quote to
    // double, the cell moves one byte.
    if !buf.get(start..).unwrap_or_default().contains(&b'"') {
        buf.insert(start, b'"');
        buf.push(b'"');
        return;
    }
    double_quotes(buf, start);
}

#[cold]
fn double_quotes(buf: &mut Vec<u8>, start: usize) {
    let cell = buf.split_off(start);
    buf.push(b'"');
    for &b in &cell {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// The cell as the first version wrote it: the reference for "the output stays".
    fn first_version(v: Value<'_>) -> String {
        let cell = v.to_string();
        if cell.contains([',', '"', '\r', '\n']) || cell.starts_with(' ') || cell.ends_with(' ') {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell
        }
    }

    fn cell() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[ -~]{0,12}",
            2 => prop_oneof![Just(","), Just("\""), Just("\r"), Just("\n"), Just(" ")]
                .prop_map(String::from),
            1 => proptest::char::range('\0', '\u{1f}').prop_map(String::from),
            1 => any::<char>().prop_map(String::from),
            1 => proptest::collection::vec(any::<u8>(), 0..8)
                .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ];
        proptest::collection::vec(piece, 0..16).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn cells_are_quoted_as_before(s in cell(), origin in cell(), number in any::<u64>()) {
            let mut e = Encoder::default();
            let mut buf = Vec::new();
            e.cell(&mut buf, Cell::Value(Value::Str(&s)), Line::none());
            prop_assert_eq!(String::from_utf8(buf).unwrap(), first_version(Value::Str(&s)));
            // The same cell cut from a line, clean or not.
            let text = format!("<{s}>");
            let piece = &text[1..text.len() - 1];
            let line = Line::new(&text, clean_line(&text));
            let mut buf = Vec::new();
            e.cell(&mut buf, Cell::Value(Value::Str(piece)), line);
            prop_assert_eq!(String::from_utf8(buf).unwrap(), first_version(Value::Str(&s)));
            let source = Source { origin: origin.into(), line: number };
            let mut buf = Vec::new();
            e.cell(&mut buf, Cell::Source(&source), Line::none());
            prop_assert_eq!(
                String::from_utf8(buf).unwrap(),
                first_version(Value::Display(&source))
            );
        }
    }
}
