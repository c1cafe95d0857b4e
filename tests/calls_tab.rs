//! The Calls tab in the window, driven through egui_kittest (no GPU): filters, the callers'
//! figures, the keyboard, a transferred call's lanes, sorting and export. Moved from
//! tests/calls.rs so those tests also run in the build without the window.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use smdr_monitor::import;
use smdr_monitor::jobs::ExportFormat;
use smdr_monitor::protocol::{DecodeOptions, StreamDecoder};
use smdr_monitor::timeline::{CallColumn, CallTracker, CallsSettings};
use smdr_monitor::ui::calls::{CallsAction, CallsTab};

const APPSUITE: &str = "tests/fixtures/appsuite/manual-examples-162.txt";
const AXXESS: &str = "tests/fixtures/mitel5000/axxess-8520-records.txt";
const MIVB: &str = "tests/fixtures/mivb/standard-90-synthetic.txt";

struct Tab {
    view: CallsTab,
    settings: CallsSettings,
    tracker: CallTracker,
    action: Option<CallsAction>,
}

fn tab() -> Harness<'static, Tab> {
    tab_of(&[("hq", APPSUITE), ("branch", AXXESS)])
}

/// The Calls tab over these (site, file) pairs.
fn tab_of(sites: &[(&str, &str)]) -> Harness<'static, Tab> {
    let mut tracker = CallTracker::new(Duration::hours(8));
    for &(site, file) in sites {
        let site: Arc<str> = site.into();
        let data = std::fs::read(file).unwrap();
        let mut decoder = StreamDecoder::new(DecodeOptions::default());
        import::decode_each(&data, &mut decoder, |_, d| {
            tracker.push_decoded(&site, d);
        });
    }
    let now = NaiveDateTime::parse_from_str("2012-07-03 12:00:00", "%F %T").unwrap();
    let state = Tab {
        view: CallsTab::default(),
        settings: CallsSettings::default(),
        tracker,
        action: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        // The window's fonts and colours, as the app sets them up.
        .with_context_setup(smdr_monitor::ui::theme::install)
        .build_ui_state(
            move |ui, tab: &mut Tab| {
                if let Some(a) = tab.view.show(ui, &mut tab.settings, &tab.tracker, now) {
                    tab.action = Some(a);
                }
            },
            state,
        );
    harness.run();
    harness
}

fn type_into(harness: &mut Harness<'_, Tab>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

#[test]
fn the_calls_tab_filters_as_you_type_and_shows_where_an_abandoned_call_rang() {
    let mut harness = tab();
    harness.get_by_label("9 / 9 calls");
    harness.get_by_label("Abandoned callers (1)");

    type_into(&mut harness, "Number or name", "612-804");
    harness.get_by_label("1 / 9 calls");
    harness.get_by_label("Select a call to see where it rang, for how long, and what came of it.");

    // Click the abandoned call's row: its timeline appears below.
    harness.get_by_label("2012-07-03 00:29:00").click();
    harness.run();
    assert!(harness.state().view.selected.is_some());
    harness.get_by_label(
        "Rang at an unknown extension for 0:05; nobody answered: the caller hung up after 0:05.",
    );
    harness.get_by_label("(no extension)");
    harness.get_by_label("Events (2)");
}

#[test]
fn the_site_filter_and_the_callers_figures() {
    let mut harness = tab();
    // The branch's 5000 gives five calls; the App Suite outbound call is nobody's wait.
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Site")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "branch")
        .click();
    harness.run();
    assert_eq!(
        harness.state().settings.filter.site.as_deref(),
        Some("branch")
    );
    harness.get_by_label("5 / 9 calls");
    harness.get_by_label("Incoming calls");
    harness.get_by_label("Callers abandoned");
    harness.get_by_label("1 (20 %)");
    harness.get_by_label("Abandoned callers (1)");
}

/// Every site with calls is in the Site filter, whatever its format (a MiVB site was missing).
#[test]
fn the_site_filter_lists_every_site_with_calls() {
    let mut harness = tab_of(&[("hq", APPSUITE), ("branch", AXXESS), ("plant", MIVB)]);
    harness.get_by_label("14 / 14 calls");
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Site")
        .click();
    harness.run();
    for site in ["all sites", "hq", "branch", "plant"] {
        harness.get_by_role_and_label(egui::accesskit::Role::Button, site);
    }
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "plant")
        .click();
    harness.run();
    assert_eq!(
        harness.state().settings.filter.site.as_deref(),
        Some("plant")
    );
    harness.get_by_label("5 / 14 calls");
    // The plant's failed call (completion E) is nobody's abandoned call.
    harness.get_by_label("Abandoned callers (0)");
    harness.get_by_label("Failed");
}

#[test]
fn the_keyboard_walks_the_calls() {
    let mut harness = tab();
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    // Newest first.
    let first = harness
        .state()
        .view
        .selected
        .expect("↓ selects the first call");
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    let second = harness.state().view.selected.unwrap();
    assert_ne!(first, second);
    let calls = harness.state().tracker.calls();
    assert!(calls[first].start >= calls[second].start);
    harness.key_press(egui::Key::ArrowUp);
    harness.run();
    assert_eq!(harness.state().view.selected, Some(first));
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert_eq!(harness.state().view.selected, None);
}

#[test]
fn the_transferred_call_draws_a_lane_per_extension() {
    let mut harness = tab();
    harness.get_by_label("More filters").click();
    harness.run();
    type_into(&mut harness, "Extension", "2560");
    harness.get_by_label("1 / 9 calls");
    harness.get_by_label("2012-03-09 01:31:15").click();
    harness.run();
    harness.get_by_label(
        "Rang at 1843 for 0:03, then 2560 for 0:00; answered by 1843 after 0:03; on hold 0:07; \
         transferred once; talked 0:04.",
    );
    // One lane per extension, named by a label each, and the legend for the bars.
    assert!(harness.query_all_by_label("1843").count() >= 2);
    assert!(harness.query_all_by_label("2560").count() >= 1);
    harness.get_by_label("on hold");
    harness.get_by_label("Events (7)");
    // Statistics follow the filter.
    harness.get_by_label("Abandoned callers (0)");
}

#[test]
fn sorting_and_export_buttons() {
    let mut harness = tab();
    assert_eq!(harness.state().settings.sort, CallColumn::Start);
    harness.get_by_label("Number").click();
    harness.run();
    assert_eq!(harness.state().settings.sort, CallColumn::Number);
    assert!(!harness.state().settings.descending);
    harness.get_by_label("Number ▲").click();
    harness.run();
    assert!(harness.state().settings.descending);

    export_as(&mut harness, "CSV");
    assert_eq!(
        harness.state().action,
        Some(CallsAction::Export(ExportFormat::Csv))
    );
    let tab = harness.state();
    let shown = tab.view.view.shown(&tab.settings, &tab.tracker);
    assert_eq!(shown.len(), 9);
    // JSON lines too, as the Records tab offers.
    export_as(&mut harness, "JSON lines");
    assert_eq!(
        harness.state().action,
        Some(CallsAction::Export(ExportFormat::Json))
    );
}

/// Opens the Calls tab's export menu and picks a format.
fn export_as(harness: &mut Harness<'_, Tab>, format: &str) {
    harness.get_by_label("Export…").click();
    harness.run();
    harness.get_by_label(format).click();
    harness.run();
}
