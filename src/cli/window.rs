//! No subcommand: the window.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use eframe::egui;
use smdr_monitor::icon;
use smdr_monitor::paths::default_config_path;
use smdr_monitor::ui::state::Tab;
use smdr_monitor::ui::{AppOptions, DemoMode, SmdrApp};

pub fn run(demo: bool, tab: Option<Tab>, open: Vec<PathBuf>) -> anyhow::Result<ExitCode> {
    // `SMDR_WINDOW_SIZE=1024x640`: the screenshots' sizes (a saved size is not used then).
    let size = std::env::var("SMDR_WINDOW_SIZE")
        .ok()
        .and_then(|s| window_size(&s));
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("SMDR Monitor")
        .with_app_id(icon::APP_ID)
        .with_inner_size(size.unwrap_or([1280.0, 800.0]))
        .with_min_inner_size([760.0, 480.0]);
    if let Some(icon) = icon::window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport,
        persist_window: size.is_none(),
        ..Default::default()
    };
    let options = AppOptions {
        demo: if demo {
            DemoMode::Force
        } else {
            DemoMode::Auto
        },
        config_path: default_config_path(),
        log_dir: None,
        collect: true,
        open,
        tab,
        passwords: smdr_monitor::secrets::Passwords::system(),
        desktop: smdr_monitor::desktop::Desktop::System,
    };
    eframe::run_native(
        icon::APP_ID,
        native,
        Box::new(move |cc| Ok(Box::new(SmdrApp::new(&cc.egui_ctx, cc.storage, options)))),
    )
    .map_err(|e| {
        anyhow!(
            "cannot open the window: {e}. If the graphics driver is the trouble (Remote Desktop, \
             a virtual machine), try another backend: WGPU_BACKEND=gl, vulkan or dx12"
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `1024x640` as a window size.
fn window_size(s: &str) -> Option<[f32; 2]> {
    let (w, h) = s.trim().split_once('x')?;
    Some([w.parse().ok()?, h.parse().ok()?])
}
