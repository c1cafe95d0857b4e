//! `smdr-monitor`: with no arguments, the window; otherwise one of the subcommands.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "smdr-monitor",
    version,
    about = "Watch, log and analyse Mitel SMDR call records"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    /// Start the built-in demo site even when sites are configured.
    #[arg(long)]
    demo: bool,
    /// The tab the window opens on.
    #[arg(long, value_enum)]
    tab: Option<smdr_monitor::ui::state::Tab>,
    /// Saved logs or captures to open in the window.
    #[arg(value_name = "FILE")]
    files: Vec<std::path::PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Decode saved SMDR (text logs, raw day logs, socket captures) to JSON lines or CSV.
    Decode(cli::decode::Args),
    /// Turn App Suite events into calls (and 5000/MiVB records into call outcomes).
    Calls(cli::calls::Args),
    /// Collect from sites without a window, logging every record.
    Collect(cli::collect::Args),
    /// Test a connection to a site step by step.
    Probe(cli::probe::Args),
    /// Run a PBX simulator that serves realistic SMDR traffic.
    Simulate(cli::simulate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = cli::logging::init(cli.command.is_none());
    let result = match cli.command {
        None => cli::window::run(cli.demo, cli.tab, cli.files),
        Some(Command::Decode(args)) => cli::decode::run(args),
        Some(Command::Calls(args)) => cli::calls::run(args),
        Some(Command::Collect(args)) => cli::collect::run(args),
        Some(Command::Probe(args)) => cli::probe::run(args),
        Some(Command::Simulate(args)) => cli::simulate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("smdr-monitor: {e:#}");
            ExitCode::FAILURE
        }
    }
}
