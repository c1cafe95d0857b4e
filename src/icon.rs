//! The application icon and the id shared with the desktop entry.
//!
//! CONTRACT: `window_icon` is filled in by the packaging work (assets/ icons).

/// Matches the `.desktop` file name and `StartupWMClass`.
pub const APP_ID: &str = "smdr-monitor";

/// The window icon (`ViewportBuilder::with_icon`), `None` if it cannot be decoded.
pub fn window_icon() -> Option<eframe::egui::IconData> {
    None
}
