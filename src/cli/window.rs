//! No subcommand: the window (not built yet).

use std::process::ExitCode;

pub fn run(_demo: bool) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the window is not available in this build yet; try `smdr-monitor decode --help`")
}
