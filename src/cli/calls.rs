//! `smdr-monitor calls`: saved SMDR to calls, one object per call (fields: `export::calls`).
//!
//! All files are read as one site, in the order given (e.g. consecutive day logs), so a call
//! whose events span two files is one call. Calls are printed in start order.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{Duration, NaiveDate};

use crate::cli::common::{FormatArg, parse_date, parse_padding};
use smdr_monitor::export::TextFormat;
use smdr_monitor::export::calls::CallWriter;
use smdr_monitor::import;
use smdr_monitor::protocol::{DecodeOptions, Kind, StreamDecoder};
use smdr_monitor::timeline::{CallTracker, Outcome};

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
    /// A call with no end and no event for this many minutes before the last event of the
    /// input is reported as `aged_out` rather than `in_progress`.
    #[arg(long, default_value_t = 480, value_name = "MINUTES")]
    age_out: u32,
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
        inputs.push(data);
    }

    let site: Arc<str> = "calls".into();
    let mut tracker = CallTracker::new(Duration::minutes(args.age_out.into()));
    let (mut records, mut unparsed) = (0u64, 0u64);
    for data in &inputs {
        let mut decoder = StreamDecoder::new(DecodeOptions {
            format: args.format.into(),
            date: args.date,
            padding: args.padding,
            ..Default::default()
        });
        import::decode_each(data, &mut decoder, |_, d| {
            records += 1;
            unparsed += u64::from(d.kind() == Kind::Unparsed);
            tracker.push_decoded(&site, d);
        });
    }
    // Offline, "now" is the end of the input: calls silent long before it never ended.
    if let Some(last) = tracker.calls().iter().map(|c| c.last_event_at()).max() {
        tracker.age_out(last);
    }

    let mut order: Vec<usize> = (0..tracker.calls().len()).collect();
    order.sort_by_key(|&i| (tracker.calls()[i].start, i));
    let out: Box<dyn Write> = match &args.output {
        Some(p) => {
            Box::new(fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?)
        }
        None => Box::new(io::stdout().lock()),
    };
    let mut writer = CallWriter::new(BufWriter::new(out), args.output_format);
    for &i in &order {
        writer
            .write(&tracker.calls()[i])
            .context("cannot write the output")?;
    }
    writer.finish().context("cannot write the output")?;

    let count = |o: Outcome| tracker.calls().iter().filter(|c| c.outcome == o).count();
    eprintln!(
        "{} calls from {records} records ({unparsed} unparsed): {} answered, {} abandoned, \
         {} in progress, {} aged out (no end and nothing for {} min)",
        tracker.calls().len(),
        count(Outcome::Answered),
        count(Outcome::Abandoned),
        count(Outcome::InProgress),
        count(Outcome::AgedOut),
        args.age_out,
    );
    let undated = tracker.undated_records();
    if undated > 0 {
        eprintln!(
            "{undated} call records had no date (no SMDR header, receipt time or --date) and \
             are in no call: give --date YYYY-MM-DD"
        );
    }
    Ok(ExitCode::SUCCESS)
}
