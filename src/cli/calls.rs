//! `smdr-monitor calls`: saved SMDR to calls, one object per call (fields: `export::calls`).
//!
//! All files are read as one site, in the order given (e.g. consecutive day logs), so a call
//! whose events span two files is one call. Calls are printed in start order.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::Duration;

use crate::cli::common::{InputArgs, OutputArgs, WRITE_BATCH};
use smdr_monitor::export::calls::CallWriter;
use smdr_monitor::import;
use smdr_monitor::protocol::{Kind, StreamDecoder};
use smdr_monitor::timeline::{CallTracker, Outcome};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// A call with no end and no event for this many minutes before the last event of the
    /// input is reported as `aged_out` rather than `in_progress`.
    #[arg(long, default_value_t = smdr_monitor::timeline::DEFAULT_AGE_OUT_MIN, value_name = "MINUTES")]
    age_out: u32,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let inputs = args.input.open_all()?;
    let site: Arc<str> = "calls".into();
    let mut tracker = CallTracker::new(Duration::minutes(args.age_out.into()));
    let (mut records, mut unparsed) = (0u64, 0u64);
    for (path, file) in inputs {
        let mut decoder = StreamDecoder::new(args.input.decode_options());
        import::decode_reader(file, &mut decoder, |_, d| {
            records += 1;
            unparsed += u64::from(d.kind() == Kind::Unparsed);
            tracker.push_decoded(&site, d);
        })
        .with_context(|| format!("cannot read {}", path.display()))?;
    }
    // Offline, "now" is the end of the input: calls silent long before it never ended.
    if let Some(last) = tracker.last_event_at() {
        tracker.age_out(last);
    }

    let mut order: Vec<usize> = (0..tracker.calls().len()).collect();
    order.sort_by_key(|&i| (tracker.calls()[i].start, i));
    let out = args.output.open()?;
    let mut writer = CallWriter::batched(out, args.output.output_format, WRITE_BATCH);
    for &i in &order {
        writer
            .write(&tracker.calls()[i])
            .context("cannot write the output")?;
    }
    writer.finish().context("cannot write the output")?;

    let count = |o: Outcome| tracker.calls().iter().filter(|c| c.outcome == o).count();
    eprintln!(
        "{} calls from {records} records ({unparsed} unparsed): {} answered, {} abandoned, \
         {} in progress, {} aged out (no end and nothing for {} min), {} not answered, {} busy, \
         {} failed",
        tracker.calls().len(),
        count(Outcome::Answered),
        count(Outcome::Abandoned),
        count(Outcome::InProgress),
        count(Outcome::AgedOut),
        args.age_out,
        count(Outcome::NotAnswered),
        count(Outcome::Busy),
        count(Outcome::Failed),
    );
    let undated = tracker.undated_records();
    if undated > 0 {
        eprintln!(
            "{undated} call records had no date (no SMDR header, receipt time or --date) and \
             are in no call: give --date YYYY-MM-DD"
        );
    }
    // The process ends here: freeing every call one by one (a sixth of a run on a large
    // file) would only hand back what the exit hands back at once.
    std::mem::forget(tracker);
    Ok(ExitCode::SUCCESS)
}
