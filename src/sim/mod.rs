//! The PBX simulator: realistic SMDR traffic for every protocol (demo mode and tests).

pub mod demo;
pub mod faults;
pub mod server;
pub mod traffic;

pub use demo::{Demo, DemoSite};
pub use faults::Faults;
pub use server::{SimError, SimOptions, SimServer};
pub use traffic::{Generator, Line, Scenario, TrafficFormat};
