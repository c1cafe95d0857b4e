//! The files a site writes: the raw day log (one line per record, written before decoding) and
//! the connection log beside it.
//!
//! Raw day log: `<log-dir>/<site>/<site>.<YYYYMMDD>.<N>.log`, lines `<receipt time>\t<text>\n`.
//! `N` is one more than the highest existing for that day when the file is opened, so nothing
//! is ever overwritten; a record received after local midnight opens the next day's file.
//!
//! The two logs are also where a site's day is read back from when it starts again
//! ([`earlier`]): how many records, the spans not collected, when the last run ended.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Local, NaiveDate, NaiveTime, TimeZone};

use super::events::{Gap, GapCause};
use crate::rawlog::{file_name_for, stamp};

/// The first two of `names` that would share one log folder (and connection log): equal once
/// made safe for a file name, compared without case as Windows folders are.
pub fn same_folder<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<(&'a str, &'a str)> {
    let mut seen = std::collections::HashMap::new();
    for name in names {
        let key = file_name_for(name).to_lowercase();
        if let Some(first) = seen.insert(key, name) {
            return Some((first, name));
        }
    }
    None
}

/// The folder of a site's logs.
pub fn site_dir(log_dir: &Path, site: &str) -> PathBuf {
    log_dir.join(file_name_for(site))
}

/// A site's raw day log, opened lazily at the first record and again at each new day.
pub struct RawLog {
    dir: PathBuf,
    stem: String,
    open: Option<OpenLog>,
}

struct OpenLog {
    day: NaiveDate,
    path: Arc<str>,
    out: BufWriter<File>,
    lines: u64,
}

/// Where a record went: the file and its line number there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: Arc<str>,
    pub line: u64,
    /// Set when this record opened a new file.
    pub new_file: bool,
}

impl RawLog {
    pub fn new(log_dir: &Path, site: &str) -> Self {
        Self {
            dir: site_dir(log_dir, site),
            stem: file_name_for(site),
            open: None,
        }
    }

    /// The folder the site's raw day logs go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file being written, if one is open.
    pub fn path(&self) -> Option<&Arc<str>> {
        self.open.as_ref().map(|o| &o.path)
    }

    /// The file being written and how many lines it has, if one is open.
    pub fn written(&self) -> Option<(Arc<str>, u64)> {
        self.open.as_ref().map(|o| (o.path.clone(), o.lines))
    }

    /// Appends one record received at `at` and flushes it to the OS.
    pub fn append(&mut self, at: &DateTime<Local>, text: &[u8]) -> io::Result<Written> {
        let day = at.date_naive();
        let mut new_file = false;
        if self.open.as_ref().is_none_or(|o| o.day != day) {
            self.open = None;
            self.open = Some(self.open_for(day)?);
            new_file = true;
        }
        let Some(log) = self.open.as_mut() else {
            return Err(io::Error::other("raw day log not open"));
        };
        log.out.write_all(stamp(at).as_bytes())?;
        log.out.write_all(b"\t")?;
        log.out.write_all(text)?;
        log.out.write_all(b"\n")?;
        log.out.flush()?;
        log.lines += 1;
        Ok(Written {
            path: log.path.clone(),
            line: log.lines,
            new_file,
        })
    }

    fn open_for(&self, day: NaiveDate) -> io::Result<OpenLog> {
        fs::create_dir_all(&self.dir)?;
        let prefix = format!("{}.{}.", self.stem, day.format("%Y%m%d"));
        let mut n = highest_n(&self.dir, &prefix)? + 1;
        loop {
            let path = self.dir.join(format!("{prefix}{n}.log"));
            // `create_new`: a file another process created meanwhile is never overwritten.
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(OpenLog {
                        day,
                        path: path.display().to_string().into(),
                        out: BufWriter::new(file),
                        lines: 0,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => n += 1,
                Err(e) => return Err(e),
            }
        }
    }
}

/// The highest `N` among `<prefix><N>.log` files in `dir` (0 when none).
fn highest_n(dir: &Path, prefix: &str) -> io::Result<u32> {
    Ok(numbered(dir, prefix)?.last().map_or(0, |(n, _)| *n))
}

/// The `<prefix><N>.log` files in `dir`, by `N`.
fn numbered(dir: &Path, prefix: &str) -> io::Result<Vec<(u32, PathBuf)>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let n = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".log"))
            .and_then(|n| n.parse::<u32>().ok());
        if let Some(n) = n {
            found.push((n, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

/// A site's raw day logs of `day`, oldest first (`.1`, `.2`, …): what it collected that day
/// before this run. None when the folder does not exist.
pub fn day_logs(log_dir: &Path, site: &str, day: NaiveDate) -> io::Result<Vec<PathBuf>> {
    let dir = site_dir(log_dir, site);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let prefix = format!("{}.{}.", file_name_for(site), day.format("%Y%m%d"));
    Ok(numbered(&dir, &prefix)?
        .into_iter()
        .map(|(_, p)| p)
        .collect())
}

/// The site's connection log, `<site>.<YYYYMMDD>.connection.log`, appended: connects, logins
/// (password masked), drops and why, backoff, gaps, skipped bytes.
pub struct ConnectionLog {
    dir: PathBuf,
    stem: String,
    open: Option<(NaiveDate, Arc<str>, File, u64)>,
}

impl ConnectionLog {
    pub fn new(log_dir: &Path, site: &str) -> Self {
        Self {
            dir: site_dir(log_dir, site),
            stem: file_name_for(site),
            open: None,
        }
    }

    /// Appends a line; returns the file and line number it went to.
    pub fn append(&mut self, at: &DateTime<Local>, message: &str) -> io::Result<(Arc<str>, u64)> {
        let day = at.date_naive();
        if self.open.as_ref().is_none_or(|o| o.0 != day) {
            fs::create_dir_all(&self.dir)?;
            let path = self.dir.join(format!(
                "{}.{}.connection.log",
                self.stem,
                day.format("%Y%m%d")
            ));
            let lines = match fs::read(&path) {
                Ok(data) => memchr::memchr_iter(b'\n', &data).count() as u64,
                Err(_) => 0,
            };
            let file = OpenOptions::new().create(true).append(true).open(&path)?;
            self.open = Some((day, path.display().to_string().into(), file, lines));
        }
        let Some((_, path, file, lines)) = self.open.as_mut() else {
            return Err(io::Error::other("connection log not open"));
        };
        // One write per line: appends from two processes never interleave inside a line.
        let line = format!("{}\t{}\n", stamp(at), message.replace('\n', " "));
        file.write_all(line.as_bytes())?;
        *lines += 1;
        Ok((path.clone(), *lines))
    }
}

/// The connection-log line of a span not collected (`note` adds words to a span without a
/// connection). [`earlier`] reads it back.
pub fn gap_message(gap: &Gap, note: &str) -> String {
    let (from, to) = (gap.from.format("%H:%M:%S"), gap.to.format("%H:%M:%S"));
    match gap.cause {
        GapCause::NoConnection => {
            format!("no connection {from}–{to}{note}, records may be missing")
        }
        cause => format!(
            "not collecting {from}–{to}: {}, records may be missing",
            cause.words()
        ),
    }
}

/// The connection-log line of a site that stops collecting, by why it stops.
pub fn stop_message(why: GapCause) -> &'static str {
    match why {
        GapCause::Paused => "collection paused",
        GapCause::ProgramClosed => "collection stopped: program closed",
        GapCause::SettingsChanged => "collection stopped: site settings changed",
        GapCause::NoConnection => "collection stopped",
    }
}

/// A [`gap_message`] line logged at `at` (the span's end), read back.
fn parse_gap(at: DateTime<Local>, message: &str) -> Option<Gap> {
    let rest = message.strip_suffix(", records may be missing")?;
    let (rest, cause) = match rest.strip_prefix("no connection ") {
        Some(rest) => (rest, GapCause::NoConnection),
        None => {
            let rest = rest.strip_prefix("not collecting ")?;
            let (_, words) = rest.split_once(": ")?;
            (rest, GapCause::from_words(words)?)
        }
    };
    let from = NaiveTime::parse_from_str(rest.get(..8)?, "%H:%M:%S").ok()?;
    // A span that began before midnight ends on the log's day.
    let day = if from > at.time() {
        at.date_naive().pred_opt()?
    } else {
        at.date_naive()
    };
    let from = Local.from_local_datetime(&day.and_time(from)).earliest()?;
    Some(Gap {
        from,
        to: at,
        cause,
    })
}

/// A log line's receipt-time stamp and the rest.
fn split_stamp(line: &[u8]) -> Option<(DateTime<Local>, &[u8])> {
    let (at, rest) = crate::rawlog::split_receipt_time(line);
    Some((at?.with_timezone(&Local), rest))
}

/// What a site's logs say about a day before this run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Earlier {
    /// Records in the day's raw day logs.
    pub records: u64,
    pub last_record: Option<DateTime<Local>>,
    /// Spans not collected, oldest first, from the connection log.
    pub gaps: Vec<Gap>,
    /// When the last run was last heard of (its last record or log line), and why it stopped:
    /// from then until now nothing was collected.
    pub ended: Option<(DateTime<Local>, GapCause)>,
}

/// Reads a site's raw day logs and connection log of `day`.
pub fn earlier(log_dir: &Path, site: &str, day: NaiveDate) -> io::Result<Earlier> {
    let mut e = Earlier::default();
    for path in day_logs(log_dir, site, day)? {
        let data = fs::read(&path)?;
        let lines = data
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty() && *l != b"\r");
        let mut last = None;
        for line in lines {
            e.records += 1;
            last = Some(line);
        }
        if let Some((at, _)) = last.and_then(split_stamp) {
            e.last_record = Some(e.last_record.map_or(at, |t| t.max(at)));
        }
    }
    let path = site_dir(log_dir, site).join(format!(
        "{}.{}.connection.log",
        file_name_for(site),
        day.format("%Y%m%d")
    ));
    let data = match fs::read(&path) {
        Ok(data) => data,
        Err(err) if err.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(err),
    };
    let mut last_line: Option<(DateTime<Local>, String)> = None;
    for line in data.split(|&b| b == b'\n') {
        let Some((at, message)) = split_stamp(line) else {
            continue;
        };
        let message = String::from_utf8_lossy(message);
        if let Some(gap) = parse_gap(at, &message) {
            e.gaps.push(gap);
        }
        last_line = Some((at, message.into_owned()));
    }
    let stopped = |message: &str| {
        [
            GapCause::Paused,
            GapCause::SettingsChanged,
            GapCause::ProgramClosed,
        ]
        .into_iter()
        .find(|&why| stop_message(why) == message)
    };
    e.ended = match (last_line, e.last_record) {
        // Records after the last log line: the program ended while receiving.
        (Some((at, _)), Some(record)) if record > at => Some((record, GapCause::ProgramClosed)),
        (Some((at, message)), _) => {
            Some((at, stopped(&message).unwrap_or(GapCause::ProgramClosed)))
        }
        (None, Some(record)) => Some((record, GapCause::ProgramClosed)),
        (None, None) => None,
    };
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Local> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.3f").unwrap();
        Local.from_local_datetime(&naive).earliest().unwrap()
    }

    #[test]
    fn names_sharing_a_folder() {
        assert_eq!(same_folder(["A B", "HQ", "A_B"]), Some(("A B", "A_B")));
        assert_eq!(same_folder(["HQ", "hq"]), Some(("HQ", "hq")));
        assert_eq!(same_folder(["HQ", "Branch", "HQ 2"]), None);
    }

    #[test]
    fn numbering_rollover_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let site_dir = dir.path().join("HQ");
        fs::create_dir_all(&site_dir).unwrap();
        fs::write(site_dir.join("HQ.20261129.1.log"), "old\n").unwrap();
        fs::write(site_dir.join("HQ.20261129.3.log"), "old\n").unwrap();
        let mut log = RawLog::new(dir.path(), "HQ");
        let w = log
            .append(&at("2026-11-29 23:59:59.500"), b"TLC 104")
            .unwrap();
        assert!(w.path.ends_with("HQ.20261129.4.log") && w.line == 1 && w.new_file);
        let w = log
            .append(&at("2026-11-29 23:59:59.900"), b"IN  110")
            .unwrap();
        assert!(w.path.ends_with("HQ.20261129.4.log") && w.line == 2 && !w.new_file);
        let w = log
            .append(&at("2026-11-30 00:00:00.100"), b"NET 1234")
            .unwrap();
        assert!(w.path.ends_with("HQ.20261130.1.log") && w.line == 1 && w.new_file);
        let old = fs::read_to_string(site_dir.join("HQ.20261129.4.log")).unwrap();
        let lines: Vec<&str> = old.lines().collect();
        assert_eq!(lines.len(), 2);
        let (t, text) = crate::rawlog::split_receipt_time(lines[1].as_bytes());
        assert_eq!(text, b"IN  110");
        assert_eq!(t.unwrap(), at("2026-11-29 23:59:59.900"));
        assert_eq!(
            fs::read_to_string(site_dir.join("HQ.20261129.1.log")).unwrap(),
            "old\n"
        );
        // The day's files in order (10 after 4, not after 1); the connection log is not one.
        fs::write(site_dir.join("HQ.20261129.10.log"), "").unwrap();
        ConnectionLog::new(dir.path(), "HQ")
            .append(&at("2026-11-29 10:00:00.000"), "connected")
            .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let names: Vec<String> = day_logs(dir.path(), "HQ", day)
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "HQ.20261129.1.log",
                "HQ.20261129.3.log",
                "HQ.20261129.4.log",
                "HQ.20261129.10.log"
            ]
        );
        assert!(day_logs(dir.path(), "Nowhere", day).unwrap().is_empty());
    }

    #[test]
    fn connection_log_appends_and_counts() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = ConnectionLog::new(dir.path(), "HQ");
        let (p, n) = log
            .append(&at("2026-11-29 10:00:00.000"), "connected")
            .unwrap();
        assert_eq!(n, 1);
        let mut again = ConnectionLog::new(dir.path(), "HQ");
        let (p2, n) = again
            .append(&at("2026-11-29 10:00:01.000"), "line\nbreak")
            .unwrap();
        assert_eq!((p2, n), (p, 2));
        let text = fs::read_to_string(dir.path().join("HQ/HQ.20261129.connection.log")).unwrap();
        assert!(text.ends_with("\tline break\n"), "{text}");
    }

    #[test]
    fn a_day_read_back_from_the_logs() {
        let dir = tempfile::tempdir().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut raw = RawLog::new(dir.path(), "HQ");
        let mut conn = ConnectionLog::new(dir.path(), "HQ");
        conn.append(&at("2026-11-29 08:00:00.000"), "connected")
            .unwrap();
        raw.append(&at("2026-11-29 08:00:01.000"), b"TLC 104")
            .unwrap();
        let gap = Gap {
            from: at("2026-11-29 09:00:00.000"),
            to: at("2026-11-29 09:05:30.250"),
            cause: GapCause::NoConnection,
        };
        conn.append(&gap.to, &gap_message(&gap, " (until collection stopped)"))
            .unwrap();
        raw.append(&at("2026-11-29 09:06:00.000"), b"IN  110")
            .unwrap();
        conn.append(
            &at("2026-11-29 14:02:11.000"),
            stop_message(GapCause::ProgramClosed),
        )
        .unwrap();
        // A second run that day, a span before it began (written by that run), then a pause.
        let mut raw = RawLog::new(dir.path(), "HQ");
        let closed = Gap {
            from: at("2026-11-29 14:02:11.000"),
            to: at("2026-11-29 16:40:05.000"),
            cause: GapCause::ProgramClosed,
        };
        assert_eq!(
            gap_message(&closed, ""),
            "not collecting 14:02:11–16:40:05: program closed, records may be missing"
        );
        conn.append(&closed.to, &gap_message(&closed, "")).unwrap();
        raw.append(&at("2026-11-29 16:41:00.000"), b"NET 1234")
            .unwrap();
        conn.append(
            &at("2026-11-29 17:00:00.000"),
            stop_message(GapCause::Paused),
        )
        .unwrap();

        let e = earlier(dir.path(), "HQ", day).unwrap();
        assert_eq!(e.records, 3);
        assert_eq!(e.last_record, Some(at("2026-11-29 16:41:00.000")));
        let spans: Vec<(String, GapCause)> = e
            .gaps
            .iter()
            .map(|g| {
                (
                    format!("{}–{}", g.from.format("%T"), g.to.format("%T%.3f")),
                    g.cause,
                )
            })
            .collect();
        assert_eq!(
            spans,
            [
                ("09:00:00–09:05:30.250".to_string(), GapCause::NoConnection),
                ("14:02:11–16:40:05.000".to_string(), GapCause::ProgramClosed),
            ]
        );
        assert_eq!(
            e.gaps[1].describe(),
            "not collecting 14:02–16:40: program closed"
        );
        assert_eq!(e.gaps[0].describe(), "records may be missing 09:00–09:05");
        // Paused at 17:00: from then until the next start nothing is collected.
        assert_eq!(
            e.ended,
            Some((at("2026-11-29 17:00:00.000"), GapCause::Paused))
        );

        // Records after the last log line: the program ended while receiving.
        raw.append(&at("2026-11-29 18:00:00.000"), b"LOC 105")
            .unwrap();
        let e = earlier(dir.path(), "HQ", day).unwrap();
        assert_eq!(e.records, 4);
        assert_eq!(
            e.ended,
            Some((at("2026-11-29 18:00:00.000"), GapCause::ProgramClosed))
        );
        // A span across midnight, logged after it, began the day before.
        let g = parse_gap(
            at("2026-11-30 00:10:00.000"),
            "no connection 23:50:00–00:10:00, records may be missing",
        )
        .unwrap();
        assert_eq!(g.from, at("2026-11-29 23:50:00.000"));
        // Nothing logged that day: nothing earlier.
        let other = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            earlier(dir.path(), "HQ", other).unwrap(),
            Earlier::default()
        );
    }
}
