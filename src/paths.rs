//! Where the program's files live by default: the OS config folder (`sites.toml`, and beside it
//! `alarms.toml`, `settings.toml`) and the OS data folder (raw day logs, the embedded history,
//! the app's own log). Neutral ground: the collectors, history and alarms all start from here.

use std::path::PathBuf;

const APP: &str = "smdr-monitor";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", APP)
}

/// `sites.toml` in the OS config dir; `./sites.toml` when the system names no home directory.
pub fn default_config_path() -> PathBuf {
    project_dirs()
        .map(|d| d.config_dir().join("sites.toml"))
        .unwrap_or_else(|| PathBuf::from("sites.toml"))
}

/// Raw day logs: `logs` in the OS data dir; `./smdr-logs` when the system names no home directory.
pub fn default_log_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().join("logs"))
        .unwrap_or_else(|| PathBuf::from("smdr-logs"))
}

/// The program's own log (not SMDR), written by the window: a daily file in here.
pub fn app_log_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().join("app-log"))
}

/// The daily app log's name prefix; tracing-appender adds `.YYYY-MM-DD` (the UTC date).
pub const APP_LOG_PREFIX: &str = "smdr-monitor.log";
