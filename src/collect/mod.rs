//! Collection (tokio): site config, one supervised task per site, connections, framing,
//! raw day logs, connection logs and the probe. Consumers get [`CollectorEvent`]s.

mod backoff;
pub mod clock;
pub mod codec;
pub mod config;
pub mod daylog;
pub mod events;
mod feed;
pub mod net;
pub mod probe;
pub mod push;
pub mod relay;
mod sink;
pub mod site;
pub mod supervisor;
pub mod words;

pub use clock::Clock;
pub use config::{ConfigError, load_named_sites, load_sites, save_sites};
pub use events::{
    CollectorEvent, Direction, Gap, GapCause, ProbeStep, ProbeVerdict, SiteState, SiteStatus,
    StepOutcome,
};
pub use relay::{RelayConfig, RelayStatus, RelayTarget};
pub use site::{Protocol, Secret, SiteConfig, UrlError, UrlTarget};
pub use supervisor::{CollectOptions, Collector, ProbeReport, ProbeRequest};
