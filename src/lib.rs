//! SMDR Monitor: the engine. Data flows one way: socket → framer → decoder → store → views.

pub mod collect;
pub mod desktop;
pub mod export;
pub mod history;
pub mod icon;
pub mod import;
pub mod jobs;
pub mod protocol;
pub mod sim;
pub mod store;
pub mod timeline;
pub mod ui;
