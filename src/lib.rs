//! SMDR Monitor: the engine. Data flows one way: socket → framer → decoder → store → views.

pub mod export;
pub mod import;
pub mod protocol;
