//! Argument types shared by subcommands.

use chrono::NaiveDate;
use smdr_monitor::protocol::Format;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Auto,
    Mitel5000,
    Appsuite,
    Mivb,
}

impl From<FormatArg> for Option<Format> {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Auto => None,
            FormatArg::Mitel5000 => Some(Format::Mitel5000),
            FormatArg::Appsuite => Some(Format::AppSuite),
            FormatArg::Mivb => Some(Format::Mivb),
        }
    }
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date like 2026-11-22"))
}

pub fn parse_padding(s: &str) -> Result<char, String> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(format!("{s:?} is not a single character")),
    }
}
