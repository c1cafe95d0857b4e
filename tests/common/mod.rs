//! What several integration tests share.

use std::process::Command;

/// Runs `smdr-monitor <subcommand> <args>` as a user would: exit code, stdout, stderr.
pub fn run(subcommand: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .arg(subcommand)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
