//! Opening saved files in the window (issue 17 point 8): a file opened twice, a file with no
//! SMDR in it, a connection log, and closing an imported file.

use std::path::PathBuf;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use smdr_monitor::ui::SmdrApp;
use smdr_monitor::ui::app::Command;

mod window_common;
use window_common::*;

fn fixture(p: &str) -> PathBuf {
    PathBuf::from(format!("tests/fixtures/{p}"))
}

fn import(h: &mut Harness<'static, SmdrApp>, paths: Vec<PathBuf>) {
    h.state_mut().command(Command::Import(paths));
    h.run();
}

fn said(h: &Harness<'static, SmdrApp>, text: &str) -> bool {
    h.query_by_label_contains(text).is_some()
}

#[test]
fn a_file_opened_twice_keeps_its_rows_once_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = quiet(dir.path());
    let axxess = fixture("mitel5000/axxess-8520-records.txt");
    import(&mut h, vec![axxess.clone()]);
    step_until(&mut h, "the import", |h| {
        said(h, "imported 7 records from 1 file")
    });
    assert_eq!(h.state().store().len(), 7);
    // Again, by another spelling of the same path.
    let again = fixture("mitel5000/../mitel5000/axxess-8520-records.txt");
    import(&mut h, vec![again.clone()]);
    assert!(said(&h, &format!("already open: {}", again.display())));
    h.run();
    assert_eq!(h.state().store().len(), 7, "no row doubled");
    assert!(h.query_by_label("7 shown / 7 total").is_some());
}

#[test]
fn a_file_with_no_smdr_is_not_imported_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = quiet(dir.path());
    let apt = fixture("other/apt-history.log");
    import(&mut h, vec![apt.clone()]);
    let words = format!("no SMDR found in {}: not imported", apt.display());
    step_until(&mut h, "the refusal", |h| said(h, &words));
    assert_eq!(h.state().store().len(), 0);
    h.get_by_label("Import anyway").click();
    h.run();
    step_until(&mut h, "the import anyway", |h| {
        said(h, "imported 8 records from 1 file, 8 of them not decoded")
    });
    assert_eq!(h.state().store().len(), 8);
}

#[test]
fn a_connection_log_is_said_to_be_one_and_not_imported() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = quiet(dir.path());
    let log = fixture("other/HQ.20261129.connection.log");
    import(&mut h, vec![log.clone()]);
    let words = format!("{} is a connection log, not SMDR", log.display());
    step_until(&mut h, "the refusal", |h| said(h, &words));
    assert_eq!(h.state().store().len(), 0);
}

#[test]
fn an_imported_file_is_listed_and_closing_it_removes_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = quiet(dir.path());
    import(
        &mut h,
        vec![
            fixture("mitel5000/axxess-8520-records.txt"),
            fixture("appsuite/manual-examples-162.txt"),
        ],
    );
    step_until(&mut h, "the import", |h| {
        said(h, "imported 27 records from 2 files")
    });
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Imported files").click();
    h.run();
    assert_eq!(h.get_all_by_label("Close").count(), 2, "one per file");
    // The first listed is the first opened.
    h.get_all_by_label("Close").next().unwrap().click();
    h.run();
    step_until(&mut h, "the close", |h| said(h, "7 records removed"));
    assert_eq!(h.state().store().len(), 20);
    assert!(
        h.state()
            .store()
            .iter()
            .all(|r| &**r.site() == "manual-examples-162.txt")
    );
    assert!(h.query_by_label("20 shown / 20 total").is_some());
    // Closed, it can be opened again.
    import(&mut h, vec![fixture("mitel5000/axxess-8520-records.txt")]);
    step_until(&mut h, "the import", |h| h.state().store().len() == 27);
}
