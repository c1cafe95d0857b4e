//! `smdr-monitor decode`: saved SMDR to JSON lines or CSV, one object per input record.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;

use crate::cli::common::{FormatArg, parse_date, parse_padding};
use smdr_monitor::export::{RecordWriter, TextFormat};
use smdr_monitor::import;
use smdr_monitor::protocol::{DateSource, DecodeOptions, Kind, Source, StreamDecoder};

#[derive(clap::Args)]
pub struct Args {
    /// The format of the input; `auto` detects it line by line.
    #[arg(long, value_enum, default_value = "auto")]
    format: FormatArg,
    /// Date for 5000 records when the input has no header and no receipt times.
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    date: Option<NaiveDate>,
    /// App Suite item padding character.
    #[arg(long, value_parser = parse_padding, default_value = "0", value_name = "CHAR")]
    padding: char,
    /// Output format.
    #[arg(long = "as", value_enum, default_value = "jsonl")]
    output_format: TextFormat,
    /// Write here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Text logs (one record per line), raw day logs, or binary socket captures.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Read every file first: a missing one fails before any output is written.
    let mut inputs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        if !path.exists() {
            bail!("{}: no such file", path.display());
        }
        let data = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        inputs.push((path, data));
    }
    let out: Box<dyn Write> = match &args.output {
        Some(p) => {
            Box::new(fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?)
        }
        None => Box::new(io::stdout().lock()),
    };
    let mut writer = RecordWriter::new(BufWriter::new(out), args.output_format);
    let (mut total, mut unparsed) = (0u64, 0u64);
    let mut date_sources: BTreeMap<&'static str, u64> = BTreeMap::new();
    for (path, data) in &inputs {
        let options = DecodeOptions {
            format: args.format.into(),
            date: args.date,
            padding: args.padding,
            ..Default::default()
        };
        let mut decoder = StreamDecoder::new(options);
        let origin: std::sync::Arc<str> = path.display().to_string().into();
        let mut result = Ok(());
        import::decode_each(data, &mut decoder, |line, d| {
            total += 1;
            unparsed += u64::from(d.kind() == Kind::Unparsed);
            if matches!(d.kind(), Kind::Call) {
                *date_sources
                    .entry(date_source_words(d.date.source))
                    .or_default() += 1;
            }
            if result.is_ok() {
                result = writer.write(
                    d,
                    &Source {
                        origin: origin.clone(),
                        line,
                    },
                );
            }
        });
        result.with_context(|| "cannot write the output")?;
    }
    writer.finish().context("cannot write the output")?;
    eprintln!("{total} records decoded, {unparsed} unparsed");
    if !date_sources.is_empty() {
        let parts: Vec<String> = date_sources
            .iter()
            .map(|(how, n)| format!("{n} {how}"))
            .collect();
        eprintln!("call dates: {}", parts.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// Short words for the stderr summary of how call dates were decided.
fn date_source_words(source: DateSource) -> &'static str {
    match source {
        DateSource::Unknown => "undated (no header, receipt time or --date)",
        DateSource::Printed => "printed",
        DateSource::Receipt => "from receipt times",
        DateSource::Header => "from SMDR headers",
        DateSource::Given => "from --date",
        DateSource::YearInferred => "with the year inferred",
    }
}
