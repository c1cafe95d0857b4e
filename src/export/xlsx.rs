//! XLSX through rust_xlsxwriter, streamed (constant memory) so a million rows fit. Excel holds
//! 1,048,576 rows a sheet: longer exports continue on further sheets, each with its header.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::protocol::fields::Value;

/// Data rows per sheet: Excel's limit less the header row.
const ROWS_PER_SHEET: u32 = 1_048_575;

pub struct XlsxWriter {
    workbook: Workbook,
    sheet_name: &'static str,
    columns: &'static [&'static str],
    sheets: usize,
    /// The next data row on the current sheet (1-based: row 0 is the header).
    row: u32,
    bold: Format,
    date: Format,
    time: Format,
    datetime: Format,
}

impl XlsxWriter {
    pub fn new(sheet_name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            workbook: Workbook::new(),
            sheet_name,
            columns,
            sheets: 0,
            row: ROWS_PER_SHEET + 1,
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("hh:mm:ss"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }

    /// Writes one row: `(column index, value)` pairs; columns not given stay empty.
    pub fn write_row<'a>(
        &mut self,
        values: impl IntoIterator<Item = (usize, Value<'a>)>,
    ) -> Result<(), XlsxError> {
        if self.row > ROWS_PER_SHEET {
            self.new_sheet()?;
        }
        let row = self.row;
        let sheet = self.workbook.worksheet_from_index(self.sheets - 1)?;
        for (col, v) in values {
            let col = col as u16;
            match v {
                Value::Null => {}
                Value::UInt(n) => {
                    sheet.write_number(row, col, n as f64)?;
                }
                Value::Bool(b) => {
                    sheet.write_boolean(row, col, b)?;
                }
                Value::Date(d) => {
                    sheet.write_number_with_format(row, col, serial_date(d), &self.date)?;
                }
                Value::Hm(t) | Value::Hms(t) => {
                    sheet.write_number_with_format(row, col, serial_time(t), &self.time)?;
                }
                Value::DateTime(t) => {
                    sheet.write_number_with_format(row, col, serial(t), &self.datetime)?;
                }
                Value::Str(s) | Value::Word(s) => {
                    sheet.write_string(row, col, clean(s))?;
                }
                other => {
                    sheet.write_string(row, col, clean(&other.to_string()))?;
                }
            }
        }
        self.row += 1;
        Ok(())
    }

    pub fn save(mut self, path: &Path) -> Result<(), XlsxError> {
        if self.sheets == 0 {
            self.new_sheet()?;
        }
        self.workbook.save(path)
    }

    fn new_sheet(&mut self) -> Result<(), XlsxError> {
        self.sheets += 1;
        let name = match self.sheets {
            1 => self.sheet_name.to_string(),
            n => format!("{} {n}", self.sheet_name),
        };
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        for (i, c) in self.columns.iter().enumerate() {
            let col = i as u16;
            sheet.write_string_with_format(0, col, *c, &self.bold)?;
            sheet.set_column_width(col, width_of(c))?;
        }
        sheet.set_freeze_panes(1, 0)?;
        self.row = 1;
        Ok(())
    }
}

fn width_of(column: &str) -> f64 {
    match column {
        "raw" => 90.0,
        "error" | "events" => 60.0,
        "timestamp" | "start" | "end" | "source" | "call_id" => 22.0,
        _ => (column.len() as f64 + 2.0).max(10.0),
    }
}

/// Excel rejects control characters in cell text (NULs occur in old logs): show them as `·`.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c.is_control() && c != '\t') {
        s.chars()
            .map(|c| if c.is_control() && c != '\t' { '·' } else { c })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// Excel's serial day: days since 1899-12-30.
fn serial_date(d: NaiveDate) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (d - base).num_days() as f64
}

fn serial_time(t: NaiveTime) -> f64 {
    f64::from(t.num_seconds_from_midnight()) / 86_400.0
}

fn serial(t: NaiveDateTime) -> f64 {
    serial_date(t.date()) + serial_time(t.time())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_match_excel() {
        let d = NaiveDate::from_ymd_opt(2012, 3, 9).unwrap();
        assert_eq!(serial_date(d), 40977.0);
        let t = d.and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(serial(t), 40977.5);
        assert_eq!(clean("a\0b"), "a·b");
    }
}
