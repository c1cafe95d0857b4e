//! Where alarms go besides the window: the desktop, a webhook, email, the alarm log.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Severity;

/// Text kept out of every log, status and `Debug` output (SMTP user and password): the same
/// wrapper as the SMDR password.
pub use crate::secrets::Secret as Redacted;

/// Where alarms go besides the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    /// Alarms waiting per channel while it is slow or down; beyond this they are counted and
    /// dropped (the alarm log and the window still have them).
    pub queue: usize,
    pub desktop: DesktopConfig,
    pub webhook: WebhookConfig,
    pub email: EmailConfig,
    /// Append every alarm to `alarms.<YYYYMMDD>.jsonl` beside the raw day logs.
    pub log: bool,
    /// Add every alarm to the history database (the one `settings.toml` names, else the
    /// embedded one once it exists).
    pub history: bool,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            queue: 256,
            desktop: DesktopConfig::default(),
            webhook: WebhookConfig::default(),
            email: EmailConfig::default(),
            log: true,
            history: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DesktopConfig {
    pub enabled: bool,
    pub sound: bool,
    pub min_severity: Severity,
}

impl Default for DesktopConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            sound: true,
            min_severity: Severity::Info,
        }
    }
}

/// What a webhook POST carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Payload {
    /// `{"text": "…"}`: what Slack, Teams and Discord-style incoming webhooks accept.
    #[default]
    Text,
    /// The whole alarm object.
    Alarm,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookConfig {
    /// Empty: no webhook. Incoming-webhook URLs are secrets too: shown only as far as the host.
    pub url: String,
    pub payload: Payload,
    pub min_severity: Severity,
    pub timeout_s: u32,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            payload: Payload::Text,
            min_severity: Severity::Info,
            timeout_s: 10,
        }
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &shown_url(&self.url))
            .field("payload", &self.payload)
            .field("min_severity", &self.min_severity)
            .field("timeout_s", &self.timeout_s)
            .finish()
    }
}

/// A URL as far as its host (`https://hooks.slack.com/…`): the path of an incoming webhook is
/// its key, and a user or password before the host is never shown.
pub fn shown_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let more = rest.len() > authority.len() && rest[authority.len()..] != *"/";
    let scheme = if scheme.is_empty() {
        String::new()
    } else {
        format!("{scheme}://")
    };
    format!("{scheme}{host}{}", if more { "/…" } else { "" })
}

/// How the mail server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain, then STARTTLS before anything else is sent (port 587); refused without it.
    #[default]
    StartTls,
    /// No encryption (port 25; a relay on the local network).
    Plain,
}

impl MailSecurity {
    pub fn default_port(self) -> u16 {
        match self {
            Self::Tls => 465,
            Self::StartTls => 587,
            Self::Plain => 25,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailConfig {
    /// Empty: no email.
    pub server: String,
    /// 0: the security's usual port.
    pub port: u16,
    pub security: MailSecurity,
    #[serde(skip_serializing_if = "Redacted::is_empty")]
    pub user: Redacted,
    #[serde(skip_serializing_if = "Redacted::is_empty")]
    pub password: Redacted,
    /// The password is in the OS credential store, not in this file (the window saved it
    /// there, as it does the SMDR passwords).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub password_in_store: bool,
    pub from: String,
    pub to: Vec<String>,
    pub min_severity: Severity,
    pub timeout_s: u32,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            server: String::new(),
            port: 0,
            security: MailSecurity::StartTls,
            user: Redacted::default(),
            password: Redacted::default(),
            password_in_store: false,
            from: String::new(),
            to: Vec::new(),
            min_severity: Severity::Warning,
            timeout_s: 20,
        }
    }
}

impl EmailConfig {
    pub fn port(&self) -> u16 {
        if self.port == 0 {
            self.security.default_port()
        } else {
            self.port
        }
    }
}
