//! Locks that outlive a panic.

use std::sync::{Mutex, MutexGuard};

/// Locks `m` even if a thread panicked while holding it: the state behind our locks (a site's
/// logs and counters, the running sites, a simulator's feed) stays consistent enough to go on,
/// and one panic must not stop collection or logging.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
