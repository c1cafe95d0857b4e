//! Query results as the command line prints them: records with the `decode` fields, calls with
//! the `calls` fields, each led by `site` (and `received_at` for records); statistics as a
//! table, CSV or JSON lines. Here rather than in `history`, which may not use the export writers.

use std::io::{self, Write};

use crate::export::TextFormat;
use crate::export::calls::{CALL_COLUMNS, CallValue, row as call_values, write_jsonl};
use crate::export::csv::write_row;
use crate::export::jsonl::{push_str, push_value};
use crate::history::{CallRow, StatsRow, StoredLine};
use crate::protocol::Source;
use crate::protocol::fields::{RECORD_COLUMNS, Value, visit_fields};

/// A destination, its format, and the CSV header written once (even when nothing matched).
struct Out<W: Write> {
    out: W,
    format: TextFormat,
    wrote_header: bool,
}

impl<W: Write> Out<W> {
    fn new(out: W, format: TextFormat) -> Self {
        Self {
            out,
            format,
            wrote_header: false,
        }
    }

    fn header<'n>(&mut self, names: impl Iterator<Item = &'n str>) -> io::Result<()> {
        if self.format == TextFormat::Csv && !self.wrote_header {
            write_row(&mut self.out, names.map(Value::Str))?;
        }
        self.wrote_header = true;
        Ok(())
    }

    fn finish<'n>(mut self, names: impl Iterator<Item = &'n str>) -> io::Result<W> {
        self.header(names)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn record_names() -> impl Iterator<Item = &'static str> {
    ["site", "received_at"]
        .into_iter()
        .chain(RECORD_COLUMNS.iter().copied())
}

fn call_names() -> impl Iterator<Item = &'static str> {
    std::iter::once("site").chain(CALL_COLUMNS.iter().copied())
}

/// Writes stored records one by one.
pub struct RecordOut<W: Write>(Out<W>);

impl<W: Write> RecordOut<W> {
    pub fn new(out: W, format: TextFormat) -> Self {
        Self(Out::new(out, format))
    }

    pub fn write(&mut self, line: &StoredLine) -> io::Result<()> {
        let Self(out) = self;
        out.header(record_names())?;
        let d = line.decode();
        let source = Source {
            origin: line.source.as_str().into(),
            line: u64::try_from(line.line).unwrap_or(0),
        };
        // Milliseconds and the offset it was received at, as the raw day logs write it.
        let received = line
            .received()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false));
        let received_value = received.as_deref().map_or(Value::Null, Value::Str);
        match out.format {
            TextFormat::Jsonl => {
                let mut buf = Vec::with_capacity(600);
                buf.extend_from_slice(b"{\"site\":");
                push_str(&mut buf, &line.site);
                buf.extend_from_slice(b",\"received_at\":");
                push_value(&mut buf, received_value);
                visit_fields(&d, &source, |name, v| {
                    buf.push(b',');
                    push_str(&mut buf, name);
                    buf.push(b':');
                    push_value(&mut buf, v);
                });
                buf.extend_from_slice(b"}\n");
                out.out.write_all(&buf)
            }
            TextFormat::Csv => {
                let mut row = [Value::Null; RECORD_COLUMNS.len()];
                visit_fields(&d, &source, |name, v| {
                    if let Some(i) = RECORD_COLUMNS.iter().position(|c| *c == name) {
                        row[i] = v;
                    }
                });
                let lead = [Value::Str(&line.site), received_value];
                write_row(&mut out.out, lead.into_iter().chain(row))
            }
        }
    }

    /// The CSV header even when nothing matched, then a flush.
    pub fn finish(self) -> io::Result<W> {
        self.0.finish(record_names())
    }
}

/// Writes stored calls one by one.
pub struct CallOut<W: Write>(Out<W>);

impl<W: Write> CallOut<W> {
    pub fn new(out: W, format: TextFormat) -> Self {
        Self(Out::new(out, format))
    }

    pub fn write(&mut self, row: &CallRow) -> io::Result<()> {
        let Self(out) = self;
        out.header(call_names())?;
        let call = row.to_call();
        match out.format {
            TextFormat::Jsonl => {
                let mut object = Vec::with_capacity(512);
                write_jsonl(&mut object, &call)?;
                let mut lead = b"{\"site\":".to_vec();
                push_str(&mut lead, &row.site);
                if object.len() > 3 {
                    lead.push(b',');
                }
                out.out.write_all(&lead)?;
                out.out.write_all(object.get(1..).unwrap_or_default())
            }
            TextFormat::Csv => {
                let values = call_values(&call);
                let cells = values.iter().map(|v| match v {
                    CallValue::Scalar(s) => *s,
                    list => Value::Display(list),
                });
                write_row(
                    &mut out.out,
                    std::iter::once(Value::Str(&row.site)).chain(cells),
                )
            }
        }
    }

    pub fn finish(self) -> io::Result<W> {
        self.0.finish(call_names())
    }
}

/// The statistics' field names, in output order (the first is the group's, named by `by`).
pub const STATS_COLUMNS: &[&str] = &[
    "calls",
    "answered",
    "abandoned",
    "incoming",
    "avg_time_to_answer_s",
    "p90_time_to_answer_s",
    "talk_s",
];

/// How statistics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum StatsFormat {
    /// Aligned columns for reading.
    #[default]
    Table,
    Csv,
    Jsonl,
}

/// Writes statistics rows; `by` names the first column.
pub fn write_stats(
    out: &mut impl Write,
    by: &str,
    rows: &[StatsRow],
    format: StatsFormat,
) -> io::Result<()> {
    let avg = |r: &StatsRow| r.avg_time_to_answer_s.map(|a| format!("{a:.1}"));
    let cells = |r: &StatsRow| -> Vec<Option<String>> {
        vec![
            Some(r.calls.to_string()),
            Some(r.answered.to_string()),
            Some(r.abandoned.to_string()),
            Some(r.incoming.to_string()),
            avg(r),
            r.p90_time_to_answer_s.map(|p| p.to_string()),
            Some(r.talk_s.to_string()),
        ]
    };
    match format {
        StatsFormat::Csv => {
            let names = std::iter::once(by).chain(STATS_COLUMNS.iter().copied());
            write_row(out, names.map(Value::Str))?;
            for r in rows {
                let c = cells(r);
                let values = c
                    .iter()
                    .map(|v| v.as_deref().map_or(Value::Null, Value::Str));
                write_row(out, std::iter::once(Value::Str(&r.group)).chain(values))?;
            }
        }
        StatsFormat::Jsonl => {
            for r in rows {
                let mut buf = b"{".to_vec();
                push_str(&mut buf, by);
                buf.push(b':');
                push_str(&mut buf, &r.group);
                for (name, v) in STATS_COLUMNS.iter().zip(cells(r)) {
                    buf.push(b',');
                    push_str(&mut buf, name);
                    buf.push(b':');
                    buf.extend_from_slice(v.as_deref().unwrap_or("null").as_bytes());
                }
                buf.extend_from_slice(b"}\n");
                out.write_all(&buf)?;
            }
        }
        StatsFormat::Table => {
            let mut table: Vec<Vec<String>> = vec![
                std::iter::once(by.to_string())
                    .chain(STATS_COLUMNS.iter().map(|c| c.to_string()))
                    .collect(),
            ];
            for r in rows {
                let group = if r.group.is_empty() {
                    "(none)".to_string()
                } else {
                    r.group.clone()
                };
                table.push(
                    std::iter::once(group)
                        .chain(cells(r).into_iter().map(Option::unwrap_or_default))
                        .collect(),
                );
            }
            let widths: Vec<usize> = (0..table[0].len())
                .map(|i| {
                    table
                        .iter()
                        .map(|row| row[i].chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for row in &table {
                let mut line = String::new();
                for (i, cell) in row.iter().enumerate() {
                    if i == 0 {
                        line.push_str(&format!("{cell:<w$}", w = widths[i]));
                    } else {
                        // Numbers right-aligned.
                        line.push_str(&format!("  {cell:>w$}", w = widths[i]));
                    }
                }
                writeln!(out, "{}", line.trim_end())?;
            }
        }
    }
    out.flush()
}
