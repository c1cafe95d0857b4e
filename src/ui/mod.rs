//! The window (egui): reads the store, sends commands; never touches a socket or file itself.

mod alarm_settings;
mod alarm_test;
mod alarms;
pub mod app;
pub mod calls;
mod detail;
mod forms;
mod help;
mod history;
mod paths;
mod probe_window;
mod raw;
mod records;
mod shell;
mod sites;
pub mod state;
pub mod theme;
pub mod widgets;

pub use app::{AppOptions, DemoMode, SmdrApp};
