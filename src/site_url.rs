//! What a site's address says, shared by the collectors and the simulator (neither owns it):
//! the protocol a site speaks and the shorthand URL that names it, `mitel5000://10.0.0.5`.

use serde::{Deserialize, Serialize};

use crate::protocol::Format;

/// How SMDR is collected from a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// 5000 CP / MiVoice Office 250: we connect (port 4000), log in, read length-prefixed frames.
    Mitel5000,
    /// App Suite IP SMDR, local mode: we connect (port 2007) and read lines.
    Appsuite,
    /// App Suite IP SMDR, push mode: we listen and the App Suite server connects to us.
    AppsuitePush,
    /// MiVoice Business: we connect (port 1752) and read lines.
    Mivb,
}

impl Protocol {
    pub const ALL: [Protocol; 4] = [
        Protocol::Mitel5000,
        Protocol::Appsuite,
        Protocol::AppsuitePush,
        Protocol::Mivb,
    ];

    pub fn scheme(self) -> &'static str {
        match self {
            Self::Mitel5000 => "mitel5000",
            Self::Appsuite => "appsuite",
            Self::AppsuitePush => "appsuite-push",
            Self::Mivb => "mivb",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Self::Mitel5000 => 4000,
            Self::Appsuite | Self::AppsuitePush => 2007,
            Self::Mivb => 1752,
        }
    }

    /// The record format this protocol carries.
    pub fn format(self) -> Format {
        match self {
            Self::Mitel5000 => Format::Mitel5000,
            Self::Appsuite | Self::AppsuitePush => Format::AppSuite,
            Self::Mivb => Format::Mivb,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Mitel5000 => "Mitel 5000 / MiVoice Office 250 (port 4000)",
            Self::Appsuite => "App Suite IP SMDR, local mode (port 2007)",
            Self::AppsuitePush => "App Suite IP SMDR, push mode (we listen)",
            Self::Mivb => "MiVoice Business (port 1752)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error(
        "{0:?} is not a site URL: expected mitel5000://host[:4000], appsuite://host[:2007], appsuite-push://bind[:port] or mivb://host[:1752]"
    )]
    NoScheme(String),
    #[error("unknown scheme {0:?}: use mitel5000, appsuite, appsuite-push or mivb")]
    UnknownScheme(String),
    #[error("{0:?} has no host")]
    NoHost(String),
    #[error("port {0:?} is not a number from 1 to 65535")]
    BadPort(String),
}

/// A shorthand URL taken apart: protocol, host (or bind address) and port (the protocol's
/// default when none is given; `0` is allowed here, e.g. for a simulator's ephemeral port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTarget {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
}

impl UrlTarget {
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| UrlError::NoScheme(url.to_string()))?;
        let protocol = Protocol::ALL
            .into_iter()
            .find(|p| p.scheme().eq_ignore_ascii_case(scheme))
            .ok_or_else(|| UrlError::UnknownScheme(scheme.to_string()))?;
        let (host, port) = split_host_port(rest.trim_end_matches('/'))?;
        if host.is_empty() {
            return Err(UrlError::NoHost(url.to_string()));
        }
        Ok(Self {
            protocol,
            host: host.to_string(),
            port: port.unwrap_or(protocol.default_port()),
        })
    }

    /// `host:port`, with brackets around an IPv6 host.
    pub fn address(&self) -> String {
        format!("{}:{}", bracket(&self.host), self.port)
    }
}

/// A host as it goes before `:port`: an IPv6 address in brackets.
pub fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

fn split_host_port(s: &str) -> Result<(&str, Option<u16>), UrlError> {
    let parse = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| UrlError::BadPort(p.to_string()))
    };
    if let Some(v6) = s.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| UrlError::NoHost(s.to_string()))?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host, Some(parse(p)?))),
            None => Ok((host, None)),
        };
    }
    match s.rsplit_once(':') {
        Some((host, p)) => Ok((host, Some(parse(p)?))),
        None => Ok((s, None)),
    }
}
