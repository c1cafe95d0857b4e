//! What the window tests share: a window on a temporary folder (never the real credential store,
//! file dialogs or file manager), fixtures fed as a collector would, text boxes, waiting.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use smdr_monitor::protocol::{DecodeOptions, Source, StreamDecoder};
use smdr_monitor::ui::{AppOptions, DemoMode, SmdrApp};

pub type Window = Harness<'static, SmdrApp>;

/// A window's options on `dir`: its sites file and logs there.
pub fn options(dir: &Path, demo: DemoMode, collect: bool) -> AppOptions {
    AppOptions {
        demo,
        config_path: dir.join("sites.toml"),
        log_dir: Some(dir.join("logs")),
        collect,
        open: Vec::new(),
        tab: None,
        passwords: smdr_monitor::secrets::Passwords::in_memory(),
        desktop: smdr_monitor::desktop::Desktop::Bare,
    }
}

/// A 1400×900 window.
pub fn harness(options: AppOptions) -> Window {
    sized(options, [1400.0, 900.0])
}

pub fn sized(options: AppOptions, size: [f32; 2]) -> Window {
    Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| SmdrApp::new(&cc.egui_ctx, cc.storage, options))
}

/// A quiet window on `dir`: no demo, no collectors.
pub fn quiet(dir: &Path) -> Window {
    harness(options(dir, DemoMode::Off, false))
}

/// A fixture's lines as site HQ's records, from `origin`, `times` over.
pub fn feed_lines(app: &mut SmdrApp, fixture: &str, origin: &str, times: usize) {
    let data = std::fs::read(format!("tests/fixtures/{fixture}")).unwrap();
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let site: Arc<str> = "HQ".into();
    for _ in 0..times {
        for (i, line) in data
            .split(|&b| b == b'\n')
            .filter(|l| l.len() > 2)
            .enumerate()
        {
            let source = Source {
                origin: origin.into(),
                line: i as u64 + 1,
            };
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            app.ingest(decoder.record(&site, source, line, None));
        }
    }
}

/// The text box labelled `label`, plain or password (the table's header buttons may share the
/// word).
pub fn find_text_box<'h>(h: &'h Window, label: &'h str) -> Option<egui_kittest::Node<'h>> {
    h.query_by_role_and_label(Role::TextInput, label)
        .or_else(|| h.query_by_role_and_label(Role::PasswordInput, label))
}

pub fn text_box<'h>(h: &'h Window, label: &'h str) -> egui_kittest::Node<'h> {
    find_text_box(h, label).unwrap_or_else(|| panic!("no text box labelled {label}"))
}

/// Clicks into the text box labelled `label` and types `text`.
pub fn type_into(h: &mut Window, label: &str, text: &str) {
    text_box(h, label).focus();
    h.run();
    text_box(h, label).type_text(text);
    h.run();
}

/// Steps the window in real time until `done` holds (collectors and jobs run on their own
/// threads); fails after 40 s.
pub fn step_until(h: &mut Window, what: &str, done: impl Fn(&Window) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(40);
    while !done(h) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
}
