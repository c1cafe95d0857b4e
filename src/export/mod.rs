//! Writers for decoded records and calls: JSON lines, CSV, XLSX.

mod batch;
pub mod calls;
pub mod csv;
mod csv_rows;
pub mod jsonl;
mod plain;
pub mod xlsx;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::protocol::fields::{EXPORT_RECORD_COLUMNS, RECORD_COLUMNS, Value, visit_export_fields};
use crate::protocol::{Decoded, Source};
use crate::store::Store;
use crate::timeline::Call;
use batch::Batched;
use csv_rows::Rows;

/// The file formats a view can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [Self::Csv, Self::Xlsx, Self::Json];

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Json => "jsonl",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Xlsx => "Excel (XLSX)",
            Self::Json => "JSON lines",
        }
    }

    /// The text format it is written in (`None`: a spreadsheet).
    pub fn text(self) -> Option<TextFormat> {
        match self {
            Self::Csv => Some(TextFormat::Csv),
            Self::Json => Some(TextFormat::Jsonl),
            Self::Xlsx => None,
        }
    }

    /// From a file name's extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "jsonl" | "json" | "ndjson" => Some(Self::Json),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write the spreadsheet {path}: {source}")]
    Xlsx {
        path: PathBuf,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
}

/// What an export holds, in the order it is written.
pub enum Exported {
    /// A snapshot of the records the window chose.
    Records(Store),
    /// The calls the calls view shows.
    Calls(Vec<Call>),
}

impl Exported {
    pub fn len(&self) -> usize {
        match self {
            Self::Records(store) => store.len(),
            Self::Calls(calls) => calls.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the rows are, in words.
    pub fn noun(&self) -> &'static str {
        match self {
            Self::Records(_) => "records",
            Self::Calls(_) => "calls",
        }
    }
}

/// Writes `what` to `path` (records and calls alike, for the Records and the Calls tab), calling
/// `progress(done, total)` now and then. Returns the number of rows written. XLSX cells hold
/// dates and numbers as such, and a call's `path` and `events` as the text CSV has.
pub fn write(
    what: &Exported,
    path: &Path,
    format: ExportFormat,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, ExportError> {
    let total = what.len() as u64;
    let mut tick = |i: usize| {
        if (i as u64).is_multiple_of(4096) {
            progress(i as u64, total);
        }
    };
    if let Some(text) = format.text() {
        let io_err = |source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        };
        let out = BufWriter::new(File::create(path).map_err(io_err)?);
        match what {
            Exported::Records(store) => {
                let mut w = RecordWriter::with_site(out, text);
                for (i, r) in store.iter().enumerate() {
                    tick(i);
                    w.write_at(&r.decode(), &r.source(), r.site())
                        .map_err(io_err)?;
                }
                w.finish().map_err(io_err)?;
            }
            Exported::Calls(all) => {
                let mut w = calls::CallWriter::with_site(out, text);
                for (i, call) in all.iter().enumerate() {
                    tick(i);
                    w.write(call).map_err(io_err)?;
                }
                w.finish().map_err(io_err)?;
            }
        }
    } else {
        let xlsx_err = |source| ExportError::Xlsx {
            path: path.to_path_buf(),
            source,
        };
        let (sheet, columns) = match what {
            Exported::Records(_) => ("records", EXPORT_RECORD_COLUMNS),
            Exported::Calls(_) => ("calls", calls::EXPORT_CALL_COLUMNS),
        };
        let mut w = xlsx::XlsxWriter::new(sheet, columns);
        match what {
            Exported::Records(store) => {
                for (i, r) in store.iter().enumerate() {
                    tick(i);
                    let (d, source) = (r.decode(), r.source());
                    let cells = record_cells(&d, &source, r.site());
                    w.write_row(cells.into_iter().enumerate())
                        .map_err(xlsx_err)?;
                }
            }
            Exported::Calls(all) => {
                for (i, call) in all.iter().enumerate() {
                    tick(i);
                    let row = calls::row(call);
                    let site = std::iter::once(Value::Str(&call.site));
                    w.write_row(site.chain(calls::cells(&row)).enumerate())
                        .map_err(xlsx_err)?;
                }
            }
        }
        w.save(path).map_err(xlsx_err)?;
    }
    progress(total, total);
    Ok(total)
}

/// A record's values as the window exports them, in [`EXPORT_RECORD_COLUMNS`] order, `Null`
/// where it has no such field.
fn record_cells<'b>(
    d: &'b Decoded<'_>,
    source: &'b Source,
    site: &'b str,
) -> [Value<'b>; EXPORT_RECORD_COLUMNS.len()] {
    let mut row = [Value::Null; EXPORT_RECORD_COLUMNS.len()];
    visit_export_fields(d, source, site, |name, v| {
        if let Some(i) = EXPORT_RECORD_COLUMNS.iter().position(|c| *c == name) {
            row[i] = v;
        }
    });
    row
}

#[cfg(test)]
fn column_of(name: &str) -> Option<usize> {
    column_in(RECORD_COLUMNS, name)
}

pub(crate) fn column_in(columns: &[&str], name: &str) -> Option<usize> {
    columns.iter().position(|c| *c == name)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextFormat {
    Jsonl,
    Csv,
}

impl TextFormat {
    /// From a file name's extension (`.csv`, `.jsonl`/`.json`).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "json" | "ndjson" => Some(Self::Jsonl),
            _ => None,
        }
    }
}

/// Writes decoded records one by one in the chosen text format.
pub struct RecordWriter<W: Write> {
    out: Batched<W>,
    json: jsonl::Encoder,
    csv: csv::Encoder,
    rows: Rows,
}

impl<W: Write> RecordWriter<W> {
    /// Gives `out` each record as it is written (a live export sees every record at once).
    pub fn new(out: W, format: TextFormat) -> Self {
        Self::batched(out, format, 0)
    }

    /// Gathers about `bytes` of output before each write to `out`: for a whole file at
    /// once, large writes and no buffer between.
    pub fn batched(out: W, format: TextFormat, bytes: usize) -> Self {
        Self {
            out: Batched::new(out, format, bytes),
            json: jsonl::Encoder::default(),
            csv: csv::Encoder::default(),
            rows: Rows::new(RECORD_COLUMNS),
        }
    }

    /// As the window exports records: a `site` column first, and a 5000 record's caller and
    /// DID beside `digits` ([`EXPORT_RECORD_COLUMNS`]); write with [`Self::write_at`].
    pub fn with_site(out: W, format: TextFormat) -> Self {
        let mut w = Self::new(out, format);
        w.rows = Rows::new(EXPORT_RECORD_COLUMNS);
        w
    }

    pub fn write(&mut self, d: &Decoded<'_>, source: &Source) -> io::Result<()> {
        self.write_site(d, source, None)
    }

    /// [`Self::write`] for a writer made [`Self::with_site`]: the record came from `site`.
    pub fn write_at(&mut self, d: &Decoded<'_>, source: &Source, site: &str) -> io::Result<()> {
        self.write_site(d, source, Some(site))
    }

    #[inline]
    fn write_site(
        &mut self,
        d: &Decoded<'_>,
        source: &Source,
        site: Option<&str>,
    ) -> io::Result<()> {
        match self.out.format {
            TextFormat::Jsonl => self.json.record_at(&mut self.out.buf, d, source, site),
            TextFormat::Csv => {
                self.header();
                self.rows
                    .write(&mut self.out.buf, &mut self.csv, d, source, site);
            }
        }
        self.out.write_out()
    }

    fn header(&mut self) {
        if self.out.header_due() {
            let names = self
                .rows
                .names()
                .iter()
                .map(|c| csv::Cell::Value(Value::Str(c)));
            self.csv.row(&mut self.out.buf, names, plain::Line::none());
        }
    }

    /// Writes the CSV header even when there were no records, then flushes.
    pub fn finish(mut self) -> io::Result<W> {
        self.header();
        self.out.finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use std::sync::Arc;

    use super::*;
    use crate::protocol::{DecodeOptions, StreamDecoder};

    /// Every record of every fixture, and a MiVB record with each optional field (ANI/DNIS and
    /// call ids), decoded.
    fn each_record(mut f: impl FnMut(&Decoded<'_>, &Source)) {
        let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
        let mut inputs = Vec::new();
        for format in ["mitel5000", "appsuite", "mivb"] {
            for entry in std::fs::read_dir(format!("{dir}/{format}")).unwrap() {
                let path = entry.unwrap().path();
                inputs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
        let mivb = std::fs::read_to_string(format!("{dir}/mivb/standard-90-synthetic.txt"));
        let mivb = mivb.unwrap();
        let line = mivb.lines().nth(1).unwrap().trim_end();
        let full = format!("{line:<88}{:<24}123400011 12340000\r\n", "6135551234 4001");
        inputs.push(("all-fields".into(), format!("{mivb}{full}").into_bytes()));
        for (origin, data) in &inputs {
            let mut decoder = StreamDecoder::new(DecodeOptions::default());
            crate::import::decode_each(data, &mut decoder, |line, d| {
                let origin = origin.as_str().into();
                f(d, &Source { origin, line });
            });
        }
    }

    /// The first sheet of an XLSX file, as XML.
    pub(crate) fn xlsx_sheet(path: &Path) -> String {
        use std::io::Read;
        let file = File::open(path).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut sheet)
            .unwrap();
        sheet
    }

    /// Issue 17.10: the window's record exports lead with the site and give a 5000 record's
    /// caller and DID their own columns beside `digits`, in every format; the writer `decode`
    /// uses keeps [`RECORD_COLUMNS`].
    #[test]
    fn window_exports_carry_the_site_and_a_5000_caller_and_did() {
        let mut with_site: Vec<&str> = RECORD_COLUMNS.to_vec();
        let digits = with_site.iter().position(|c| *c == "digits").unwrap();
        with_site.splice(digits + 1..digits + 1, ["caller", "did"]);
        with_site.insert(0, "site");
        assert_eq!(EXPORT_RECORD_COLUMNS, with_site);

        // An answered incoming call, an unanswered ring-in, an outgoing call.
        let data =
            b"IN  110   94129 525530894016            0061 08:48      S=1 $00.00             *\r\n\
            \x20   ***** 94129 RG 612-804-4082         8907 00:29      S=5                    *\r\n\
            LOC 1001  94129 5551234                      09:12 00:01:07 $00.00              \r\n";
        let mut store = Store::default();
        let (origin, site): (Arc<str>, Arc<str>) = ("x.txt".into(), "Main Office".into());
        let mut decoder = StreamDecoder::new(DecodeOptions::default());
        crate::import::into_store(data, &origin, &site, &mut decoder, &mut store, |_, _| {});
        assert_eq!(store.len(), 3);
        let what = Exported::Records(store);
        let dir = tempfile::tempdir().unwrap();
        let expected = [
            ("525530894016            0061", "525530894016", "0061"),
            ("RG 612-804-4082         8907", "612-804-4082", "8907"),
            ("5551234", "", ""),
        ];

        let json = dir.path().join("r.json");
        write(&what, &json, ExportFormat::Json, |_, _| {}).unwrap();
        let text = std::fs::read_to_string(&json).unwrap();
        let rows: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(text.starts_with("{\"site\":\"Main Office\",\"format\":\"mitel5000\""));
        for (row, (digits, caller, did)) in rows.iter().zip(expected) {
            assert_eq!(row["site"], "Main Office");
            assert_eq!(row["digits"], digits);
            assert_eq!(row["caller"], caller);
            assert_eq!(row["did"], did);
        }
        // Beside `digits`, in that order.
        let line = text.lines().next().unwrap();
        assert!(line.contains("\"digits\":\"525530894016            0061\",\"caller\":\"525530894016\",\"did\":\"0061\","));

        let csv = dir.path().join("r.csv");
        write(&what, &csv, ExportFormat::Csv, |_, _| {}).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), EXPORT_RECORD_COLUMNS.join(","));
        for (line, (digits, caller, did)) in lines.zip(expected) {
            // No cell of these rows holds a comma or a quote.
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), EXPORT_RECORD_COLUMNS.len(), "{line}");
            assert_eq!(cells[0], "Main Office");
            assert_eq!(
                cells[digits_at(&with_site)..digits_at(&with_site) + 3],
                [digits, caller, did]
            );
        }

        let xlsx = dir.path().join("r.xlsx");
        write(&what, &xlsx, ExportFormat::Xlsx, |_, _| {}).unwrap();
        let sheet = xlsx_sheet(&xlsx);
        for text in [
            ">site<",
            ">caller<",
            ">did<",
            ">Main Office<",
            ">612-804-4082<",
            ">8907<",
        ] {
            assert!(sheet.contains(text), "{text} in {sheet}");
        }

        // `decode`'s writer: the same record without the window's columns.
        let Exported::Records(store) = &what else {
            unreachable!()
        };
        let r = store.iter().next().unwrap();
        let mut w = RecordWriter::new(Vec::new(), TextFormat::Jsonl);
        w.write(&r.decode(), &r.source()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&w.finish().unwrap()).unwrap();
        for key in ["site", "caller", "did"] {
            assert!(v.get(key).is_none(), "{key} in {v}");
        }
    }

    fn digits_at(columns: &[&str]) -> usize {
        columns.iter().position(|c| *c == "digits").unwrap()
    }

    /// What `visit_fields` gives is what CSV and XLSX (through `record_cells`) and JSON lines
    /// write: a field with no column, or two with one name, fails here.
    #[test]
    fn every_field_of_every_record_reaches_every_writer() {
        let mut seen = BTreeSet::new();
        each_record(|d, source| {
            let mut json = Vec::new();
            jsonl::write_record(&mut json, d, source).unwrap();
            let json: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&json).unwrap();
            let mut names = BTreeSet::new();
            crate::protocol::fields::visit_fields(d, source, |name, v| {
                assert!(column_of(name).is_some(), "{name}: no CSV/XLSX column");
                assert!(names.insert(name), "{name} twice in one record");
                let j = &json[name];
                match v {
                    Value::Null => assert!(j.is_null(), "{name}"),
                    Value::UInt(u) => assert_eq!(j.as_u64(), Some(u), "{name}"),
                    Value::Bool(b) => assert_eq!(j.as_bool(), Some(b), "{name}"),
                    v => assert_eq!(j.as_str(), Some(v.to_string().as_str()), "{name}"),
                }
                seen.insert(name);
            });
            assert_eq!(json.len(), names.len(), "{json:?}");
        });
        // Every column is some record's: the walk met every kind of record.
        let unseen: Vec<_> = RECORD_COLUMNS
            .iter()
            .filter(|c| !seen.contains(*c))
            .collect();
        assert!(unseen.is_empty(), "no fixture record has {unseen:?}");
    }
}
