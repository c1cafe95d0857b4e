//! The window, driven through egui_kittest (no GPU): sites, rows, filters, detail, demo.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use smdr_monitor::ui::{DemoMode, SmdrApp};

mod window_common;
use window_common::*;

/// The Axxess sample lines, as a collector would deliver them.
fn feed(app: &mut SmdrApp) {
    feed_lines(app, "mitel5000/axxess-8520-records.txt", "axxess.log", 1);
}

#[test]
fn add_a_site_through_the_form_and_see_it_listed() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    h.get_by_label("+ Add site").click();
    h.run();
    type_into(&mut h, "Name", "Head office");
    type_into(&mut h, "Address", "10.1.2.3");
    type_into(&mut h, "SMDR password", "hunter2");
    h.get_by_label("Save").click();
    h.run();
    assert!(
        h.query_by_label("Head office").is_some(),
        "the site is listed"
    );
    assert!(h.query_by_label("mitel5000://10.1.2.3:4000").is_some());
    let saved = h
        .state()
        .all_sites()
        .map(|s| s.name.clone())
        .collect::<Vec<_>>();
    assert_eq!(saved, ["Head office"]);
    assert!(
        h.query_by_label("hunter2").is_none(),
        "the password never shows"
    );
}

#[test]
fn records_become_rows_and_filters_narrow_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    feed(h.state_mut());
    h.run();
    assert!(h.query_by_label("7 shown / 7 total").is_some());
    assert!(h.query_by_label("952-474-1742").is_some());
    assert!(h.query_by_label("011-49618296260").is_some());
    h.get_by_label("More filters").click();
    h.run();
    type_into(&mut h, "Extension", "104");
    assert!(h.query_by_label("2 shown / 7 total").is_some());
    assert!(
        h.query_by_label("525530894016").is_none(),
        "extension 110 is filtered out"
    );
    type_into(&mut h, "Number", "011");
    assert!(h.query_by_label("1 shown / 7 total").is_some());
}

#[test]
fn selecting_a_row_shows_its_fields_raw_text_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    feed(h.state_mut());
    h.run();
    h.get_by_label("952-474-1742").click();
    h.run();
    assert!(h.query_by_label("call_type").is_some());
    assert!(h.query_by_label("Raw text").is_some());
    assert!(h.query_by_label("Bytes (80)").is_some());
    assert!(h.query_by_label_contains("HQ · axxess.log:5").is_some());
}

#[test]
fn the_demo_starts_when_no_site_is_configured_and_its_connection_tests_ok() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Auto, true));
    h.step();
    assert!(h.state().is_demo());
    assert!(
        h.query_by_label_contains("simulated PBX").is_some(),
        "the banner says so"
    );
    step_until(&mut h, "demo records from both sources", |h| {
        let sites = h.state().store().sites().len();
        sites == 2 && h.state().store().len() >= 4
    });
    let names: Vec<String> = h.state().all_sites().map(|s| s.name.clone()).collect();
    assert_eq!(names, ["Demo 5000", "Demo App Suite"]);
    // The demo writes no logs into the user's log folder.
    let logs = dir.path().join("logs");
    assert!(
        !logs.exists() || logs.read_dir().unwrap().count() == 0,
        "{:?}",
        logs.read_dir().map(|d| d.count())
    );

    // Test connection of a site this program collects from: it says so and offers to pause
    // collection for the test; then live steps, without the warning again, and a verdict.
    h.get_all_by_label("Test connection")
        .next()
        .unwrap()
        .click();
    step_until(&mut h, "the offer to pause", |h| {
        h.query_by_label_contains("This program is collecting from Demo 5000 (last record ")
            .is_some()
    });
    assert!(
        h.query_by_label_contains("the PBX serves one collector, so a test now would see nothing")
            .is_some()
    );
    h.get_by_label("Pause collection and test").click();
    step_until(&mut h, "the probe's verdict", |h| {
        h.query_by_label("Test again").is_some()
    });
    assert!(h.query_by_label_contains("TCP connect").is_some());
    assert!(h.query_by_label_contains("pause collection").is_some());
    assert!(h.query_by_label_contains("resume collection").is_some());
    assert!(
        h.query_by_label_contains("before connecting").is_none(),
        "the warning is said once"
    );
    let probe = h.state().probe_verdict().unwrap();
    assert!(probe.success, "{}", probe.verdict);
}

#[test]
fn a_restart_shows_what_the_sites_collected_earlier_today() {
    use smdr_monitor::collect::SiteConfig;
    let dir = tempfile::tempdir().unwrap();
    // A site nobody answers for (nothing listens on the port): only its logs speak.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("mitel5000://{}", listener.local_addr().unwrap());
    drop(listener);
    let site = SiteConfig::from_url("HQ", &url).unwrap();
    smdr_monitor::collect::config::save_sites(&dir.path().join("sites.toml"), &[site]).unwrap();
    let now = chrono::Local::now();
    let day = now.format("%Y%m%d");
    let stamp = now.format("%Y-%m-%dT%H:%M:%S%.3f%:z");
    let logs = dir.path().join("logs/HQ");
    std::fs::create_dir_all(&logs).unwrap();
    let record = "TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              ";
    std::fs::write(
        logs.join(format!("HQ.{day}.1.log")),
        format!("{stamp}\t{record}\n"),
    )
    .unwrap();
    std::fs::write(
        logs.join(format!("HQ.{day}.2.log")),
        format!("{stamp}\tgarbage\n"),
    )
    .unwrap();

    let mut h = harness(options(dir.path(), DemoMode::Auto, true));
    step_until(&mut h, "today's records", |h| h.state().store().len() == 2);
    assert!(!h.state().is_demo(), "a site is configured");
    let store = h.state().store();
    let texts: Vec<String> = store.iter().map(|r| r.text().to_string()).collect();
    assert_eq!(texts, [record.to_string(), "garbage".to_string()]);
    assert!(store.iter().all(|r| &**r.site() == "HQ"));
    h.run();
    assert!(h.query_by_label("2 shown / 2 total").is_some());
    // Collecting started after the reload, into a new file beside the old ones.
    step_until(&mut h, "the collector", |h| h.state().collecting());
}

/// The site's card after a restart: today's count and the spans not collected come from the
/// logs, the time the program was closed among them.
#[test]
fn a_restart_keeps_todays_count_and_spans_on_the_sites_card() {
    use smdr_monitor::collect::SiteConfig;
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("mitel5000://{}", listener.local_addr().unwrap());
    drop(listener);
    let site = SiteConfig::from_url("HQ", &url).unwrap();
    smdr_monitor::collect::config::save_sites(&dir.path().join("sites.toml"), &[site]).unwrap();
    let now = chrono::Local::now();
    let earlier = now - chrono::TimeDelta::seconds(90);
    let (before, closed) = if earlier.date_naive() == now.date_naive() {
        (earlier, now - chrono::TimeDelta::seconds(80))
    } else {
        (now, now)
    };
    let stamp = |t: chrono::DateTime<chrono::Local>| t.format("%Y-%m-%dT%H:%M:%S%.3f%:z");
    let day = now.format("%Y%m%d");
    let logs = dir.path().join("logs/HQ");
    std::fs::create_dir_all(&logs).unwrap();
    let records = [
        "TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              ",
        "O/I 104   94151 011-49618296260              09:00    S=193 $00.00             *",
        "IN  110   94129 525530894016            0061 08:48      S=1 $00.00             *",
    ];
    let raw: String = records
        .iter()
        .map(|r| format!("{}\t{r}\n", stamp(before)))
        .collect();
    std::fs::write(logs.join(format!("HQ.{day}.1.log")), raw).unwrap();
    std::fs::write(
        logs.join(format!("HQ.{day}.connection.log")),
        format!("{}\tcollection stopped: program closed\n", stamp(closed)),
    )
    .unwrap();

    let mut h = harness(options(dir.path(), DemoMode::Auto, true));
    step_until(&mut h, "the site's status", |h| {
        h.query_by_label_contains("records today").is_some()
    });
    h.run();
    let last = before.format("%H:%M:%S");
    assert!(
        h.query_by_label(&format!("3 records today · last at {last}"))
            .is_some(),
        "the count goes on from the raw day log"
    );
    if closed < now - chrono::TimeDelta::seconds(2) {
        // The time the program was closed is a span.
        let from = format!("not collecting {}–", closed.format("%H:%M"));
        assert!(h.query_by_label_contains(&from).is_some(), "{from}");
        assert!(h.query_by_label_contains(": program closed").is_some());
    }
}

#[test]
fn the_keyboard_moves_the_selection() {
    use eframe::egui::Key;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    feed(h.state_mut());
    h.run();
    let selected_text = |h: &Harness<'static, SmdrApp>| {
        let id = h.state().selected_row()?;
        Some(h.state().store().get(id)?.text().to_string())
    };
    h.key_press(Key::ArrowDown);
    h.run();
    let first = selected_text(&h).expect("↓ selects the first row");
    assert!(first.starts_with("Station Message"), "{first}");
    for _ in 0..4 {
        h.key_press(Key::ArrowDown);
        h.run();
    }
    assert!(selected_text(&h).unwrap().contains("952-474-1742"));
    assert!(h.query_by_label("Raw text").is_some(), "the detail follows");
    h.key_press(Key::End);
    h.run();
    assert!(selected_text(&h).unwrap().contains("525530894016"));
    h.key_press(Key::ArrowUp);
    h.run();
    assert!(selected_text(&h).unwrap().contains("011-49618296260"));
    h.key_press(Key::Escape);
    h.run();
    assert_eq!(h.state().selected_row(), None);
    // Typing in a filter box keeps its arrows.
    h.get_by_label("More filters").click();
    h.run();
    type_into(&mut h, "Extension", "104");
    h.key_press(Key::ArrowDown);
    h.run();
    assert_eq!(h.state().selected_row(), None);
}

#[test]
fn the_detail_says_when_an_event_time_was_read_on_a_12_hour_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    feed_lines(
        h.state_mut(),
        "appsuite/manual-examples-162.txt",
        "appsuite.log",
        1,
    );
    h.run();
    type_into(&mut h, "Text", "12:46:59");
    assert!(h.query_by_label("1 shown / 20 total").is_some());
    h.get_by_label("OUT RINGING").click();
    h.run();
    assert!(
        h.query_by_label("time printed 12:46:59, read as 00:46:59 (12-hour clock)")
            .is_some()
    );
}

/// Clicks the menu items of `path` in turn (an item with a shortcut is labelled with it too,
/// e.g. "CSV" then "Ctrl+E").
fn menu(h: &mut Harness<'static, SmdrApp>, path: &[&str]) {
    for item in path {
        match h.query_by_label(item) {
            Some(node) => node.click(),
            None => h.get_by_label_contains(item).click(),
        }
        h.run();
    }
}

#[test]
fn without_a_file_dialog_export_asks_for_the_path_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    feed(h.state_mut());
    h.run();
    menu(&mut h, &["File", "Export the table", "CSV"]);
    // Said, not silent: why, and a path field with the default file name.
    assert!(
        h.query_by_label_contains("No file dialog could be shown: this system has neither")
            .is_some()
    );
    let typed = text_box(&h, "Save to:").value().unwrap();
    let default_dir = smdr_monitor::desktop::default_save_dir();
    assert!(
        typed.starts_with(&default_dir.display().to_string())
            && typed.ends_with(".csv")
            && std::path::Path::new(&typed)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("smdr-"),
        "{typed}"
    );
    // A folder that does not exist is said before anything is written.
    let nowhere = dir.path().join("no such folder").join("out.csv");
    text_box(&h, "Save to:").set_text_value_accesskit(&nowhere.display().to_string());
    h.run();
    h.get_by_label("Save").click();
    h.run();
    assert!(h.query_by_label_contains("does not exist").is_some());
    let out = dir.path().join("records.csv");
    text_box(&h, "Save to:").set_text_value_accesskit(&out.display().to_string());
    h.run();
    h.get_by_label("Save").click();
    h.run();
    step_until(&mut h, "the export", |_| {
        std::fs::read_to_string(&out).is_ok_and(|t| t.lines().count() == 8)
    });
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.contains("952-474-1742"), "{csv}");
    assert!(h.query_by_label("Save to:").is_none(), "the field is gone");
}

#[test]
fn without_a_file_manager_the_log_folder_is_shown_to_copy() {
    use eframe::egui::OutputCommand;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    h.run();
    menu(&mut h, &["File", "Open log folder"]);
    step_until(&mut h, "the folder's path", |h| {
        h.query_by_label_contains("The folder cannot be shown: no file manager on this system")
            .is_some()
    });
    let logs = dir.path().join("logs").display().to_string();
    assert!(h.query_by_label(&logs).is_some(), "the path is shown");
    assert!(
        h.query_by_label_contains("does not exist").is_none(),
        "the folder exists: a file manager is what is missing"
    );
    h.get_by_label("Copy path").click();
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .any(|c| matches!(c, OutputCommand::CopyText(text) if *text == logs));
    assert!(copied, "{:?}", h.output().platform_output.commands);
}

/// Adds site HQ with an SMDR password through the form.
fn add_hq_with_password(h: &mut Harness<'static, SmdrApp>) {
    h.get_by_label("+ Add site").click();
    h.run();
    type_into(h, "Name", "HQ");
    type_into(h, "Address", "10.1.2.3");
    type_into(h, "SMDR password", "hunter2");
}

#[test]
fn the_smdr_password_goes_to_the_credential_store_not_the_site_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    add_hq_with_password(&mut h);
    assert!(
        h.query_by_label("Kept in the test credential store, not in the site list.")
            .is_some()
    );
    h.get_by_label("Save").click();
    h.run();
    let text = std::fs::read_to_string(dir.path().join("sites.toml")).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("password_in_store = true"), "{text}");
}

#[test]
fn without_a_credential_store_the_password_stays_in_a_private_site_list_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(dir.path(), DemoMode::Off, false);
    o.passwords = smdr_monitor::secrets::Passwords::unavailable();
    let mut h = harness(o);
    add_hq_with_password(&mut h);
    let path = dir.path().join("sites.toml");
    assert!(
        h.query_by_label_contains(&format!(
            "No credential store answers (this system has no credential store this program can use): kept in the site list {}",
            path.display()
        ))
        .is_some()
    );
    h.get_by_label("Save").click();
    h.run();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("hunter2"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        h.query_by_label_contains("no credential store took the SMDR password of HQ")
            .is_some(),
        "the status bar says it"
    );
}

#[test]
fn a_retrying_site_can_retry_now() {
    use smdr_monitor::collect::SiteConfig;
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("mitel5000://{}", listener.local_addr().unwrap());
    drop(listener);
    let site = SiteConfig::from_url("HQ", &url).unwrap();
    smdr_monitor::collect::config::save_sites(&dir.path().join("sites.toml"), &[site]).unwrap();
    let mut o = options(dir.path(), DemoMode::Off, true);
    o.tab = Some(smdr_monitor::ui::state::Tab::Raw);
    let mut h = harness(o);
    step_until(&mut h, "the Retry now button", |h| {
        h.query_by_label("Retry now").is_some()
    });
    h.get_by_label("Retry now").click();
    step_until(&mut h, "the retry", |h| {
        h.query_by_label_contains("retrying now, as asked")
            .is_some()
    });
}

#[test]
fn a_password_the_site_list_holds_moves_into_the_credential_store_at_start() {
    use smdr_monitor::collect::{Secret, SiteConfig};
    use smdr_monitor::secrets::Passwords;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.toml");
    let mut site = SiteConfig::from_url("HQ", "mitel5000://10.1.2.3").unwrap();
    site.password = Secret::new("hunter2");
    // Saved where no store answered.
    smdr_monitor::collect::config::save_sites_with(&path, &[site], &Passwords::unavailable())
        .unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().contains("hunter2"));
    let o = options(dir.path(), DemoMode::Off, false);
    let store = o.passwords.clone();
    let h = harness(o);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(store.get("site:HQ").unwrap().as_deref(), Some("hunter2"));
    let hq = h.state().all_sites().next().unwrap();
    assert_eq!(
        hq.password.expose(),
        "hunter2",
        "the site still logs in with it"
    );
}

#[test]
fn the_calls_tab_exports_json_lines_with_the_contract_fields() {
    use smdr_monitor::export::ExportFormat;
    use smdr_monitor::export::calls::CALL_COLUMNS;
    use smdr_monitor::ui::app::{Command, ExportScope};
    use smdr_monitor::ui::state::Tab;
    let dir = tempfile::tempdir().unwrap();
    let mut options = options(dir.path(), DemoMode::Off, false);
    options.tab = Some(Tab::Calls);
    let mut h = harness(options);
    feed_lines(
        h.state_mut(),
        "appsuite/manual-examples-162.txt",
        "appsuite.log",
        1,
    );
    h.run();
    // The view recomputes at most four times a second while calls arrive.
    step_until(&mut h, "the calls", |h| {
        h.query_by_label("4 / 4 calls").is_some()
    });
    // The tab offers every format the records table does.
    h.get_by_label("Export…").click();
    h.run();
    assert!(h.query_by_label("JSON lines").is_some());
    h.key_press(eframe::egui::Key::Escape);
    h.run();

    // What the file dialog's answer becomes.
    let path = dir.path().join("calls.jsonl");
    h.state_mut().command(Command::Export(
        ExportScope::Calls,
        ExportFormat::Json,
        path.clone(),
    ));
    step_until(&mut h, "the export", |h| {
        h.query_by_label_contains("exported 4 calls to").is_some()
    });
    let text = std::fs::read_to_string(&path).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    let mut contract = CALL_COLUMNS.to_vec();
    contract.sort();
    for row in &rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(keys, contract);
        assert_eq!(row["outcome"], "answered");
    }
    // As the tab shows them: newest first.
    let starts: Vec<&str> = rows.iter().map(|r| r["start"].as_str().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{starts:?}");
}

/// §3: a MiVB line that lost its first column is decoded, and the detail says so; the
/// attendant flag is one of the fields shown.
#[test]
fn the_detail_says_when_a_mivb_line_lost_its_long_call_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), DemoMode::Off, false));
    feed_lines(
        h.state_mut(),
        "mivb/attendant-and-lost-column-synthetic.txt",
        "mivb.log",
        1,
    );
    h.run();
    type_into(&mut h, "Text", "4455");
    assert!(h.query_by_label("1 shown / 5 total").is_some());
    h.get_by_label("T009").click();
    h.run();
    assert!(
        h.query_by_label("the long-call column is missing: the line starts with its date")
            .is_some()
    );
    assert!(h.query_by_label("attendant").is_some());
}
