//! Argument types shared by subcommands.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use smdr_monitor::export::TextFormat;
use smdr_monitor::protocol::{DecodeOptions, Format};

/// The inputs `decode` and `calls` read, and how to decode them.
#[derive(clap::Args)]
pub struct InputArgs {
    /// The format of the input; `auto` detects it line by line.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,
    /// Date for 5000 records when the input has no header and no receipt times.
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
    /// App Suite item padding character.
    #[arg(long, value_parser = parse_padding, default_value = "0", value_name = "CHAR")]
    pub padding: char,
    /// Text logs (one record per line), raw day logs, or binary socket captures.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl InputArgs {
    pub fn decode_options(&self) -> DecodeOptions {
        DecodeOptions {
            format: self.format.into(),
            date: self.date,
            padding: self.padding,
            ..Default::default()
        }
    }

    /// Every file opened first, so that a missing one fails before any output; each is then
    /// read a piece at a time as it is decoded (memory stays flat for any size).
    pub fn open_all(&self) -> anyhow::Result<Vec<(&PathBuf, fs::File)>> {
        self.files
            .iter()
            .map(|path| {
                if !path.exists() {
                    bail!("{}: no such file", path.display());
                }
                let file = fs::File::open(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                Ok((path, file))
            })
            .collect()
    }
}

/// How many bytes of output `decode` and `calls` gather before each write.
pub const WRITE_BATCH: usize = 1 << 20;

/// Where and how `decode` and `calls` write.
#[derive(clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long = "as", value_enum, default_value = "jsonl")]
    pub output_format: TextFormat,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

impl OutputArgs {
    pub fn open(&self) -> anyhow::Result<Box<dyn Write>> {
        Ok(match &self.output {
            Some(p) => Box::new(
                fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
            ),
            None => Box::new(io::stdout().lock()),
        })
    }
}

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

/// `30s`, `5m`, `2h`, `1h30m`, or plain seconds (`90`, `0.5`).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("{s:?} is not a duration like 30s, 5m, 2h or 1h30m");
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| std::time::Duration::from_secs_f64(secs))
            .ok_or_else(bad);
    }
    let mut total = 0.0;
    let mut number = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let n: f64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total += n * match c {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86400.0,
            _ => return Err(bad()),
        };
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs_f64(total))
}

/// Set once Ctrl-C is pressed. Commands poll it between their own steps, so they can stop
/// cleanly (flushing logs, writing exports) instead of dying mid-write.
pub fn ctrl_c_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let flag = std::sync::Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    let spawned = std::thread::Builder::new()
        .name("smdr-ctrl-c".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            if rt.block_on(tokio::signal::ctrl_c()).is_ok() {
                set.store(true, Ordering::SeqCst);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot watch for Ctrl-C: {e}");
    }
    flag
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("5m3").is_err());
    }
}
