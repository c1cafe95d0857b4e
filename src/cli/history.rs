//! `smdr-monitor history …`: the history database from the command line — import saved logs,
//! rebuild from the raw day logs, query records or calls, statistics per day/hour/extension/
//! trunk/DDI, prune old days.

use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;

use crate::cli::common::{InputArgs, OutputArgs, parse_date};
use smdr_monitor::collect::{load_named_sites, load_sites};
use smdr_monitor::history::ingest::{Ingest, Progress, SiteLogs, import_file, rebuild};
use smdr_monitor::history::target::{default_settings_path, target_from_settings};
use smdr_monitor::history::{self, HistoryStore, RecordQuery, StatsBy, Target};
use smdr_monitor::jobs::history_output::{CallOut, RecordOut, StatsFormat, write_stats};
use smdr_monitor::paths::{default_config_path, default_log_dir};
use smdr_monitor::timeline::DEFAULT_AGE_OUT_MIN;

#[derive(clap::Args)]
pub struct Args {
    /// The history database: postgres://user:password@host/db[?sslmode=require] or an SQLite
    /// file (default: `history = "…"` in settings.toml beside sites.toml, else the embedded
    /// database in the OS data folder).
    #[arg(long, global = true, value_name = "URL")]
    history: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Saved logs of any kind (text logs, raw day logs, captures) into the history.
    Import(ImportArgs),
    /// Every raw day log into the history (what is there already is skipped).
    Rebuild(RebuildArgs),
    /// Records (or calls) from the history, as `decode` (or `calls`) prints them.
    Query(QueryArgs),
    /// Calls, answered, abandoned, time to answer and talk time per day, hour, extension,
    /// trunk or DDI.
    Stats(StatsArgs),
    /// Removes every record, unparsed line, call and connection gap before a day.
    Prune(PruneArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The site the records belong to (default: each file's name).
    #[arg(long, value_name = "NAME")]
    site: Option<String>,
    /// Minutes without an event after which a call with no end is written as aged out.
    #[arg(long, default_value_t = DEFAULT_AGE_OUT_MIN, value_name = "MINUTES")]
    age_out: u32,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(clap::Args)]
struct RebuildArgs {
    /// Where the raw day logs are (default: the OS data folder).
    #[arg(long, value_name = "DIR")]
    log_dir: Option<PathBuf>,
    /// A sites.toml for the sites' names and formats (default: the app's own).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[arg(long, default_value_t = DEFAULT_AGE_OUT_MIN, value_name = "MINUTES")]
    age_out: u32,
}

#[derive(clap::Args)]
struct Filters {
    /// Only this site (repeat for more).
    #[arg(long = "site", value_name = "NAME")]
    sites: Vec<String>,
    /// First day, inclusive.
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    from: Option<NaiveDate>,
    /// Last day, inclusive.
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    to: Option<NaiveDate>,
}

#[derive(clap::Args)]
struct QueryArgs {
    #[command(flatten)]
    filters: Filters,
    /// Outside number contains this.
    #[arg(long, value_name = "N", default_value = "")]
    number: String,
    /// Extension contains this (calls: any extension on the call's path).
    #[arg(long, value_name = "E", default_value = "")]
    extension: String,
    /// Raw text contains this, any case (calls: number, name, DDI or path).
    #[arg(long, value_name = "T", default_value = "")]
    text: String,
    /// Calls instead of records.
    #[arg(long)]
    calls: bool,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(clap::Args)]
struct StatsArgs {
    /// How to group the calls.
    #[arg(long, value_enum, default_value = "day")]
    by: StatsBy,
    #[command(flatten)]
    filters: Filters,
    /// Output format.
    #[arg(long = "as", value_enum, default_value = "table")]
    format: StatsFormat,
    /// Write here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct PruneArgs {
    /// Remove everything of days before this one.
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    before: NaiveDate,
}

/// The database the user chose: `--history`, else the settings, else the embedded default.
fn target(args: &Args) -> anyhow::Result<Target> {
    if let Some(h) = &args.history {
        return Ok(Target::parse(h)?);
    }
    Ok(target_from_settings(&default_settings_path())?.unwrap_or_else(Target::default_embedded))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let target = target(&args)?;
    let mut store = history::open(&target)?;
    match args.command {
        Command::Import(a) => import(store.as_mut(), a),
        Command::Rebuild(a) => rebuild_all(store.as_mut(), a),
        Command::Query(a) => query(store.as_mut(), a),
        Command::Stats(a) => stats(store.as_mut(), a),
        Command::Prune(a) => {
            let p = store.prune(a.before)?;
            eprintln!(
                "removed from {}: {} records, {} unparsed lines, {} calls, {} connection gaps before {}",
                store.target(),
                p.records,
                p.unparsed,
                p.calls,
                p.spans,
                a.before
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn import(store: &mut dyn HistoryStore, a: ImportArgs) -> anyhow::Result<ExitCode> {
    // Every file is checked before any is imported.
    for path in &a.input.files {
        if !path.exists() {
            anyhow::bail!("{}: no such file", path.display());
        }
    }
    let options = a.input.decode_options();
    let mut ingest = Ingest::new(chrono::Duration::minutes(a.age_out.into()));
    let (mut lines, mut unparsed, mut new) = (0, 0, 0);
    for path in &a.input.files {
        let site: Arc<str> = match &a.site {
            Some(s) => s.as_str().into(),
            None => path
                .file_name()
                .map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into(),
                )
                .into(),
        };
        let done = import_file(store, &mut ingest, path, &site, &options)?;
        eprintln!(
            "{}: {} records ({} unparsed, {} new) as site {site}",
            path.display(),
            done.lines,
            done.unparsed,
            done.new
        );
        lines += done.lines;
        unparsed += done.unparsed;
        new += done.new;
    }
    eprintln!(
        "{lines} records ({unparsed} unparsed) imported into {}: {new} new, {} there already",
        store.target(),
        lines - new
    );
    Ok(ExitCode::SUCCESS)
}

fn rebuild_all(store: &mut dyn HistoryStore, a: RebuildArgs) -> anyhow::Result<ExitCode> {
    let log_dir = a.log_dir.unwrap_or_else(default_log_dir);
    let configured = match &a.config {
        Some(path) => load_named_sites(path)?,
        None => load_sites(&default_config_path())?,
    };
    let today = chrono::Local::now().date_naive();
    let sites: Vec<SiteLogs> = configured
        .iter()
        .map(|s| SiteLogs {
            name: s.name.as_str().into(),
            options: s.decode_options(today),
        })
        .collect();
    eprintln!(
        "rebuilding {} from the raw day logs in {}",
        store.target(),
        log_dir.display()
    );
    let mut last = Instant::now();
    let mut show = |p: &Progress<'_>| {
        if last.elapsed() >= Duration::from_secs(1) || p.lines == p.total {
            last = Instant::now();
            eprintln!("{} of {} lines ({}: {})", p.lines, p.total, p.site, p.file);
        }
    };
    let done = rebuild(
        store,
        &log_dir,
        &sites,
        chrono::Duration::minutes(a.age_out.into()),
        &mut show,
    )?;
    eprintln!(
        "{} lines from {} raw day logs read into {}: {} new, {} there already",
        done.lines,
        done.files,
        store.target(),
        done.new,
        done.lines - done.new
    );
    Ok(ExitCode::SUCCESS)
}

fn record_query(f: &Filters) -> RecordQuery {
    RecordQuery {
        sites: f.sites.clone(),
        from: f.from,
        to: f.to,
        ..Default::default()
    }
}

fn query(store: &mut dyn HistoryStore, a: QueryArgs) -> anyhow::Result<ExitCode> {
    let q = RecordQuery {
        number: a.number.clone(),
        extension: a.extension.clone(),
        text: a.text.clone(),
        ..record_query(&a.filters)
    };
    let out = BufWriter::new(a.output.open()?);
    if a.calls {
        let mut w = CallOut::new(out, a.output.output_format);
        let n = store.calls(&q, &mut |c| w.write(c))?;
        w.finish().context("cannot write the output")?;
        eprintln!("{n} calls");
    } else {
        let mut w = RecordOut::new(out, a.output.output_format);
        let n = store.records(&q, &mut |r| w.write(r))?;
        w.finish().context("cannot write the output")?;
        eprintln!("{n} records");
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(store: &mut dyn HistoryStore, a: StatsArgs) -> anyhow::Result<ExitCode> {
    let rows = store.stats(&record_query(&a.filters), a.by)?;
    let mut out: Box<dyn std::io::Write> = match &a.output {
        Some(p) => Box::new(BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    write_stats(&mut out, a.by.as_str(), &rows, a.format).context("cannot write the output")?;
    Ok(ExitCode::SUCCESS)
}
