//! The built-in demo: two simulated systems on loopback (a 5000 and an App Suite server) for
//! whoever asks for a demo (the window with no sites configured, or `--demo`), and a temporary
//! folder for their raw day logs, never the user's log folder. The caller keeps the [`Demo`];
//! dropping it stops the simulators and removes the folder (drop it after the collectors).

use std::path::Path;

use super::server::{SimError, SimOptions, SimServer};
use crate::site_url::{Protocol, UrlTarget};

/// One demo system: the name its site goes by and where to collect from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSite {
    pub name: &'static str,
    pub target: UrlTarget,
}

/// The running demo. Dropping it stops its simulators and removes its log folder.
pub struct Demo {
    sites: Vec<DemoSite>,
    _servers: Vec<SimServer>,
    logs: tempfile::TempDir,
}

impl Demo {
    /// Starts the simulators on `handle`'s runtime, each on an ephemeral loopback port.
    pub fn start(handle: &tokio::runtime::Handle) -> Result<Self, SimError> {
        let logs = tempfile::Builder::new()
            .prefix("smdr-monitor-demo-")
            .tempdir()
            .map_err(SimError::LogFolder)?;
        let mut sites = Vec::new();
        let mut servers = Vec::new();
        // The App Suite system dials 911 ten seconds in: the default emergency rule raises an
        // alarm within the demo's first minute.
        for (name, protocol, rate, scenario) in [
            ("Demo 5000", Protocol::Mitel5000, 0.5, None),
            (
                "Demo App Suite",
                Protocol::Appsuite,
                1.5,
                Some(super::Scenario::Emergency),
            ),
        ] {
            let options = SimOptions {
                rate,
                concurrent: true,
                scenario,
                ..SimOptions::default()
            };
            let url = format!("{}://127.0.0.1:0", protocol.scheme());
            let server = SimServer::start(handle, &url, options)?;
            let addr = server.local_addr().ok_or(SimError::NoAddress(url))?;
            sites.push(DemoSite {
                name,
                target: UrlTarget {
                    protocol,
                    host: addr.ip().to_string(),
                    port: addr.port(),
                },
            });
            servers.push(server);
        }
        Ok(Self {
            sites,
            _servers: servers,
            logs,
        })
    }

    /// Where the demo's raw day logs go while it runs.
    pub fn log_dir(&self) -> &Path {
        self.logs.path()
    }

    /// The demo's systems, in the order they started.
    pub fn sites(&self) -> &[DemoSite] {
        &self.sites
    }
}
