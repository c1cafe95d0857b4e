//! `smdr-monitor alarms`: `check` runs the alarm rules over saved logs and prints the alarms
//! they would have raised (audit a weekend for toll fraud); `test` sends a test alarm through
//! every configured channel and says how each went.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};

use crate::cli::common::InputArgs;
use smdr_monitor::alarm::check::Checker;
use smdr_monitor::alarm::config::{self, AlarmsConfig};
use smdr_monitor::alarm::deliver::{channels, deliver_once};
use smdr_monitor::alarm::eval::test_alarm;
use smdr_monitor::alarm::{Alarm, Evaluator, default_alarms_path};
use smdr_monitor::engine::alarms::history_channel;
use smdr_monitor::import;
use smdr_monitor::paths::default_log_dir;
use smdr_monitor::protocol::StreamDecoder;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Run the alarm rules over saved logs; print the alarms they would have raised as JSON
    /// lines. Site down and silent need a live feed and are not judged.
    Check(CheckArgs),
    /// Send a test alarm through every configured channel (desktop, webhook, email, alarm log)
    /// and say how each went.
    Test(TestArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The alarm rules (default: alarms.toml in the config folder, or the defaults).
    #[arg(long, value_name = "FILE")]
    alarms: Option<PathBuf>,
    /// The site the logs are from, for rules and business hours given per site (default: the
    /// site a raw day log is named after, else the file's name).
    #[arg(long, value_name = "NAME")]
    site: Option<String>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(clap::Args)]
struct TestArgs {
    /// The alarm rules and channels (default: alarms.toml in the config folder).
    #[arg(long, value_name = "FILE")]
    alarms: Option<PathBuf>,
    /// The rule the test alarm is for (default: the first number rule switched on).
    #[arg(long, value_name = "NAME")]
    rule: Option<String>,
    /// The site named in the test alarm.
    #[arg(long, value_name = "NAME", default_value = "test")]
    site: String,
    /// Where the alarm log is written (default: the raw day logs' folder).
    #[arg(long, value_name = "DIR")]
    log_dir: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Check(a) => check(a),
        Command::Test(a) => test(a),
    }
}

/// A file the user named must exist; the app's own may not (then the defaults).
fn load(path: Option<&Path>) -> anyhow::Result<(AlarmsConfig, PathBuf)> {
    match path {
        Some(p) => {
            if !p.exists() {
                bail!("{}: no such file", p.display());
            }
            Ok((config::load(p)?, p.into()))
        }
        None => {
            let p = default_alarms_path();
            Ok((config::load(&p)?, p))
        }
    }
}

/// `HQ` for a raw day log `HQ.20261130.1.log`; else the file's name.
fn site_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [site @ .., day, n, "log"]
            if !site.is_empty()
                && day.len() == 8
                && day.bytes().all(|b| b.is_ascii_digit())
                && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            site.join(".")
        }
        _ => name,
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let (config, _) = load(args.alarms.as_deref())?;
    let mut evaluator = Evaluator::new(&config).map_err(anyhow::Error::msg)?;
    evaluator.set_local_offset(*chrono::Local::now().offset());
    let inputs = args.input.open_all()?;
    let mut checker = Checker::new(evaluator);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut records = 0u64;
    let mut per_rule: BTreeMap<String, u64> = BTreeMap::new();
    let mut alarms: Vec<Alarm> = Vec::new();
    for (path, file) in &inputs {
        let site: Arc<str> = args.site.clone().unwrap_or_else(|| site_of(path)).into();
        let origin = path.display().to_string();
        let mut decoder = StreamDecoder::new(args.input.decode_options());
        let mut result = Ok(());
        import::items_from(file, import::READ_CHUNK, |item| {
            if item.problem.is_some() {
                return;
            }
            decoder.decode_bytes(item.bytes, item.received, |d, _| {
                records += 1;
                alarms.clear();
                checker.push(&site, item.received, d, &mut alarms);
                for a in &mut alarms {
                    if let Some(r) = &mut a.record {
                        r.source = Some(format!("{origin}:{}", item.number));
                    }
                    *per_rule.entry(a.rule.clone()).or_default() += 1;
                    if result.is_ok() {
                        result = serde_json::to_writer(&mut out, a)
                            .map_err(std::io::Error::other)
                            .and_then(|()| out.write_all(b"\n"));
                    }
                }
            });
        })
        .with_context(|| format!("cannot read {}", path.display()))?;
        result.context("cannot write the output")?;
    }
    out.flush().context("cannot write the output")?;
    let total: u64 = per_rule.values().sum();
    let rules: Vec<String> = per_rule.iter().map(|(r, n)| format!("{r}: {n}")).collect();
    let files = if inputs.len() == 1 { "file" } else { "files" };
    if total == 0 {
        eprintln!(
            "no alarm from {records} records in {} {files}",
            inputs.len()
        );
    } else {
        eprintln!(
            "{total} {} from {records} records in {} {files} ({})",
            if total == 1 { "alarm" } else { "alarms" },
            inputs.len(),
            rules.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn test(args: TestArgs) -> anyhow::Result<ExitCode> {
    let (config, path) = load(args.alarms.as_deref())?;
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Local::now().fixed_offset(), 3);
    let alarm =
        test_alarm(&config, args.rule.as_deref(), &args.site, now).map_err(anyhow::Error::msg)?;
    let log_dir = args.log_dir.unwrap_or_else(default_log_dir);
    let mut channels = channels(&config.delivery, &log_dir, history_channel);
    println!("test alarm: {}", alarm.text);
    if channels.is_empty() {
        println!(
            "no channel is configured in {}: switch on the desktop or the alarm log, or give a webhook URL or a mail server",
            path.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    let mut failed = 0;
    for (channel, min_severity) in &mut channels {
        let started = std::time::Instant::now();
        let name = channel.name();
        let target = channel.target();
        // A test goes everywhere, whatever severity a channel waits for.
        let note = if alarm.severity < *min_severity {
            format!(" (it takes {min_severity} and above; the test goes anyway)")
        } else {
            String::new()
        };
        match deliver_once(channel.as_mut(), &alarm) {
            Ok(what) => println!(
                "{name} ({target}): delivered in {:.1} s — {what}{note}",
                started.elapsed().as_secs_f64()
            ),
            Err(e) => {
                failed += 1;
                println!("{name} ({target}): FAILED — {e}{note}");
            }
        }
    }
    let missing: Vec<&str> = [
        (config.delivery.webhook.url.trim().is_empty(), "webhook"),
        (config.delivery.email.server.trim().is_empty(), "email"),
    ]
    .into_iter()
    .filter_map(|(off, name)| off.then_some(name))
    .collect();
    if !missing.is_empty() {
        println!(
            "not configured in {}: {}",
            path.display(),
            missing.join(", ")
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_day_logs_name_their_site() {
        assert_eq!(site_of(Path::new("/logs/HQ/HQ.20261130.1.log")), "HQ");
        assert_eq!(
            site_of(Path::new("Main.Office.20261130.12.log")),
            "Main.Office"
        );
        assert_eq!(site_of(Path::new("capture.bin")), "capture.bin");
        assert_eq!(site_of(Path::new("20261130.1.log")), "20261130.1.log");
    }
}
