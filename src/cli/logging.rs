//! The program's own log (not SMDR): a daily file in the data dir for the window, stderr for
//! command-line runs. `RUST_LOG` overrides the level.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Keeps the file writer flushing until the program ends.
pub struct LogGuard(#[allow(dead_code)] Option<WorkerGuard>);

pub fn init(window: bool) -> LogGuard {
    let filter = |default: &str| {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
    };
    let dir = smdr_monitor::paths::app_log_dir();
    if window && let Some(dir) = dir {
        let appender = tracing_appender::rolling::daily(&dir, smdr_monitor::paths::APP_LOG_PREFIX);
        let (writer, guard) = tracing_appender::non_blocking(appender);
        let ok = tracing_subscriber::fmt()
            .with_env_filter(filter("info"))
            .with_ansi(false)
            .with_writer(writer)
            .try_init();
        if ok.is_ok() {
            return LogGuard(Some(guard));
        }
    }
    // A second init (tests, or a subcommand that set its own) is harmless: keep the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter("warn"))
        .with_writer(std::io::stderr)
        .try_init();
    LogGuard(None)
}
