//! A webhook: one JSON POST per alarm, `{"text": "…"}` (what Slack, Teams and Discord-style
//! incoming webhooks accept) or the whole alarm. TLS through the OS's own stack.

use std::io;
use std::time::Duration;

use ureq::Agent;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};

use super::{Channel, DeliveryError};
use crate::alarm::Alarm;
use crate::alarm::config::{Payload, WebhookConfig, shown_url};

pub struct Webhook {
    url: String,
    shown: String,
    payload: Payload,
    timeout_s: u32,
    agent: Agent,
}

impl Webhook {
    pub fn new(config: &WebhookConfig) -> Self {
        let timeout_s = config.timeout_s.max(1);
        let agent = Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(timeout_s.into())))
            // A 4xx or 5xx is an answer to read, not an error without words.
            .http_status_as_error(false)
            .tls_config(
                TlsConfig::builder()
                    .provider(TlsProvider::NativeTls)
                    .root_certs(RootCerts::PlatformVerifier)
                    .build(),
            )
            .build()
            .into();
        Self {
            url: config.url.trim().to_string(),
            shown: shown_url(config.url.trim()),
            payload: config.payload,
            timeout_s,
            agent,
        }
    }

    /// The body posted for `alarm`.
    pub fn body(payload: Payload, alarm: &Alarm) -> String {
        let value = match payload {
            Payload::Text => {
                let test = if alarm.test { "TEST " } else { "" };
                serde_json::json!({
                    "text": format!(
                        "{test}{} {}: {}",
                        alarm.severity.as_str().to_uppercase(),
                        alarm.rule,
                        alarm.text
                    )
                })
            }
            Payload::Alarm => serde_json::to_value(alarm).unwrap_or_default(),
        };
        value.to_string()
    }

    fn error_words(&self, e: ureq::Error) -> DeliveryError {
        let host = &self.shown;
        match e {
            ureq::Error::Io(io) => DeliveryError::retry(match io.kind() {
                io::ErrorKind::ConnectionRefused => format!("connection refused by {host}"),
                io::ErrorKind::TimedOut => {
                    format!("no answer from {host} within {} s", self.timeout_s)
                }
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
                    format!("{host} closed the connection")
                }
                _ => format!("cannot reach {host}: {io}"),
            }),
            ureq::Error::Timeout(_) => {
                DeliveryError::retry(format!("no answer from {host} within {} s", self.timeout_s))
            }
            ureq::Error::HostNotFound => {
                DeliveryError::retry(format!("the name in {host} was not found (DNS)"))
            }
            ureq::Error::ConnectionFailed => {
                DeliveryError::retry(format!("cannot connect to {host}"))
            }
            ureq::Error::BadUri(_) => DeliveryError::permanent(format!(
                "{host} is not a URL: write it like https://hooks.example.com/…"
            )),
            other => DeliveryError::retry(format!("cannot post to {host}: {other}")),
        }
    }
}

impl Channel for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn target(&self) -> String {
        self.shown.clone()
    }

    fn deliver(&mut self, alarm: &Alarm) -> Result<String, DeliveryError> {
        let body = Self::body(self.payload, alarm);
        let response = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .send(body.as_bytes())
            .map_err(|e| self.error_words(e))?;
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(format!("HTTP {status} from {}", self.shown)),
            // Throttled or the server's own trouble: worth another try.
            408 | 429 | 500..=599 => Err(DeliveryError::retry(format!(
                "{} answered HTTP {status}",
                self.shown
            ))),
            _ => Err(DeliveryError::permanent(format!(
                "{} refused the alarm with HTTP {status} (check the webhook URL)",
                self.shown
            ))),
        }
    }
}
