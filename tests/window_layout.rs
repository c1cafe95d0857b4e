//! The window at 1024×640, the smallest size a technician's laptop gives it: the filters fold
//! into one row, and the Calls tab's statistics are shown whole.

use std::path::Path;

use egui_kittest::kittest::Queryable;
use smdr_monitor::ui::state::Tab;
use smdr_monitor::ui::{AppOptions, DemoMode};

mod window_common;
use window_common::*;

const WIDTH: f32 = 1024.0;

fn small_window(dir: &Path, tab: Tab) -> Window {
    let options = AppOptions {
        tab: Some(tab),
        ..options(dir, DemoMode::Off, false)
    };
    sized(options, [WIDTH, 640.0])
}

#[test]
fn at_1024_the_records_filters_fold_behind_more_filters() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = small_window(dir.path(), Tab::Records);
    feed_lines(
        h.state_mut(),
        "mitel5000/axxess-8520-records.txt",
        "mitel5000/axxess-8520-records.txt",
        1,
    );
    h.run();
    // One row: the filters used most, the rest folded.
    let site = h.get_all_by_label("Site").next().unwrap().rect();
    let more = h.get_by_label("More filters").rect();
    assert!(
        (site.center().y - more.center().y).abs() < 4.0,
        "{site:?} {more:?}"
    );
    assert!(more.max.x <= WIDTH, "{more:?}");
    assert!(find_text_box(&h, "Text").is_some() && find_text_box(&h, "Number").is_some());
    assert!(find_text_box(&h, "Extension").is_none(), "folded");
    assert!(h.query_by_label("7 shown / 7 total").is_some());

    h.get_by_label("More filters").click();
    h.run();
    for label in [
        "Type/event",
        "Extension",
        "Trunk",
        "From",
        "To",
        "Min duration",
    ] {
        let b = find_text_box(&h, label).unwrap_or_else(|| panic!("no {label}"));
        assert!(b.rect().max.x <= WIDTH, "{label} is cut: {:?}", b.rect());
    }
    find_text_box(&h, "Extension").unwrap().focus();
    h.run();
    find_text_box(&h, "Extension").unwrap().type_text("104");
    h.run();
    assert!(h.query_by_label("2 shown / 7 total").is_some());
    // Folded again, the filter still applies and the button says so.
    h.get_by_label("Fewer filters").click();
    h.run();
    assert!(find_text_box(&h, "Extension").is_none());
    assert!(h.query_by_label("More filters (1 in use)").is_some());
    assert!(h.query_by_label("2 shown / 7 total").is_some());
}

#[test]
fn at_1024_the_calls_tab_shows_its_filters_table_and_statistics_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = small_window(dir.path(), Tab::Calls);
    feed_lines(
        h.state_mut(),
        "appsuite/manual-examples-162.txt",
        "appsuite/manual-examples-162.txt",
        1,
    );
    h.run();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h.query_by_label("4 / 4 calls").is_none() {
        assert!(std::time::Instant::now() < deadline, "no calls");
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.step();
    }
    // The filter bar is one row: the count and Export beside the Site filter.
    let site = h.get_all_by_label("Site").next().unwrap().rect();
    for label in ["More filters", "4 / 4 calls", "Export…"] {
        let r = h.get_by_label(label).rect();
        assert!(
            (site.center().y - r.center().y).abs() < 4.0,
            "{label}: {r:?}"
        );
        assert!(r.max.x <= WIDTH, "{label} is cut: {r:?}");
    }
    assert!(find_text_box(&h, "Extension").is_none(), "folded");
    h.get_by_label("More filters").click();
    h.run();
    assert!(find_text_box(&h, "Extension").is_some());
    assert!(h.query_by_label("Direction").is_some());

    // Every statistic's name and value inside the window, found whole.
    for name in [
        "Answered",
        "Abandoned",
        "Incoming calls",
        "Callers answered",
        "Callers abandoned",
        "Average time to answer",
        "90 % answered within",
        "Longest wait",
        "Service level target",
    ] {
        let r = h.get_by_label(name).rect();
        assert!(r.max.x <= WIDTH - 8.0, "{name} is cut: {r:?}");
    }
    let stats = h.get_by_label("Statistics").rect();
    let value = h.get_by_label("4 (100 %)").rect();
    assert!(
        value.min.x > stats.min.x && value.max.x <= WIDTH - 8.0,
        "the answered share is cut: {value:?}"
    );
    // The table shows its first columns beside the statistics.
    let start = h.get_by_label("Start ▼").rect();
    assert!(start.max.x < stats.min.x, "{start:?} {stats:?}");
}
