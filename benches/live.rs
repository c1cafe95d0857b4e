//! Live: 100 simulated sites × 100 records/s for 60 s on loopback, through the collectors into
//! the whole window (`SmdrApp` with its collectors, headless frames at 60 Hz on this thread).
//! Measured: records lost (sent by the simulators, not in the window's store), socket→store
//! latency (from each record's receipt time to the end of the frame that stored it: p50, p99,
//! max), and the UI thread's intake per frame (`App::logic`: draining collectors into the
//! store and the call tracker, within its budget) and whole frame times.
//!
//! Prints `RESULT <name> <value> <unit>` lines for `scripts/bench.sh`. Under `cargo test`: 3
//! sites × 20 records/s for 2 s.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Local;
use eframe::egui;
use smdr_monitor::collect::{SiteConfig, save_sites};
use smdr_monitor::sim::{SimOptions, SimServer};
use smdr_monitor::store::RowId;
use smdr_monitor::ui::state::Tab;
use smdr_monitor::ui::{AppOptions, DemoMode, SmdrApp};

use common::benchmarking;

const FRAME: Duration = Duration::from_micros(16_667);
/// After the simulators stop: at most this long for the last records to come through.
const GRACE: Duration = Duration::from_secs(5);

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let (sites, rate, run) = if benchmarking() {
        (100, 100.0, Duration::from_secs(60))
    } else {
        (3, 20.0, Duration::from_secs(2))
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-sim")
        .enable_all()
        .build()
        .expect("a runtime for the simulators");
    let schemes = ["mitel5000", "appsuite", "mivb"];
    let sims: Vec<(String, SimServer)> = (0..sites)
        .map(|i| {
            let scheme = schemes[i % schemes.len()];
            let options = SimOptions {
                rate,
                seed: Some(i as u64),
                ..SimOptions::default()
            };
            let sim = SimServer::start(
                runtime.handle(),
                &format!("{scheme}://127.0.0.1:0"),
                options,
            )
            .expect("a simulator on loopback");
            (format!("site{i:03}"), sim)
        })
        .collect();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let configs: Vec<SiteConfig> = sims
        .iter()
        .zip(schemes.iter().cycle())
        .map(|((name, sim), scheme)| {
            let addr = sim.local_addr().expect("a listening simulator");
            SiteConfig::from_url(name, &format!("{scheme}://{addr}")).expect("a site URL")
        })
        .collect();
    let config_path = dir.path().join("sites.toml");
    save_sites(&config_path, &configs).expect("sites.toml written");

    let ctx = egui::Context::default();
    let mut app = SmdrApp::new(
        &ctx,
        None,
        AppOptions {
            demo: DemoMode::Off,
            config_path,
            log_dir: Some(dir.path().join("logs")),
            collect: true,
            open: Vec::new(),
            tab: Some(Tab::Records),
        },
    );
    let mut frame_state = eframe::Frame::_new_kittest();
    let (mut intake, mut frames, mut latency) = (Vec::new(), Vec::new(), Vec::new());
    let mut seen = 0usize;
    let started = Instant::now();
    let mut stopped_at = None;
    let mut next = Instant::now();
    loop {
        let elapsed = started.elapsed();
        if stopped_at.is_none() && elapsed >= run {
            for (_, sim) in &sims {
                sim.stop();
            }
            stopped_at = Some(Instant::now());
        }
        if let Some(t) = stopped_at {
            let sent: u64 = sims.iter().map(|(_, s)| s.sent()).sum();
            if t.elapsed() >= GRACE || app.store().len() as u64 >= sent {
                break;
            }
        }
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1400.0, 900.0),
            )),
            time: Some(elapsed.as_secs_f64()),
            ..Default::default()
        };
        let frame_start = Instant::now();
        let mut logic = Duration::ZERO;
        let mut out = ctx.run_ui(input, |ui| {
            let t = Instant::now();
            eframe::App::logic(&mut app, ui.ctx(), &mut frame_state);
            logic = t.elapsed();
            eframe::App::ui(&mut app, ui, &mut frame_state);
        });
        let shapes = std::mem::take(&mut out.shapes);
        std::hint::black_box(ctx.tessellate(shapes, out.pixels_per_point));
        out.drop_without_applying_deltas();
        frames.push(ms(frame_start.elapsed()));
        intake.push(ms(logic));
        // Every record stored this frame: how long since its bytes left the socket.
        let now = Local::now().fixed_offset();
        let store = app.store();
        for id in seen..store.len() {
            if let Some(received) = store.get(id as RowId).and_then(|r| r.received()) {
                let d = now - received;
                latency.push(d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0);
            }
        }
        seen = store.len();
        next += FRAME;
        match next.checked_duration_since(Instant::now()) {
            Some(wait) => std::thread::sleep(wait),
            None => next = Instant::now(),
        }
    }

    let store = app.store();
    let mut stored: HashMap<&str, u64> = HashMap::new();
    for r in store.iter() {
        *stored.entry(&**r.site()).or_default() += 1;
    }
    let sent: u64 = sims.iter().map(|(_, s)| s.sent()).sum();
    let lost: u64 = sims
        .iter()
        .map(|(name, s)| {
            s.sent()
                .saturating_sub(stored.get(name.as_str()).copied().unwrap_or(0))
        })
        .sum();
    let extra = store.len() as u64 - (sent - lost);
    latency.sort_by(f64::total_cmp);
    intake.sort_by(f64::total_cmp);
    frames.sort_by(f64::total_cmp);
    println!("RESULT live_sites {sites} sites");
    println!("RESULT live_rate {rate} records/s per site");
    println!("RESULT live_seconds {} s", run.as_secs());
    println!("RESULT live_sent {sent} records");
    println!("RESULT live_stored {} records", store.len());
    println!("RESULT live_lost {lost} records");
    println!("RESULT live_unexpected {extra} records");
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
        println!(
            "RESULT live_latency_{name} {:.1} ms",
            percentile(&latency, p)
        );
    }
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
        println!("RESULT live_intake_{name} {:.2} ms", percentile(&intake, p));
        println!("RESULT live_frame_{name} {:.2} ms", percentile(&frames, p));
    }
    println!("RESULT live_frames {} frames", frames.len());
    assert!(sent > 0, "the simulators sent nothing");
    drop(app);
    drop(sims);
}
