//! The command line built without the window (`cargo build --no-default-features`): the binary a
//! server runs unattended. Under the default build (with the window) there is nothing to check.
#![cfg(not(feature = "gui"))]

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn with_no_subcommand_it_says_in_words_that_this_build_has_no_window() {
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end(),
        "this build of smdr-monitor has no window (built without the `gui` feature): use a subcommand — decode, calls, collect, probe, simulate; see --help"
    );
}

#[test]
fn help_offers_every_subcommand_and_no_window_option() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for command in ["decode", "calls", "collect", "probe", "simulate"] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(command)),
            "{command} missing from:\n{help}"
        );
    }
    assert!(
        !help.contains("--demo") && !help.contains("--tab"),
        "{help}"
    );
}
