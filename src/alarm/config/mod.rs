//! `alarms.toml`: the rules, each site's business hours, and where alarms are delivered. Kept
//! beside `sites.toml` in the OS config folder. A missing file means the defaults: emergency
//! calls, a site down 15 minutes or silent 60 minutes, and a raw log that cannot be written
//! raise alarms; the other rules are there, switched off, to be switched on.
//!
//! ```toml
//! outside_line = ["9", "8"]
//!
//! [hours]                      # every site's, unless it has its own below
//! time_zone = "America/Chicago"  # IANA name; empty: this computer's zone
//! monday = "08:00-18:00"         # several spans: "08:00-12:00, 13:00-17:00"; "22:00-06:00"
//! saturday = ""                  # closed
//! holidays = ["2026-12-25"]
//!
//! [site_hours.HQ]
//! time_zone = "America/New_York"
//!
//! [[rules]]
//! name = "Emergency call"
//! severity = "critical"          # info, warning, critical
//! sites = "all"                  # or ["HQ", "Branch"]
//! kind = "number"
//! presets = ["emergency"]        # emergency, international, premium
//! numbers = ["1NXX555XXXX", "44*"]
//!
//! [delivery.webhook]
//! url = "https://hooks.example.com/…"
//! payload = "text"               # or "alarm": the whole alarm as JSON
//! ```

mod delivery;
mod rules;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use delivery::*;
pub use rules::*;

/// How serious an alarm is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    #[default]
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlarmsConfig {
    /// Digits dialled for an outside line: number rules also match after them (`9911`).
    pub outside_line: Vec<String>,
    /// Every site's business hours, unless it has its own in `site_hours`.
    pub hours: BusinessHours,
    pub site_hours: BTreeMap<String, BusinessHours>,
    pub rules: Vec<Rule>,
    pub delivery: Delivery,
}

impl Default for AlarmsConfig {
    fn default() -> Self {
        Self {
            outside_line: vec!["9".into(), "8".into()],
            hours: BusinessHours::default(),
            site_hours: BTreeMap::new(),
            rules: default_rules(),
            delivery: Delivery::default(),
        }
    }
}

/// One site's week and holidays (see [`super::hours`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessHours {
    /// IANA name (`America/New_York`); empty for this computer's zone.
    pub time_zone: String,
    pub monday: String,
    pub tuesday: String,
    pub wednesday: String,
    pub thursday: String,
    pub friday: String,
    pub saturday: String,
    pub sunday: String,
    pub holidays: Vec<NaiveDate>,
}

/// The day fields, named once: the day names, and each day's spans in order.
macro_rules! week {
    ($($day:ident),*) => {
        /// The days as the file names them, from Monday (as `Weekday::num_days_from_monday`).
        pub const DAYS: [&'static str; 7] = [$(stringify!($day)),*];

        /// Each day's spans, in [`Self::DAYS`] order.
        pub fn days(&self) -> [&str; 7] {
            [$(&self.$day),*]
        }

        /// Each day's spans, in [`Self::DAYS`] order, to edit.
        pub fn days_mut(&mut self) -> [&mut String; 7] {
            [$(&mut self.$day),*]
        }
    };
}

impl BusinessHours {
    week!(
        monday, tuesday, wednesday, thursday, friday, saturday, sunday
    );
}

impl Default for BusinessHours {
    fn default() -> Self {
        let day = || "08:00-18:00".to_string();
        Self {
            time_zone: String::new(),
            monday: day(),
            tuesday: day(),
            wednesday: day(),
            thursday: day(),
            friday: day(),
            saturday: String::new(),
            sunday: String::new(),
            holidays: Vec::new(),
        }
    }
}

/// `alarms.toml` beside `sites.toml` in the OS config folder.
pub fn default_alarms_path() -> PathBuf {
    crate::paths::default_config_path().with_file_name("alarms.toml")
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the alarm rules {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("the alarm rules {path} are not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("the alarm rules {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("cannot save the alarm rules to {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// The credential store's key for the mail server's password.
pub const MAIL_PASSWORD_KEY: &str = "alarms:mail";

/// Reads `path`; a missing file gives the defaults. A mail password kept in the OS credential
/// store is read from there (a store that does not answer is logged: mail then goes without).
pub fn load(path: &Path) -> Result<AlarmsConfig, ConfigError> {
    let (config, note) = load_with(path, &crate::secrets::Passwords::system())?;
    if let Some(note) = note {
        tracing::warn!("{note}");
    }
    Ok(config)
}

/// [`load`] with the mail password from `passwords`; what went wrong with it, in words.
pub fn load_with(
    path: &Path,
    passwords: &crate::secrets::Passwords,
) -> Result<(AlarmsConfig, Option<String>), ConfigError> {
    let mut config = load_file(path)?;
    let mut note = None;
    if config.delivery.email.password_in_store {
        match passwords.get(MAIL_PASSWORD_KEY) {
            Ok(Some(p)) => config.delivery.email.password = Redacted::new(p),
            Ok(None) => {
                note = Some(format!(
                    "the mail server's password is not in {}: enter it again in Settings › Alarms",
                    passwords.name()
                ))
            }
            Err(e) => {
                note = Some(format!(
                    "cannot read the mail server's password: {e}; mail alarms go without it"
                ))
            }
        }
    }
    Ok((config, note))
}

/// Saves `config`, the mail password in `passwords` when it answers (else in the file, which
/// is readable by the user only); what became of the password, in words.
pub fn save_with(
    path: &Path,
    config: &AlarmsConfig,
    passwords: &crate::secrets::Passwords,
) -> Result<String, ConfigError> {
    let mut file = config.clone();
    let email = &mut file.delivery.email;
    let note = if email.password.is_empty() {
        email.password_in_store = false;
        if let Err(e) = passwords.delete(MAIL_PASSWORD_KEY) {
            tracing::warn!("cannot remove the old mail password from the store: {e}");
        }
        String::new()
    } else {
        match passwords.set(MAIL_PASSWORD_KEY, email.password.expose()) {
            Ok(()) => {
                email.password = Redacted::default();
                email.password_in_store = true;
                format!("The mail password is kept in {}.", passwords.name())
            }
            Err(e) => {
                email.password_in_store = false;
                format!(
                    "No credential store answers ({e}): the mail password is kept in {}, readable by you only.",
                    path.display()
                )
            }
        }
    };
    save(path, &file)?;
    Ok(note)
}

fn load_file(path: &Path) -> Result<AlarmsConfig, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(AlarmsConfig::default()),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.into(),
                source,
            });
        }
    };
    let config = parse(&text).map_err(|message| ConfigError::Parse {
        path: path.into(),
        message,
    })?;
    // Compiling finds bad patterns, hours and thresholds now, with the file's name.
    crate::alarm::rules::Rules::compile(&config).map_err(|message| ConfigError::Invalid {
        path: path.into(),
        message,
    })?;
    Ok(config)
}

/// Parses the file's text (without checking patterns and hours: [`load`] does).
pub fn parse(text: &str) -> Result<AlarmsConfig, String> {
    toml::from_str(text).map_err(|e| e.message().to_string())
}

/// Writes `path`, readable by the user only (it may hold the mail password).
pub fn save(path: &Path, config: &AlarmsConfig) -> Result<(), ConfigError> {
    let write = |source| ConfigError::Write {
        path: path.into(),
        source,
    };
    let text = toml::to_string_pretty(config).map_err(|e| write(io::Error::other(e)))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    let tmp = path.with_extension("toml.tmp");
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp).map_err(write)?;
        f.write_all(text.as_bytes()).map_err(write)?;
        f.sync_all().map_err(write)?;
    }
    std::fs::rename(&tmp, path).map_err(write)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::pattern::Preset;

    #[test]
    fn no_file_gives_the_defaults() {
        let c = load(Path::new("/nonexistent/alarms.toml")).unwrap();
        assert_eq!(c, AlarmsConfig::default());
        let on: Vec<&str> = c
            .rules
            .iter()
            .filter(|r| r.enabled)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            on,
            [
                "Emergency call",
                "Site down",
                "Site silent",
                "Raw log cannot be written"
            ]
        );
        assert!(c.rules.iter().any(|r| r.kind
            == RuleKind::SiteDown(SiteDownRule {
                minutes: 15,
                seconds: 0
            })));
        assert!(c.rules.iter().any(|r| r.kind
            == RuleKind::SiteSilent(SiteSilentRule {
                minutes: 60,
                seconds: 0
            })));
        assert_eq!(c.outside_line, ["9", "8"]);
    }

    #[test]
    fn a_small_file_takes_defaults_for_the_rest() {
        let c = parse(
            r#"
            outside_line = ["9"]
            [hours]
            time_zone = "Europe/London"
            saturday = "09:00-13:00"
            holidays = ["2026-12-25"]

            [[rules]]
            name = "Toll fraud"
            kind = "number"
            sites = ["HQ"]
            severity = "critical"
            presets = ["international", "premium"]
            numbers = ["1-NXX-555-XXXX"]

            [[rules]]
            name = "Night calls"
            kind = "after-hours"

            [[rules]]
            name = "Queue"
            kind = "abandon-burst"
            per = "ddi"
            callers = 3

            [[rules]]
            name = "Raw"
            kind = "raw-log"

            [delivery.email]
            server = "mail.example.com"
            user = "alarms@example.com"
            password = "hunter2"
            to = ["tech@example.com"]
            "#,
        )
        .unwrap();
        assert_eq!(c.outside_line, ["9"]);
        assert_eq!(c.hours.monday, "08:00-18:00");
        assert_eq!(c.hours.saturday, "09:00-13:00");
        assert_eq!(c.rules.len(), 4);
        let r = &c.rules[0];
        assert_eq!((r.enabled, r.severity), (true, Severity::Critical));
        assert_eq!(r.sites, Sites::Only(vec!["HQ".into()]));
        let RuleKind::Number(n) = &r.kind else {
            panic!("{r:?}")
        };
        assert_eq!(n.presets, [Preset::International, Preset::Premium]);
        assert!(n.after_outside_line);
        assert_eq!(c.rules[1].sites, Sites::All);
        assert_eq!(c.rules[1].severity, Severity::Warning);
        assert_eq!(
            c.rules[2].kind,
            RuleKind::AbandonBurst(AbandonBurstRule {
                callers: 3,
                minutes: 10,
                per: BurstScope::Ddi
            })
        );
        assert_eq!(c.rules[3].kind, RuleKind::RawLog);
        assert_eq!(c.delivery.email.port(), 587);
        assert!(c.delivery.log);
        // The mail user and password never show in Debug output.
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("alarms@example.com"),
            "{shown}"
        );
    }

    #[test]
    fn saved_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alarms.toml");
        let mut c = AlarmsConfig::default();
        c.site_hours.insert(
            "HQ".into(),
            BusinessHours {
                time_zone: "America/New_York".into(),
                ..BusinessHours::default()
            },
        );
        c.rules[1].sites = Sites::Only(vec!["HQ".into(), "Branch".into()]);
        c.delivery.webhook.url = "https://hooks.example.com/T000/B000/XXXX".into();
        save(&path, &c).unwrap();
        assert_eq!(load(&path).unwrap(), c);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
        }
    }

    #[test]
    fn mistakes_are_named() {
        let e =
            parse("[[rules]]\nname = \"x\"\nkind = \"number\"\nsites = \"some\"\n").unwrap_err();
        assert!(e.contains("write \"all\" or a list"), "{e}");
        let e = parse("[[rules]]\nname = \"x\"\nkind = \"loud-call\"\n").unwrap_err();
        assert!(e.contains("loud-call"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alarms.toml");
        std::fs::write(
            &path,
            "[[rules]]\nname = \"Toll\"\nkind = \"number\"\nnumbers = [\"1-9OO\"]\n",
        )
        .unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("rule \"Toll\"") && e.contains("1-9OO"), "{e}");
    }

    #[test]
    fn urls_are_shown_as_far_as_the_host() {
        assert_eq!(
            shown_url("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            shown_url("http://user:pw@10.0.0.5:8080/x"),
            "http://10.0.0.5:8080/…"
        );
        assert_eq!(shown_url("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
        assert_eq!(shown_url("http://127.0.0.1:9000/"), "http://127.0.0.1:9000");
        let w = WebhookConfig {
            url: "https://hooks.example.com/secret-key".into(),
            ..WebhookConfig::default()
        };
        assert!(!format!("{w:?}").contains("secret-key"));
    }
}
