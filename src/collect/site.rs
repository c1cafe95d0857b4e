//! A site: where its SMDR comes from and how to log in. Stored in `sites.toml`.

use serde::{Deserialize, Serialize};

use super::relay::RelayConfig;
use crate::protocol::DecodeOptions;
pub use crate::secrets::Secret;
use crate::site_url::bracket;
pub use crate::site_url::{Protocol, UrlError, UrlTarget};

fn default_padding() -> char {
    crate::protocol::appsuite::DEFAULT_PADDING
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteConfig {
    pub name: String,
    pub protocol: Protocol,
    /// The PBX (or App Suite server) to connect to; for push mode, the server expected to
    /// connect to us (the default allowed peer).
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: u16,
    /// Push mode: the address and port we listen on, e.g. `0.0.0.0:2007`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// 5000 SMDR password; when empty, the `SMDR_PASSWORD` environment variable is used.
    #[serde(default, skip_serializing_if = "Secret::is_empty")]
    pub password: Secret,
    #[serde(default = "default_padding")]
    pub padding: char,
    /// Push mode: peers allowed to connect (default: `host`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_peers: Vec<String>,
    /// App Suite: also run the push listener on this bind address (a site may run both modes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also_push: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Sharing this site's feed with other programs (`[site.relay]`).
    #[serde(default, skip_serializing_if = "RelayConfig::is_off")]
    pub relay: RelayConfig,
    /// Where this site's raw day logs and connection log go instead of the collector's log
    /// folder: the demo's temporary folder. Never saved.
    #[serde(skip)]
    pub log_dir: Option<std::path::PathBuf>,
}

impl SiteConfig {
    /// How this site's records are decoded (its format, its padding), `today` for MiVB years.
    pub fn decode_options(&self, today: chrono::NaiveDate) -> DecodeOptions {
        DecodeOptions {
            format: Some(self.protocol.format()),
            padding: self.padding,
            today,
            ..Default::default()
        }
    }

    /// A site from a shorthand URL: `mitel5000://10.0.0.5`, `appsuite-push://0.0.0.0:2007`, ….
    pub fn from_url(name: &str, url: &str) -> Result<Self, UrlError> {
        let target = UrlTarget::parse(url)?;
        if target.port == 0 {
            return Err(UrlError::BadPort("0".into()));
        }
        Ok(Self::from_target(name, &target))
    }

    /// A site collecting from `target` (e.g. a simulator's address), enabled.
    pub fn from_target(name: &str, target: &UrlTarget) -> Self {
        let (protocol, host, port) = (target.protocol, target.host.as_str(), target.port);
        let mut site = Self {
            name: name.to_string(),
            protocol,
            host: host.to_string(),
            port,
            bind: None,
            password: Secret::default(),
            padding: default_padding(),
            allowed_peers: Vec::new(),
            also_push: None,
            enabled: true,
            relay: RelayConfig::default(),
            log_dir: None,
        };
        if protocol == Protocol::AppsuitePush {
            site.bind = Some(format!("{}:{port}", bracket(host)));
            site.host = String::new();
        }
        site
    }

    /// The shorthand URL of this site (never with the password).
    pub fn url(&self) -> String {
        match (self.protocol, &self.bind) {
            (Protocol::AppsuitePush, Some(bind)) => format!("{}://{bind}", self.protocol.scheme()),
            _ => format!(
                "{}://{}:{}",
                self.protocol.scheme(),
                bracket(&self.host),
                self.port
            ),
        }
    }

    /// `host:port` to connect to (the protocol's default port when none is set).
    pub fn connect_address(&self) -> String {
        let port = if self.port == 0 {
            self.protocol.default_port()
        } else {
            self.port
        };
        format!("{}:{port}", bracket(&self.host))
    }

    /// Where to listen for the App Suite server: the push site's bind address (else all
    /// interfaces on its port), or an App Suite site's extra push listener.
    pub fn push_bind(&self) -> Option<String> {
        match self.protocol {
            Protocol::AppsuitePush => Some(self.bind.clone().unwrap_or_else(|| {
                let port = if self.port == 0 {
                    self.protocol.default_port()
                } else {
                    self.port
                };
                format!("0.0.0.0:{port}")
            })),
            Protocol::Appsuite => self.also_push.clone(),
            Protocol::Mitel5000 | Protocol::Mivb => None,
        }
    }

    /// Peers allowed to push to us: the configured list, else `host`, else none (the listener
    /// then accepts loopback only).
    pub fn push_peers(&self) -> Vec<String> {
        if !self.allowed_peers.is_empty() {
            self.allowed_peers.clone()
        } else if !self.host.is_empty() {
            vec![self.host.clone()]
        } else {
            Vec::new()
        }
    }

    /// The password to log in with: the configured one, else `SMDR_PASSWORD`.
    pub fn effective_password(&self) -> Option<Secret> {
        if !self.password.is_empty() {
            return Some(self.password.clone());
        }
        std::env::var("SMDR_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let s = SiteConfig::from_url("hq", "mitel5000://10.0.0.5").unwrap();
        assert_eq!(
            (s.protocol, s.host.as_str(), s.port),
            (Protocol::Mitel5000, "10.0.0.5", 4000)
        );
        assert_eq!(s.url(), "mitel5000://10.0.0.5:4000");
        let s = SiteConfig::from_url("a", "appsuite://srv:3000").unwrap();
        assert_eq!((s.protocol, s.port), (Protocol::Appsuite, 3000));
        let s = SiteConfig::from_url("p", "appsuite-push://0.0.0.0:2100").unwrap();
        assert_eq!(
            (s.bind.as_deref(), s.url().as_str()),
            (Some("0.0.0.0:2100"), "appsuite-push://0.0.0.0:2100")
        );
        let s = SiteConfig::from_url("m", "mivb://[::1]").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("::1", 1752));
        assert!(matches!(
            SiteConfig::from_url("x", "ftp://h"),
            Err(UrlError::UnknownScheme(_))
        ));
        assert!(matches!(
            SiteConfig::from_url("x", "mivb://h:99999"),
            Err(UrlError::BadPort(_))
        ));
        assert!(matches!(
            SiteConfig::from_url("x", "h:1"),
            Err(UrlError::NoScheme(_))
        ));
    }

    #[test]
    fn password_never_shows() {
        let mut s = SiteConfig::from_url("hq", "mitel5000://10.0.0.5").unwrap();
        s.password = Secret::new("hunter2");
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("hunter2") && dbg.contains("********"));
        assert!(!s.url().contains("hunter2"));
    }
}
