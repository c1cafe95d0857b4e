//! Collection (tokio): site config, one supervised task per site, connections, framing,
//! raw day logs, connection logs and the probe. Consumers get [`CollectorEvent`]s.

pub mod config;
pub mod events;
pub mod site;
pub mod supervisor;

pub use events::{
    CollectorEvent, Direction, Gap, ProbeStep, ProbeVerdict, SiteState, SiteStatus, StepOutcome,
};
pub use site::{Protocol, Secret, SiteConfig};
pub use supervisor::{CollectOptions, Collector, ProbeReport, Wake};
