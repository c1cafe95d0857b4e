//! The application icon and the id shared with the desktop entry.

/// Matches the `.desktop` file name and `StartupWMClass`.
pub const APP_ID: &str = "smdr-monitor";
