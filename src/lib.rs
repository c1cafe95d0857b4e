//! SMDR Monitor: the engine. Data flows one way: socket → framer → decoder → store → views.
//! The window (`ui`, `desktop`) is the cargo feature `gui`, on by default.

pub mod alarm;
pub mod collect;
#[cfg(feature = "gui")]
pub mod desktop;
pub mod engine;
pub mod export;
pub mod health;
pub mod history;
pub mod icon;
pub mod import;
pub mod jobs;
pub mod paths;
pub mod protocol;
pub mod rawlog;
pub mod secrets;
pub mod sim;
pub mod site_url;
pub mod store;
pub mod sync;
pub mod timeline;
#[cfg(feature = "gui")]
pub mod ui;
pub mod wake;
