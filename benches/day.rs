//! A day at scale, measured end to end (one number each, so no statistics harness):
//!
//! - `day`: 1,000,000 App Suite events (≈164 MB) written to a file under `target/`, then read,
//!   imported (`import::into_store`), correlated (`CallTracker::push_decoded` for every row) and
//!   made ready to show (`Store::refresh` of the records view, the calls view's sorted rows).
//!   Target: < 2 s. Median of 5 runs, with the split per stage.
//! - `memory`: resident memory grown per stored record at 1,000,000 records, per format, each in
//!   a fresh process (`/proc/self/statm` before and after). Target: ≤ 200 bytes.
//!
//! Prints `RESULT <name> <value> <unit>` lines for `scripts/bench.sh`. Under `cargo test` it runs
//! the same code on a few thousand records. `--write-samples DIR` writes the decode benchmark's
//! inputs for `benches/decode.py`; with `--megabytes N` it writes files of at least N MB each
//! instead (the same seeds, more records), for timing the `decode` and `calls` commands as
//! processes (`scripts/bench.sh`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use smdr_monitor::store::{Store, View};
use smdr_monitor::timeline::view::filter;
use smdr_monitor::timeline::{CallColumn, CallFilter};

use common::{SAMPLES, benchmarking, sample_records, size, store_of, track, tracker, traffic};
use smdr_monitor::sim::TrafficFormat;

const FORMATS: [&str; 3] = ["appsuite", "mitel5000", "mivb"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--memory") {
        let format = args.get(i + 1).map_or("appsuite", String::as_str);
        memory(format);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--write-samples") {
        let dir = args.get(i + 1).map_or("target/bench-data", String::as_str);
        match args.iter().position(|a| a == "--megabytes") {
            Some(m) => {
                let mb = args.get(m + 1).and_then(|n| n.parse().ok());
                let Some(mb) = mb else {
                    panic!("--megabytes wants a number of megabytes");
                };
                write_large_samples(Path::new(dir), mb);
            }
            None => write_samples(Path::new(dir)),
        }
        return;
    }
    day();
    for format in FORMATS {
        // A fresh process per format: the measurement is of what the store alone grew.
        let out = std::env::current_exe()
            .and_then(|exe| {
                let mut c = Command::new(exe);
                c.args(["--memory", format]);
                if benchmarking() {
                    c.arg("--bench");
                }
                c.output()
            })
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
        match out {
            Ok(text) => {
                print!("{text}");
                assert!(text.contains("RESULT memory_"), "no memory result: {text}");
            }
            Err(e) => panic!("cannot run the memory measurement: {e}"),
        }
    }
}

fn records() -> usize {
    size(1_000_000, 3_000)
}

fn data_dir() -> PathBuf {
    PathBuf::from("target/bench-data")
}

/// Has the simulator write the day's file (the same bytes every time), returns its path.
fn day_file() -> PathBuf {
    let bytes = traffic(TrafficFormat::AppSuite, records(), 1);
    let dir = data_dir();
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("appsuite-day-{}.txt", records()));
    if let Err(e) = std::fs::write(&path, &bytes) {
        panic!("cannot write {}: {e}", path.display());
    }
    println!(
        "RESULT day_events {} events\nRESULT day_bytes {} bytes",
        records(),
        bytes.len()
    );
    path
}

#[derive(Debug, Clone, Copy, Default)]
struct Stages {
    read: Duration,
    import: Duration,
    correlate: Duration,
    ready: Duration,
}

impl Stages {
    fn total(&self) -> Duration {
        self.read + self.import + self.correlate + self.ready
    }
}

/// One run: the file to a store, calls and views ready to draw.
fn run_day(path: &Path) -> Stages {
    let t = Instant::now();
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let read = t.elapsed();

    let t = Instant::now();
    let store: Store = store_of(&data, "day");
    let import = t.elapsed();

    let t = Instant::now();
    let mut calls = tracker();
    track(&store, &mut calls);
    let correlate = t.elapsed();

    let t = Instant::now();
    let mut view = View::default();
    store.refresh(&mut view, &Default::default());
    // The calls tab's default order (newest first), and its rows through an empty filter.
    let sorted = filter::sorted_rows(calls.calls(), CallColumn::Start, true);
    let (matcher, _) = CallFilter::default().compile();
    let rows = filter::filtered_rows(calls.calls(), &matcher, &sorted);
    let ready = t.elapsed();

    assert_eq!(view.len(), store.len());
    println!("RESULT day_calls {} calls", calls.calls().len());
    assert_eq!(rows.len(), calls.calls().len());
    assert!(store.len() >= records());
    Stages {
        read,
        import,
        correlate,
        ready,
    }
}

fn day() {
    let path = day_file();
    let runs = if benchmarking() { 5 } else { 1 };
    let mut all: Vec<Stages> = (0..runs).map(|_| run_day(&path)).collect();
    all.sort_by_key(Stages::total);
    let median = all[all.len() / 2];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("RESULT day_read_ms {:.1} ms", ms(median.read));
    println!("RESULT day_import_ms {:.1} ms", ms(median.import));
    println!("RESULT day_correlate_ms {:.1} ms", ms(median.correlate));
    println!("RESULT day_ready_ms {:.1} ms", ms(median.ready));
    println!("RESULT day_total_ms {:.1} ms", ms(median.total()));
}

/// Files of at least `megabytes` MB per format (the decode samples' names and seeds), written
/// as they are generated so that a gigabyte needs no gigabyte of memory.
fn write_large_samples(dir: &Path, megabytes: u64) {
    use std::io::Write;
    let _ = std::fs::create_dir_all(dir);
    for (format, name, seed) in SAMPLES {
        let path = dir.join(name);
        let file = std::fs::File::create(&path)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut g = common::generator(format, seed);
        let (mut written, mut records, mut chunk) = (0u64, 0u64, Vec::new());
        while written < megabytes * 1_000_000 {
            chunk.clear();
            for _ in 0..1000 {
                common::push_line(format, &g.next_line().text, &mut chunk);
            }
            records += 1000;
            written += chunk.len() as u64;
            if let Err(e) = out.write_all(&chunk) {
                panic!("cannot write {}: {e}", path.display());
            }
        }
        if let Err(e) = out.flush() {
            panic!("cannot write {}: {e}", path.display());
        }
        println!(
            "wrote {} ({records} records, {written} bytes)",
            path.display()
        );
    }
}

/// Resident set size in bytes, from `/proc/self/statm` (Linux).
fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn input(format: &str, n: usize) -> Vec<u8> {
    let format = match format {
        "mitel5000" => TrafficFormat::Mitel5000,
        "mivb" => TrafficFormat::Mivb,
        _ => TrafficFormat::AppSuite,
    };
    traffic(format, n, 7)
}

fn memory(format: &str) {
    let data = input(format, records());
    let Some(before) = rss() else {
        println!("RESULT memory_{format} unavailable (no /proc/self/statm)");
        return;
    };
    let store = store_of(&data, format);
    let after = rss().unwrap_or(before);
    let n = store.len() as f64;
    let per = after.saturating_sub(before) as f64 / n;
    println!("RESULT memory_{format}_records {} records", store.len());
    println!(
        "RESULT memory_{format}_text {:.1} bytes/record",
        store.text_bytes() as f64 / n
    );
    println!("RESULT memory_{format} {per:.1} bytes/record");
    std::hint::black_box(&store);
}

/// The decode benchmark's inputs (same seeds and sizes as `benches/decode.rs`).
fn write_samples(dir: &Path) {
    let _ = std::fs::create_dir_all(dir);
    for (format, name, seed) in SAMPLES {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, traffic(format, sample_records(), seed)) {
            panic!("cannot write {}: {e}", path.display());
        }
        println!("wrote {}", path.display());
    }
}
