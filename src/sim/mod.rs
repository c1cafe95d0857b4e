//! The PBX simulator: realistic SMDR traffic for every protocol (demo mode and tests).

pub mod faults;
pub mod server;
pub mod traffic;

pub use faults::Faults;
pub use server::{SimOptions, SimServer};
pub use traffic::{Generator, Line, Scenario, TrafficFormat};
