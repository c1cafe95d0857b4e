//! `smdr-monitor simulate`: a PBX (or App Suite server) on this PC serving realistic SMDR.

use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context;

use crate::cli::common::ctrl_c_flag;
use smdr_monitor::sim::{Faults, Scenario, SimOptions, SimServer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FaultArg {
    Split,
    Drip,
    Drop,
    Garbage,
}

/// Calls that trigger an alarm rule, mixed into the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ScenarioArg {
    /// Extension 2101 dials 911 (9-911 on MiVB).
    Emergency,
    /// An international call at 02:14, outside business hours.
    InternationalAfterHours,
    /// A 70-minute call.
    LongCall,
    /// Six callers hang up unanswered within two minutes, three of them the same caller.
    AbandonBurst,
    /// A few records, then nothing on a connection kept open.
    Silent,
}

impl From<ScenarioArg> for Scenario {
    fn from(s: ScenarioArg) -> Self {
        match s {
            ScenarioArg::Emergency => Scenario::Emergency,
            ScenarioArg::InternationalAfterHours => Scenario::InternationalAfterHours,
            ScenarioArg::LongCall => Scenario::LongCall,
            ScenarioArg::AbandonBurst => Scenario::AbandonBurst,
            ScenarioArg::Silent => Scenario::Silent,
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// mitel5000://, appsuite:// or mivb://ADDRESS[:PORT] to listen on (port 0 picks a free
    /// one), or appsuite-push://HOST:PORT to connect to a collector's push listener.
    url: String,
    /// Records per second, on average.
    #[arg(long, default_value = "2")]
    rate: f64,
    /// The 5000 SMDR password to expect; without it any login is accepted.
    #[arg(long)]
    password: Option<String>,
    /// Stop sending after N records (headers included); connections stay open and quiet.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Network faults to inject (repeat, or separate with commas).
    #[arg(long, value_enum, value_delimiter = ',')]
    fault: Vec<FaultArg>,
    /// Seed for repeatable traffic.
    #[arg(long)]
    seed: Option<u64>,
    /// Push mode: connect from this local address.
    #[arg(long, value_name = "IP")]
    from: Option<IpAddr>,
    /// Traffic that triggers an alarm rule, ten seconds after the start.
    #[arg(long, value_enum)]
    scenario: Option<ScenarioArg>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.rate.is_finite() && args.rate > 0.0) {
        anyhow::bail!("--rate must be a number of records per second above 0");
    }
    let faults = Faults {
        split: args.fault.contains(&FaultArg::Split),
        drip: args.fault.contains(&FaultArg::Drip),
        drop: args.fault.contains(&FaultArg::Drop),
        garbage: args.fault.contains(&FaultArg::Garbage),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("smdr-sim")
        .enable_all()
        .build()
        .context("cannot start the simulator's runtime")?;
    let options = SimOptions {
        rate: args.rate,
        password: args.password,
        count: args.count,
        faults,
        seed: args.seed,
        source: args.from,
        scenario: args.scenario.map(Scenario::from),
        ..SimOptions::default()
    };
    let sim = SimServer::start(runtime.handle(), &args.url, options)
        .with_context(|| format!("cannot simulate {}", args.url))?;
    // The first line of standard output says where: scripts and tests read it.
    match sim.local_addr() {
        Some(addr) => println!("simulating {} on {addr}", scheme(&args.url)),
        None => println!("simulating {}", args.url),
    }
    let notes = sim.take_notes();
    let stop = ctrl_c_flag();
    while !stop.load(Ordering::SeqCst) {
        match &notes {
            Some(rx) => {
                if let Ok(note) = rx.recv_timeout(Duration::from_millis(200)) {
                    eprintln!("{}  {note}", chrono::Local::now().format("%H:%M:%S"));
                }
            }
            None => std::thread::sleep(Duration::from_millis(200)),
        }
    }
    eprintln!("stopped after {} records", sim.sent());
    sim.stop();
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(ExitCode::SUCCESS)
}

fn scheme(url: &str) -> &str {
    url.split_once("://").map_or(url, |(s, _)| s)
}
