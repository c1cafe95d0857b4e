//! `smdr-monitor`: with no arguments, the window; otherwise one of the subcommands. Built
//! without the `gui` feature it is the command line alone (a server's headless collector).

// Windows release builds open no console window behind the app window; see attach_console.
#![cfg_attr(
    all(windows, not(debug_assertions), feature = "gui"),
    windows_subsystem = "windows"
)]

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
    #[cfg(feature = "gui")]
    #[arg(long)]
    demo: bool,
    /// The tab the window opens on.
    #[cfg(feature = "gui")]
    #[arg(long, value_enum)]
    tab: Option<smdr_monitor::ui::state::Tab>,
    /// Saved logs or captures to open in the window.
    #[cfg(feature = "gui")]
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
    /// Alarm rules over saved logs (`check`), and a test alarm through every channel (`test`).
    Alarms(cli::alarms::Args),
    /// The history database: import, rebuild from raw day logs, query, statistics, prune.
    History(cli::history::Args),
    /// The collector as a Windows service: install, uninstall, start, stop (Windows only; on
    /// Linux the .deb's systemd unit).
    Service(cli::service::Args),
}

fn main() -> ExitCode {
    // Help, version, usage errors and subcommands print: on Windows they need the shell's console.
    let cli = Cli::try_parse().unwrap_or_else(|e| {
        attach_console();
        e.exit()
    });
    if cli.command.is_some() {
        attach_console();
    }
    let _log = cli::logging::init(cfg!(feature = "gui") && cli.command.is_none());
    let result = match cli.command {
        #[cfg(feature = "gui")]
        None => cli::window::run(cli.demo, cli.tab, cli.files),
        #[cfg(not(feature = "gui"))]
        None => Ok(no_window()),
        Some(Command::Decode(args)) => cli::decode::run(args),
        Some(Command::Calls(args)) => cli::calls::run(args),
        Some(Command::Collect(args)) => cli::collect::run(args),
        Some(Command::Probe(args)) => cli::probe::run(args),
        Some(Command::Simulate(args)) => cli::simulate::run(args),
        Some(Command::Alarms(args)) => cli::alarms::run(args),
        Some(Command::History(args)) => cli::history::run(args),
        Some(Command::Service(args)) => cli::service::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("smdr-monitor: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Built without the window: say so, and what this build can do (exit code 2, a usage error).
#[cfg(not(feature = "gui"))]
fn no_window() -> ExitCode {
    eprintln!(
        "this build of smdr-monitor has no window (built without the `gui` feature): use a subcommand — decode, calls, collect, probe, simulate; see --help"
    );
    ExitCode::from(2)
}

/// A GUI-subsystem program starts without a console, so a subcommand (or `--help`) typed in
/// cmd.exe or PowerShell would print nothing: borrow the console it was typed in. Output already
/// redirected to a file or pipe stays there. The window stays detached. (The shell does not wait
/// for a GUI program; `smdr-monitor.com` beside the .exe is the console build: packaging/.)
#[cfg(all(windows, not(debug_assertions), feature = "gui"))]
fn attach_console() {
    use windows_sys::Win32::Storage::FileSystem::{FILE_TYPE_DISK, FILE_TYPE_PIPE, GetFileType};
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_INPUT_HANDLE,
        STD_OUTPUT_HANDLE, SetStdHandle,
    };
    // SAFETY: plain Win32 calls on this process's own standard handles; none keeps a pointer.
    unsafe {
        let ids = [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE];
        let before = ids.map(|id| (id, GetStdHandle(id)));
        // Fails when started from Explorer (no parent console): then there is nowhere to print.
        if AttachConsole(ATTACH_PARENT_PROCESS) != 0 {
            for (id, handle) in before {
                if matches!(GetFileType(handle), FILE_TYPE_DISK | FILE_TYPE_PIPE) {
                    SetStdHandle(id, handle);
                }
            }
        }
    }
}

/// Console programs (every other build) already print where they were started.
#[cfg(not(all(windows, not(debug_assertions), feature = "gui")))]
fn attach_console() {}
