//! A desktop notification: the Linux desktop's notification service (D-Bus), a Windows toast.
//! Where none answers (a server, a session without a desktop), the channel's status says so.

use super::{Channel, DeliveryError};
use crate::alarm::Alarm;
#[cfg(any(target_os = "linux", windows))]
use crate::alarm::Severity;

/// The icon's name in the desktop's icon theme (the app icon the package installs; the same as
/// `icon::APP_ID`).
#[cfg(target_os = "linux")]
const ICON: &str = "smdr-monitor";

pub struct Desktop {
    #[cfg_attr(not(any(target_os = "linux", windows)), allow(dead_code))]
    sound: bool,
}

impl Desktop {
    pub fn new(sound: bool) -> Self {
        Self { sound }
    }
}

impl Channel for Desktop {
    fn name(&self) -> &'static str {
        "desktop"
    }

    fn target(&self) -> String {
        if self.sound {
            "notification with sound".into()
        } else {
            "notification".into()
        }
    }

    #[cfg(any(target_os = "linux", windows))]
    fn deliver(&mut self, alarm: &Alarm) -> Result<String, DeliveryError> {
        use notify_rust::{Notification, Urgency};
        let mut n = Notification::new();
        n.appname("SMDR Monitor")
            .summary(&alarm.title())
            .body(&alarm.text)
            .urgency(match alarm.severity {
                Severity::Info => Urgency::Low,
                Severity::Warning => Urgency::Normal,
                Severity::Critical => Urgency::Critical,
            });
        #[cfg(target_os = "linux")]
        n.icon(ICON);
        if self.sound {
            // Names from the freedesktop sound theme; a Windows toast's own sound.
            n.sound_name(if cfg!(windows) {
                "Default"
            } else {
                "dialog-warning"
            });
        }
        // Not retried: a desktop that is not there now will not be there in a minute either.
        n.show().map_err(|e| {
            DeliveryError::permanent(format!(
                "no desktop notification could be shown (is a desktop session running?): {e}"
            ))
        })?;
        Ok("shown".into())
    }

    #[cfg(not(any(target_os = "linux", windows)))]
    fn deliver(&mut self, _alarm: &Alarm) -> Result<String, DeliveryError> {
        Err(DeliveryError::permanent(
            "desktop notifications are not available on this system",
        ))
    }
}
