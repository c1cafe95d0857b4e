//! Email over SMTP: TLS from the first byte, STARTTLS, or plain (a relay on the local
//! network). The user and password go to the server and nowhere else: errors are the server's
//! and the network's words, never the configuration.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::{Channel, DeliveryError};
use crate::alarm::Alarm;
use crate::alarm::config::{EmailConfig, MailSecurity};

pub struct Email {
    config: EmailConfig,
}

impl Email {
    pub fn new(config: &EmailConfig) -> Self {
        Self {
            config: config.clone(),
        }
    }

    fn server(&self) -> String {
        format!("{}:{}", self.config.server.trim(), self.config.port())
    }

    fn transport(&self) -> Result<SmtpTransport, DeliveryError> {
        let c = &self.config;
        let host = c.server.trim();
        let tls = |h: &str| {
            TlsParameters::new(h.to_string())
                .map_err(|e| DeliveryError::permanent(format!("cannot set up TLS for {h}: {e}")))
        };
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(c.port())
            .timeout(Some(Duration::from_secs(c.timeout_s.max(1).into())))
            .tls(match c.security {
                MailSecurity::Tls => Tls::Wrapper(tls(host)?),
                MailSecurity::StartTls => Tls::Required(tls(host)?),
                MailSecurity::Plain => Tls::None,
            });
        if !c.user.is_empty() {
            builder = builder.credentials(Credentials::new(
                c.user.expose().to_string(),
                c.password.expose().to_string(),
            ));
        }
        Ok(builder.build())
    }

    /// The message for `alarm`.
    pub fn message(config: &EmailConfig, alarm: &Alarm) -> Result<Message, DeliveryError> {
        let from = if config.from.trim().is_empty() {
            "SMDR Monitor <smdr-monitor@localhost>"
        } else {
            config.from.trim()
        };
        let mailbox = |a: &str| {
            a.parse::<Mailbox>().map_err(|_| {
                DeliveryError::permanent(format!(
                    "{a:?} is not a mail address: write it like tech@example.com"
                ))
            })
        };
        let mut builder = Message::builder()
            .from(mailbox(from)?)
            .subject(format!("[SMDR Monitor] {}", alarm.title()))
            .header(ContentType::TEXT_PLAIN);
        if config.to.is_empty() {
            return Err(DeliveryError::permanent(
                "no recipient: give delivery.email.to a mail address",
            ));
        }
        for to in &config.to {
            builder = builder.to(mailbox(to.trim())?);
        }
        builder
            .body(body(alarm))
            .map_err(|e| DeliveryError::permanent(format!("cannot build the mail: {e}")))
    }
}

/// The mail's text: the sentence, then the details.
fn body(alarm: &Alarm) -> String {
    let mut s = format!("{}\n\n", alarm.text);
    s.push_str(&format!("Rule:     {}\n", alarm.rule));
    s.push_str(&format!("Severity: {}\n", alarm.severity));
    s.push_str(&format!("Site:     {}\n", alarm.site));
    s.push_str(&format!(
        "Time:     {}\n",
        alarm.at.format("%Y-%m-%d %H:%M:%S %:z")
    ));
    if let Some(id) = &alarm.call_id {
        s.push_str(&format!("Call:     {id}\n"));
    }
    if let Some(r) = &alarm.record {
        s.push_str(&format!("Record:   {}\n", r.text));
    }
    if alarm.test {
        s.push_str("\nThis is a test alarm: nothing happened at the site.\n");
    }
    s.push_str("\n-- \nSMDR Monitor\n");
    s
}

impl Channel for Email {
    fn name(&self) -> &'static str {
        "email"
    }

    fn target(&self) -> String {
        format!("{} via {}", self.config.to.join(", "), self.server())
    }

    fn deliver(&mut self, alarm: &Alarm) -> Result<String, DeliveryError> {
        let message = Self::message(&self.config, alarm)?;
        let transport = self.transport()?;
        let server = self.server();
        match transport.send(&message) {
            Ok(response) => Ok(format!("accepted by {server} ({})", response.code())),
            Err(e) => {
                let words = if e.is_timeout() {
                    format!("no answer from {server} within {} s", self.config.timeout_s)
                } else if e.is_tls() {
                    format!("TLS with {server} failed: {e}")
                } else if e.is_permanent() {
                    format!("{server} refused the mail: {e}")
                } else {
                    format!("cannot send through {server}: {e}")
                };
                Err(if e.is_permanent() {
                    DeliveryError::permanent(words)
                } else {
                    DeliveryError::retry(words)
                })
            }
        }
    }
}
