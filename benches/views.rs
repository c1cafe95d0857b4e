//! The window with a million rows: re-filtering the records table's store view and the calls
//! table's rows (target < 50 ms), and one headless egui frame of each table with a text filter
//! active (target: median < 5 ms). A frame is `Context::run_ui` with a fixed `RawInput` plus
//! tessellation, on the CPU; no GPU.

mod common;

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};

use chrono::NaiveDateTime;
use divan::{Bencher, black_box};
use eframe::egui;
use smdr_monitor::protocol::StreamDecoder;
use smdr_monitor::sim::TrafficFormat;
use smdr_monitor::store::{Filter, Store, View, ViewSettings};
use smdr_monitor::timeline::view::filter;
use smdr_monitor::timeline::{CallColumn, CallFilter, CallTracker, CallsSettings, SearchIndex};
use smdr_monitor::ui::calls::CallsTab;
use smdr_monitor::ui::state::{PersistedState, Tab};
use smdr_monitor::ui::{AppOptions, DemoMode, SmdrApp};

use common::{generator, options, size, store_of, tracker, traffic};

fn main() {
    divan::main();
}

fn rows() -> usize {
    size(1_000_000, 2_000)
}

/// A million App Suite events in the records table's store.
static STORE: LazyLock<Store> =
    LazyLock::new(|| store_of(&traffic(TrafficFormat::AppSuite, rows(), 1), "day"));

/// A million App Suite calls (about 4.8 million events, days of them) in a tracker.
static CALLS: LazyLock<CallTracker> = LazyLock::new(|| {
    let mut g = generator(TrafficFormat::AppSuite, 2);
    let mut t = tracker();
    let mut decoder = StreamDecoder::new(options());
    let site: Arc<str> = "day".into();
    while t.calls().len() < rows() {
        let line = g.next_line();
        t.push_decoded(&site, &decoder.decode(&line.text, None));
    }
    t
});

/// `field:needle` → the records table's filter.
fn record_filter(arg: &str) -> ViewSettings {
    let (field, needle) = arg.split_once(':').unwrap_or(("text", arg));
    let mut f = Filter::default();
    match field {
        "number" => f.number = needle.into(),
        "extension" => f.extension = needle.into(),
        _ => f.text = needle.into(),
    }
    ViewSettings {
        filter: f,
        ..Default::default()
    }
}

/// `field:needle` → a calls filter.
fn call_filter(arg: &str) -> CallFilter {
    let (field, needle) = arg.split_once(':').unwrap_or(("text", arg));
    let mut f = CallFilter::default();
    match field {
        "party" => f.party = needle.into(),
        "extension" => f.extension = needle.into(),
        _ => f.text = needle.into(),
    }
    f
}

const RECORD_FILTERS: [&str; 4] = ["text:61234", "text:smith", "number:61234", "extension:2001"];
const CALL_FILTERS: [&str; 3] = ["text:61234", "text:smith", "extension:2001"];

/// A changed filter: the view is computed again over every row.
#[divan::bench(args = RECORD_FILTERS, sample_count = 20)]
fn refilter_records(bencher: Bencher, arg: &str) {
    let store = &*STORE;
    let settings = record_filter(arg);
    bencher
        .with_inputs(View::default)
        .bench_local_refs(|view| store.refresh(view, &settings));
}

/// The calls' search index, as the calls view keeps it while a needle is typed.
static CALL_INDEX: LazyLock<SearchIndex> = LazyLock::new(|| {
    let mut index = SearchIndex::default();
    index.update(&CALLS);
    index
});

/// The calls' search index built from nothing: what the first needle typed costs (afterwards
/// only changed calls are written again).
#[divan::bench(sample_count = 5)]
fn index_calls(bencher: Bencher) {
    let tracker = &*CALLS;
    bencher.bench_local(|| {
        let mut index = SearchIndex::default();
        index.update(black_box(tracker));
        index
    });
}

/// A changed filter over the calls in their (cached) sorted order, the needles looked up in
/// the view's search index (kept up to date as calls change, so not part of a re-filter).
#[divan::bench(args = CALL_FILTERS, sample_count = 20)]
fn refilter_calls(bencher: Bencher, arg: &str) {
    let calls = CALLS.calls();
    let index = &*CALL_INDEX;
    let sorted = filter::sorted_rows(calls, CallColumn::Start, true);
    let (matcher, problems) = call_filter(arg).compile();
    assert!(problems.is_empty());
    bencher
        .bench_local(|| filter::filtered_rows_indexed(calls, &matcher, black_box(&sorted), index));
}

/// The same input every frame: a 1400×900 window, no events, the clock standing still.
fn raw_input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1400.0, 900.0),
        )),
        time: Some(100.0),
        ..Default::default()
    }
}

/// One frame: run the UI, then tessellate what it drew (what a renderer would be given).
/// Returns whether the UI asked to be drawn again at once.
fn frame(ctx: &egui::Context, ui: impl FnMut(&mut egui::Ui)) -> bool {
    let mut out = ctx.run_ui(raw_input(), ui);
    let shapes = std::mem::take(&mut out.shapes);
    black_box(ctx.tessellate(shapes, out.pixels_per_point));
    let again = out
        .viewport_output
        .values()
        .any(|v| v.repaint_delay.is_zero());
    // No renderer takes the font atlas here.
    out.drop_without_applying_deltas();
    again
}

/// The calls tab's view with a million calls and a search typed in.
#[divan::bench(args = ["text:smith", "extension:2001"], sample_count = 50)]
fn frame_calls_table(bencher: Bencher, arg: &str) {
    let tracker = &*CALLS;
    let ctx = egui::Context::default();
    smdr_monitor::ui::theme::install(&ctx);
    let mut view = CallsTab::default();
    let mut settings = CallsSettings {
        filter: call_filter(arg),
        ..Default::default()
    };
    let now = NaiveDateTime::default();
    let mut draw = |ctx: &egui::Context, view: &mut CallsTab| {
        frame(ctx, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                black_box(view.show(ui, &mut settings, tracker, now));
            });
        })
    };
    // The first frames build the search index (a slice per frame), filter and lay out; then
    // the view draws from its cache.
    for _ in 0..3 {
        draw(&ctx, &mut view);
    }
    for _ in 0..100_000 {
        if view.view.indexing().is_none() {
            break;
        }
        draw(&ctx, &mut view);
    }
    assert!(view.view.indexing().is_none(), "the index was never built");
    draw(&ctx, &mut view);
    bencher.bench_local(|| draw(&ctx, &mut view));
}

/// The calls view from nothing (the Calls tab first shown, or its sort changed): all calls
/// sorted, filtered (no needle) and their statistics. While calls arrive the view does far
/// less (changed calls re-sorted, facts kept per call): the live bench measures that.
#[divan::bench(sample_count = 10)]
fn recompute_calls_after_a_change(bencher: Bencher) {
    let calls = CALLS.calls();
    let (matcher, _) = CallFilter::default().compile();
    bencher.bench_local(|| {
        let sorted = filter::sorted_rows(calls, CallColumn::Start, true);
        let rows = filter::filtered_rows(calls, &matcher, &sorted);
        smdr_monitor::timeline::stats(rows.iter().map(|&i| &calls[i]), 20)
    });
}

/// Persisted state handed to the app at start (eframe storage in memory).
#[derive(Default)]
struct MemStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// The whole window on the records tab, a million records in, a text filter set.
#[divan::bench(args = ["text:smith", "number:61234"], sample_count = 50)]
fn frame_records_table(bencher: Bencher, arg: &str) {
    let ctx = egui::Context::default();
    let mut storage = MemStorage::default();
    let state = PersistedState {
        tab: Tab::Records,
        records: record_filter(arg),
        ..Default::default()
    };
    eframe::set_value(&mut storage, eframe::APP_KEY, &state);
    let dir = std::env::temp_dir().join("smdr-bench-window");
    let app = SmdrApp::new(
        &ctx,
        Some(&storage),
        AppOptions {
            demo: DemoMode::Off,
            config_path: dir.join("sites.toml"),
            log_dir: Some(dir.join("logs")),
            collect: false,
            open: Vec::new(),
            tab: Some(Tab::Records),
            passwords: smdr_monitor::secrets::Passwords::in_memory(),
            desktop: smdr_monitor::desktop::Desktop::Bare,
        },
    );
    let app = RefCell::new(app);
    for r in STORE.iter() {
        app.borrow_mut().ingest(r.to_record());
    }
    let mut eframe_frame = eframe::Frame::_new_kittest();
    let mut draw = |ctx: &egui::Context| {
        let mut app = app.borrow_mut();
        frame(ctx, |ui| {
            eframe::App::logic(&mut *app, ui.ctx(), &mut eframe_frame);
            eframe::App::ui(&mut *app, ui, &mut eframe_frame);
        })
    };
    // Warm up until the window has taken in every record (the call tracker is fed within a
    // per-frame budget) and no longer asks to be repainted at once.
    for _ in 0..5_000 {
        if !draw(&ctx) {
            break;
        }
    }
    bencher.bench_local(|| draw(&ctx));
}
