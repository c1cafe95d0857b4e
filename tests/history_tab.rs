//! The History tab against an SQLite history prepared here: a day of a site is a few clicks,
//! its rows are shown, a filter narrows them, and the calls per day are the database's. And
//! Settings › History's Test button against a server that is not there: clear words, no
//! password.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use smdr_monitor::history::ingest::{Ingest, import_file};
use smdr_monitor::history::{self, RecordQuery, StatsBy, Target};
use smdr_monitor::protocol::DecodeOptions;
use smdr_monitor::ui::state::Tab;
use smdr_monitor::ui::{AppOptions, DemoMode, SmdrApp};

mod window_common;
use window_common::harness;

const FIXTURE: &str = "tests/fixtures/mivb/attendant-and-lost-column-synthetic.txt";

fn options(dir: &Path) -> AppOptions {
    AppOptions {
        tab: Some(Tab::History),
        ..window_common::options(dir, DemoMode::Off, false)
    }
}

/// Steps the window until `done` or 10 s (the database is read on another thread).
fn until(h: &mut Harness<'static, SmdrApp>, done: impl Fn(&Harness<'static, SmdrApp>) -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        h.run_steps(2);
        if done(h) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the window did not get there in 10 s");
}

#[test]
fn a_day_of_a_site_is_found_filtered_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    let target = Target::Embedded(db.clone());
    let day = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
    {
        let mut store = history::open(&target).unwrap();
        let mut ingest = Ingest::new(chrono::Duration::minutes(30));
        let options = DecodeOptions {
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            ..Default::default()
        };
        for site in ["HQ", "Branch"] {
            import_file(
                store.as_mut(),
                &mut ingest,
                Path::new(FIXTURE),
                &site.into(),
                &options,
            )
            .unwrap();
        }
    }
    // What the database holds for that day of HQ, asked directly.
    let mut store = history::open(&target).unwrap();
    let q = RecordQuery {
        sites: vec!["HQ".into()],
        from: Some(day),
        to: Some(day),
        ..Default::default()
    };
    let all = store.records(&q, &mut |_| Ok(())).unwrap() as usize;
    let with_number = store
        .records(
            &RecordQuery {
                number: "6135550199".into(),
                ..q.clone()
            },
            &mut |_| Ok(()),
        )
        .unwrap() as usize;
    let per_day = store.stats(&q, StatsBy::Day).unwrap();
    drop(store);
    assert!(all > with_number && with_number >= 1, "{all} {with_number}");
    assert_eq!(per_day.len(), 1);

    std::fs::write(
        dir.path().join("settings.toml"),
        format!("history = {:?}\n", db.display().to_string()),
    )
    .unwrap();
    let mut h = harness(options(dir.path()));
    h.state_mut().set_history_days(day, day);
    h.run_steps(2);
    // One site: the Sites menu.
    h.get_by_label("all sites").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::CheckBox, "HQ").click();
    h.run_steps(2);
    h.key_press(eframe::egui::Key::Escape);
    until(&mut h, |h| h.state().history_found() == Some(all));
    assert!(
        h.query_by_label_contains(&format!("{all} records in"))
            .is_some()
    );
    until(&mut h, |h| {
        h.query_by_label_contains("6135550199").is_some()
    });
    assert!(
        h.query_by_label_contains("Branch").is_none(),
        "only HQ's rows"
    );

    // The calls per day, as the database counts them.
    let shown = h.state().history_per_day().to_vec();
    assert_eq!(shown, per_day);
    assert!(h.query_by_label("2026-03-12").is_some());
    for figure in [per_day[0].calls, per_day[0].answered, per_day[0].abandoned] {
        assert!(
            h.get_all_by_label(&figure.to_string()).next().is_some(),
            "{figure}"
        );
    }

    // The Records tab's Number filter.
    let number = h.get_by_role_and_label(Role::TextInput, "Number");
    number.click();
    number.type_text("613-555-0199");
    until(&mut h, |h| h.state().history_found() == Some(with_number));
    until(&mut h, |h| {
        h.query_by_label_contains("6135550199").is_some()
    });
    assert!(
        h.query_by_label_contains(&format!("{with_number} record"))
            .is_some(),
        "the count shown"
    );
}

#[test]
fn the_test_button_says_in_words_that_the_server_is_not_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path()));
    h.run_steps(2);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Settings…").click();
    h.run_steps(2);
    h.get_by_label("Shared PostgreSQL").click();
    h.run_steps(2);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = h.get_by_label("URL");
    url.click();
    url.type_text(&format!("postgres://smdr@127.0.0.1:{port}/smdr"));
    h.run_steps(2);
    let pw = h.get_by_label("Password");
    pw.click();
    pw.type_text("hunter2secret");
    h.run_steps(2);
    h.get_by_label("Test").click();
    until(&mut h, |h| {
        h.query_by_label_contains("Could not connect").is_some()
    });
    let said = h
        .query_by_label_contains("Could not connect")
        .map(|n| format!("{n:?}"))
        .unwrap_or_default();
    assert!(said.contains(&format!("127.0.0.1:{port}")), "{said}");
    assert!(said.contains("smdr:***@"), "{said}");
    assert!(
        said.contains("Check the host, port, user and password"),
        "{said}"
    );
    assert!(!said.contains("hunter2secret"), "{said}");
    // Nothing saved until asked: the settings file is not there.
    assert!(!dir.path().join("settings.toml").exists());
}
