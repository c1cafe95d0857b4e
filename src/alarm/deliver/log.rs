//! The alarm log: every alarm as one JSON line in `alarms.<YYYYMMDD>.jsonl` beside the raw
//! day logs (in the log folder, whose site folders hold the day logs), dated by the alarm's
//! own day.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Channel, DeliveryError};
use crate::alarm::Alarm;

pub struct AlarmLog {
    dir: PathBuf,
}

/// `alarms.20261130.jsonl`.
pub fn log_file_name(alarm: &Alarm) -> String {
    format!("alarms.{}.jsonl", alarm.at.format("%Y%m%d"))
}

impl AlarmLog {
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.into() }
    }

    /// Appends `alarm`; the file written.
    pub fn append(&self, alarm: &Alarm) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(log_file_name(alarm));
        let mut line = serde_json::to_vec(alarm).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut f = OpenOptions::new().create(true).append(true).open(&path)?;
        // One write per line: lines from two processes do not interleave within a line.
        f.write_all(&line)?;
        Ok(path)
    }
}

impl Channel for AlarmLog {
    fn name(&self) -> &'static str {
        "alarm log"
    }

    fn target(&self) -> String {
        self.dir.display().to_string()
    }

    fn deliver(&mut self, alarm: &Alarm) -> Result<String, DeliveryError> {
        match self.append(alarm) {
            Ok(path) => Ok(format!("written to {}", path.display())),
            Err(e) => Err(DeliveryError::retry(format!(
                "cannot write the alarm log in {}: {e}",
                self.dir.display()
            ))),
        }
    }
}
