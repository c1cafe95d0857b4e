//! `smdr-monitor decode`: saved SMDR to JSON lines or CSV, one object per input record.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::common::{InputArgs, OutputArgs, WRITE_BATCH};
use smdr_monitor::export::RecordWriter;
use smdr_monitor::import;
use smdr_monitor::protocol::appsuite::TimeReading;
use smdr_monitor::protocol::{Body, DateSource, Kind, Source, StreamDecoder};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let inputs = args.input.open_all()?;
    let out = args.output.open()?;
    let mut writer = RecordWriter::batched(out, args.output.output_format, WRITE_BATCH);
    let (mut total, mut unparsed, mut unresolved) = (0u64, 0u64, 0u64);
    // How call dates were decided: a handful of kinds, counted without a map lookup per record.
    let mut date_sources: Vec<(DateSource, u64)> = Vec::new();
    for (path, file) in inputs {
        let mut decoder = StreamDecoder::new(args.input.decode_options());
        let mut source = Source {
            origin: path.display().to_string().into(),
            line: 0,
        };
        let mut result = Ok(());
        import::decode_reader(file, &mut decoder, |line, d| {
            total += 1;
            unparsed += u64::from(d.kind() == Kind::Unparsed);
            // §2.3: such a time is output as printed; the summary flags it (the output's
            // fields are a fixed contract).
            if let Body::AppSuiteEvent(e) = &d.body
                && e.time_reading == TimeReading::Unresolved
            {
                unresolved += 1;
            }
            if matches!(d.kind(), Kind::Call) {
                match date_sources.iter_mut().find(|(s, _)| *s == d.date.source) {
                    Some((_, n)) => *n += 1,
                    None => date_sources.push((d.date.source, 1)),
                }
            }
            if result.is_ok() {
                source.line = line;
                result = writer.write(d, &source);
            }
        })
        .with_context(|| format!("cannot read {}", path.display()))?;
        result.with_context(|| "cannot write the output")?;
    }
    writer.finish().context("cannot write the output")?;
    eprintln!("{total} records decoded, {unparsed} unparsed");
    if unresolved > 0 {
        let (times, could) = if unresolved == 1 {
            ("time", "its call start and is")
        } else {
            ("times", "their call start and are")
        };
        eprintln!(
            "{unresolved} App Suite event {times} could not be resolved against {could} kept as printed"
        );
    }
    let mut by_words: BTreeMap<&'static str, u64> = BTreeMap::new();
    for (source, n) in date_sources {
        *by_words.entry(date_source_words(source)).or_default() += n;
    }
    if !by_words.is_empty() {
        let parts: Vec<String> = by_words
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
