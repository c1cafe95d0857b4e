//! The window driven through egui_kittest, for what a technician does with the keyboard and the
//! menus, and for rows and bytes that keep arriving while they read: the selected row holds
//! still, the Raw stream pauses, shortcuts reach the filter, the guide and About.

use eframe::egui::{Event, Key, Modifiers, OutputCommand, ViewportCommand, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use smdr_monitor::collect::{CollectorEvent, Direction, SiteConfig};
use smdr_monitor::ui::state::Tab;
use smdr_monitor::ui::{DemoMode, SmdrApp};

mod window_common;
use window_common::*;

fn selected_text(h: &Harness<'static, SmdrApp>) -> Option<String> {
    let id = h.state().selected_row()?;
    Some(h.state().store().get(id)?.text().to_string())
}

#[test]
fn a_selected_row_holds_still_while_rows_arrive_above_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    // The Axxess records (extensions 104, 104, 110, 181, *****), then many MiVB ones whose
    // extensions sort above 104 when sorted by extension, largest first.
    feed_lines(
        h.state_mut(),
        "mitel5000/axxess-8520-records.txt",
        "mitel5000/axxess-8520-records.txt",
        1,
    );
    feed_lines(
        h.state_mut(),
        "mivb/standard-90-synthetic.txt",
        "mivb/standard-90-synthetic.txt",
        40,
    );
    h.run();
    h.get_by_label("Ext").click();
    h.run();
    h.get_by_label("Ext ▲").click();
    h.run();
    assert!(h.query_by_label("Ext ▼").is_some());
    // The row above the last: the 011 call of extension 104.
    h.key_press(Key::End);
    h.run();
    h.key_press(Key::ArrowUp);
    h.run();
    let chosen = h.state().selected_row().unwrap();
    assert!(selected_text(&h).unwrap().contains("011-49618296260"));
    let before = table_cell(&h, "011-49618296260").expect("the selected row in sight");
    let pos_before = h.state().view().position(chosen).unwrap();

    feed_lines(
        h.state_mut(),
        "mivb/standard-90-synthetic.txt",
        "mivb/standard-90-synthetic.txt",
        10,
    );
    h.run();
    assert_eq!(
        h.state().selected_row(),
        Some(chosen),
        "still the same record"
    );
    let pos_after = h.state().view().position(chosen).unwrap();
    assert_eq!(pos_after, pos_before + 50, "the new rows sorted above it");
    let after = table_cell(&h, "011-49618296260").expect("the selected row still in sight");
    assert!(
        (after.top() - before.top()).abs() < 0.5,
        "the row stays under the pointer: was at {before:?}, now {after:?}"
    );

    // Without a selection, nothing is held: new rows push the old ones down.
    h.key_press(Key::Escape);
    h.run();
    feed_lines(
        h.state_mut(),
        "mivb/standard-90-synthetic.txt",
        "mivb/standard-90-synthetic.txt",
        10,
    );
    h.run();
    assert!(table_cell(&h, "011-49618296260").is_none());
}

/// Where the table shows `text` (the detail panel under the table repeats it: not there).
fn table_cell(h: &Harness<'static, SmdrApp>, text: &str) -> Option<eframe::egui::Rect> {
    let detail_top = h
        .query_by_label_contains("HQ · mitel5000/")
        .map_or(f32::INFINITY, |n| n.rect().top());
    h.query_all_by_label(text)
        .map(|n| n.rect())
        .filter(|r| r.bottom() < detail_top)
        .min_by(|a, b| a.top().total_cmp(&b.top()))
}

#[test]
fn a_selected_row_stops_the_table_following_the_newest_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    feed_lines(
        h.state_mut(),
        "mivb/standard-90-synthetic.txt",
        "mivb/standard-90-synthetic.txt",
        60,
    );
    feed_lines(
        h.state_mut(),
        "mitel5000/axxess-8520-records.txt",
        "mitel5000/axxess-8520-records.txt",
        1,
    );
    h.run();
    assert!(h.query_by_label("↓ Jump to latest").is_none(), "following");
    // The newest row, at the bottom: the Axxess incoming call.
    h.get_by_label("525530894016").click();
    h.run();
    let chosen = h.state().selected_row().unwrap();
    assert!(selected_text(&h).unwrap().contains("525530894016"));
    let before = table_cell(&h, "525530894016").expect("in sight");

    feed_lines(
        h.state_mut(),
        "mivb/standard-90-synthetic.txt",
        "mivb/standard-90-synthetic.txt",
        2,
    );
    h.run();
    assert_eq!(h.state().selected_row(), Some(chosen));
    let after = table_cell(&h, "525530894016").expect("still in sight");
    assert!(
        (after.top() - before.top()).abs() < 0.5,
        "was at {before:?}, now {after:?}"
    );
    // Following waits for the user.
    h.get_by_label("↓ Jump to latest").click();
    h.run();
    feed_lines(
        h.state_mut(),
        "mivb/standard-90-synthetic.txt",
        "mivb/standard-90-synthetic.txt",
        20,
    );
    h.run();
    assert!(
        table_cell(&h, "525530894016").is_none(),
        "scrolled on to the newest"
    );
    assert_eq!(h.state().selected_row(), Some(chosen), "still selected");
}

fn raw(bytes: &[u8]) -> CollectorEvent {
    CollectorEvent::Raw {
        site: "HQ".into(),
        at: chrono::Local::now(),
        direction: Direction::Received,
        bytes: bytes.to_vec(),
    }
}

#[test]
fn raw_stream_pause_holds_the_frames_while_bytes_keep_coming() {
    let dir = tempfile::tempdir().unwrap();
    let site = SiteConfig::from_url("HQ", "mitel5000://127.0.0.1:4000").unwrap();
    smdr_monitor::collect::config::save_sites(&dir.path().join("sites.toml"), &[site]).unwrap();
    let mut o = options(dir.path(), DemoMode::Off, false);
    o.tab = Some(Tab::Raw);
    let mut h = harness(o);
    h.state_mut().ingest_event(raw(b"FIRST  104\r\n\0"));
    h.run();
    assert!(h.query_by_label_contains("FIRST··104¤¶∅").is_some());
    assert!(
        h.query_by_label_contains("· space   ∅ NUL   ¤ CR   ¶ LF")
            .is_some(),
        "the legend"
    );

    h.get_by_label("Pause").click();
    h.run();
    h.state_mut().ingest_event(raw(b"SECOND"));
    h.state_mut().ingest_event(raw(b"THIRD"));
    h.run();
    assert!(
        h.query_by_label_contains("SECOND").is_none(),
        "the view holds"
    );
    assert!(h.query_by_label_contains("FIRST").is_some());
    assert!(
        h.query_by_label_contains("— 11 bytes since").is_some(),
        "what arrived meanwhile is counted"
    );

    h.get_by_label("Resume").click();
    h.run();
    assert!(h.query_by_label_contains("SECOND").is_some());
    assert!(h.query_by_label_contains("THIRD").is_some());
    assert!(h.query_by_label_contains("bytes since").is_none());
}

#[test]
fn ctrl_f_puts_the_keyboard_in_the_open_tabs_filter() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    feed_lines(
        h.state_mut(),
        "mitel5000/axxess-8520-records.txt",
        "mitel5000/axxess-8520-records.txt",
        1,
    );
    h.run();
    assert!(!text_box(&h, "Text").is_focused());
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    assert!(text_box(&h, "Text").is_focused());
    text_box(&h, "Text").type_text("952");
    h.run();
    assert!(h.query_by_label("1 shown / 7 total").is_some());
    // Again: the text is selected, so typing replaces it.
    h.key_press(Key::Escape);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    text_box(&h, "Text").type_text("525");
    h.run();
    assert_eq!(h.state().records_settings().filter.text, "525");

    h.get_by_label("Calls").click();
    h.run();
    assert_eq!(h.state().tab(), Tab::Calls);
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    assert!(text_box(&h, "Search").is_focused());

    // The Raw stream has no filter: Ctrl+F goes to the records'.
    h.get_by_label("Raw stream").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    assert_eq!(h.state().tab(), Tab::Records);
    assert!(text_box(&h, "Text").is_focused());
}

#[test]
fn f1_and_the_help_menu_open_the_guide_and_about() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    h.run();
    assert!(h.query_by_label("Keyboard").is_none());
    h.key_press(Key::F1);
    h.run();
    assert!(h.query_by_label("Keyboard").is_some(), "the guide is open");
    assert!(h.query_by_label("Ctrl+F").is_some());
    assert!(
        h.query_by_label_contains("Number ignores punctuation")
            .is_some()
    );

    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("About SMDR Monitor").click();
    h.run();
    let version = format!("SMDR Monitor {}", env!("CARGO_PKG_VERSION"));
    assert!(h.query_by_label(&version).is_some());
    let logs = dir.path().join("logs").display().to_string();
    assert!(h.query_by_label(&logs).is_some(), "the log folder");
    assert!(
        h.query_by_label(&dir.path().display().to_string())
            .is_some(),
        "the config folder"
    );
    assert!(h.query_by_label_contains("smdr-monitor.log.").is_some());
    let copies: Vec<_> = h.get_all_by_label("Copy path").collect();
    assert_eq!(copies.len(), 3);
    copies[1].click();
    h.step();
    let copied: Vec<&OutputCommand> = h.output().platform_output.commands.iter().collect();
    assert!(
        copied
            .iter()
            .any(|c| matches!(c, OutputCommand::CopyText(t) if *t == logs)),
        "{copied:?}"
    );
}

#[test]
fn quit_closes_the_window_from_the_keyboard_and_the_file_menu() {
    let dir = tempfile::tempdir().unwrap();
    let closes = |h: &Harness<'static, SmdrApp>| {
        h.output()
            .viewport_output
            .get(&ViewportId::ROOT)
            .is_some_and(|v| v.commands.contains(&ViewportCommand::Close))
    };
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    h.run();
    assert!(!closes(&h));
    // Each queued event is a frame of its own: look at the frame of the key press (the
    // harness's key helpers end on a release).
    h.event(Event::ModifiersChanged(Modifiers::COMMAND));
    h.event(Event::Key {
        key: Key::Q,
        pressed: true,
        modifiers: Modifiers::COMMAND,
        repeat: false,
        physical_key: None,
    });
    h.step();
    assert!(closes(&h), "Ctrl+Q");

    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Quit").click();
    h.step();
    assert!(closes(&h), "File › Quit");
}
