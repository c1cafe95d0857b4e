//! `smdr-monitor probe`: test a connection to a site step by step, with a verdict in words.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use crate::cli::common::{parse_duration, parse_padding};
use smdr_monitor::collect::probe::probe;
use smdr_monitor::collect::{ProbeReport, Secret, SiteConfig, StepOutcome};

#[derive(clap::Args)]
pub struct Args {
    /// mitel5000://host[:4000], appsuite://host[:2007], appsuite-push://bind[:port] or
    /// mivb://host[:1752].
    url: String,
    /// The 5000 SMDR password (default: the SMDR_PASSWORD environment variable).
    #[arg(long)]
    password: Option<String>,
    /// How long the whole test may take, e.g. 20s.
    #[arg(long, value_parser = parse_duration, default_value = "20s")]
    timeout: Duration,
    /// Push mode: an App Suite server allowed to connect (repeat for more; default: this PC).
    #[arg(long, value_name = "ADDRESS")]
    allow: Vec<String>,
    /// App Suite item padding character.
    #[arg(long, value_parser = parse_padding, default_value = "0", value_name = "CHAR")]
    padding: char,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut site = SiteConfig::from_url("probe", &args.url)?;
    if let Some(p) = args.password {
        site.password = Secret::new(p);
    }
    site.allowed_peers = args.allow;
    site.padding = args.padding;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")?;
    println!("testing {}", site.url());
    let mut print = |report: ProbeReport| match report {
        ProbeReport::Step(s) => {
            let outcome = match s.outcome {
                StepOutcome::Ok => "ok",
                StepOutcome::Failed => "FAILED",
                StepOutcome::Note => "note",
            };
            println!(
                "{:>8.3} s  {outcome:<6}  {:<16}  {}",
                s.elapsed.as_secs_f64(),
                s.label,
                s.detail
            );
        }
        ProbeReport::Done(v) => {
            println!("{}: {}", if v.success { "OK" } else { "FAILED" }, v.verdict);
        }
    };
    let verdict = runtime.block_on(probe(&site, args.timeout, &mut print));
    Ok(if verdict.success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
