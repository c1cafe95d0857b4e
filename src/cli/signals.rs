//! What tells a long-running `collect` to stop or to re-read its sites: Ctrl-C, and on Unix
//! SIGTERM (`systemctl stop`) and SIGHUP (`systemctl reload`); the Windows service sets the same
//! flags from the service manager's stop and parameter-change requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Flags the collecting loop polls.
#[derive(Clone, Default)]
pub struct Control {
    /// Set once: stop collecting, write the last lines, exit.
    pub stop: Arc<AtomicBool>,
    /// Bumped for each reload request: re-read the sites file.
    pub reload: Arc<AtomicU64>,
}

impl Control {
    /// Flags set by this process's signals. Returns once the handlers are in place, so a SIGHUP
    /// sent after `collect` says it is collecting never kills it (SIGHUP's default).
    pub fn from_signals() -> Self {
        let control = Self::default();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let flags = control.clone();
        let spawned = std::thread::Builder::new()
            .name("smdr-signals".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        tracing::warn!("cannot watch for Ctrl-C and signals: {e}");
                        let _ = ready_tx.send(());
                        return;
                    }
                };
                rt.block_on(watch(flags, ready_tx));
            });
        match spawned {
            Ok(_) => {
                let _ = ready_rx.recv_timeout(Duration::from_secs(5));
            }
            Err(e) => tracing::warn!("cannot watch for Ctrl-C and signals: {e}"),
        }
        control
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

#[cfg(unix)]
async fn watch(flags: Control, ready: std::sync::mpsc::Sender<()>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (term, int, hup) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    );
    let _ = ready.send(());
    let (mut term, mut int, mut hup) = match (term, int, hup) {
        (Ok(t), Ok(i), Ok(h)) => (t, i, h),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            tracing::warn!("cannot watch for signals (stop, reload): {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = term.recv() => flags.stop.store(true, Ordering::SeqCst),
            _ = int.recv() => flags.stop.store(true, Ordering::SeqCst),
            _ = hup.recv() => {
                flags.reload.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

#[cfg(not(unix))]
async fn watch(flags: Control, ready: std::sync::mpsc::Sender<()>) {
    let _ = ready.send(());
    if tokio::signal::ctrl_c().await.is_ok() {
        flags.stop.store(true, Ordering::SeqCst);
    }
}
