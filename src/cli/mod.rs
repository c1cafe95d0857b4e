//! The command line's edge: argument parsing and `anyhow` errors; the work is in the library.

pub mod alarms;
pub mod calls;
pub mod collect;
pub mod common;
pub mod decode;
pub mod history;
pub mod logging;
pub mod probe;
pub mod service;
pub mod signals;
pub mod simulate;
#[cfg(feature = "gui")]
pub mod window;
