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

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::pattern::Preset;

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

/// Which sites a rule watches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Sites {
    #[default]
    All,
    Only(Vec<String>),
}

impl Sites {
    pub fn includes(&self, site: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(list) => list.iter().any(|s| s == site),
        }
    }
}

impl Serialize for Sites {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::All => s.serialize_str("all"),
            Self::Only(list) => list.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Sites {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Word(String),
            List(Vec<String>),
        }
        match Either::deserialize(d)? {
            Either::Word(w) if w.eq_ignore_ascii_case("all") => Ok(Self::All),
            Either::Word(w) => Err(serde::de::Error::custom(format!(
                "sites = {w:?}: write \"all\" or a list of site names, like [\"HQ\", \"Branch\"]"
            ))),
            Either::List(list) => Ok(Self::Only(list)),
        }
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub sites: Sites,
    #[serde(default)]
    pub severity: Severity,
    #[serde(flatten)]
    pub kind: RuleKind,
}

fn yes() -> bool {
    true
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// What a rule looks for; `kind = "…"` in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RuleKind {
    /// A dialled (or calling) number matching presets or patterns.
    Number(NumberRule),
    /// An outgoing call outside the site's business hours.
    AfterHours(AfterHoursRule),
    /// A call longer than N minutes.
    LongCall(LongCallRule),
    /// N callers abandoned within M minutes.
    AbandonBurst(AbandonBurstRule),
    /// One caller abandoned K times within M minutes.
    RepeatAbandon(RepeatAbandonRule),
    /// Not connected for N minutes.
    SiteDown(SiteDownRule),
    /// Connected, but no record for N minutes within business hours.
    SiteSilent(SiteSilentRule),
    /// The raw day log cannot be written (disk full, permissions): always on.
    RawLog,
}

impl RuleKind {
    /// For people: what the kind watches.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Number(_) => "dialled or calling number",
            Self::AfterHours(_) => "outgoing call outside business hours",
            Self::LongCall(_) => "long call",
            Self::AbandonBurst(_) => "abandoned callers",
            Self::RepeatAbandon(_) => "caller abandoned repeatedly",
            Self::SiteDown(_) => "site down",
            Self::SiteSilent(_) => "site silent",
            Self::RawLog => "raw log cannot be written",
        }
    }
}

/// Which number of a call a number rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum NumberField {
    /// The digits dialled on outgoing (and internal) calls.
    #[default]
    Dialled,
    /// The caller id of incoming calls.
    Calling,
    Either,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NumberRule {
    pub field: NumberField,
    pub presets: Vec<Preset>,
    /// Patterns: digits, `X` any digit, `N` 2–9, `*` any rest at the end (`pattern.rs`).
    pub numbers: Vec<String>,
    /// Also match dialled numbers after an outside-line digit (`9-911`).
    pub after_outside_line: bool,
}

impl Default for NumberRule {
    fn default() -> Self {
        Self {
            field: NumberField::Dialled,
            presets: Vec::new(),
            numbers: Vec::new(),
            after_outside_line: true,
        }
    }
}

/// Outgoing calls outside business hours; only to these numbers when any are given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AfterHoursRule {
    pub presets: Vec<Preset>,
    pub numbers: Vec<String>,
}

/// Call directions a long-call rule can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallDirection {
    In,
    Out,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LongCallRule {
    pub minutes: u32,
    /// Empty: every direction.
    pub directions: Vec<CallDirection>,
    /// 5000 call types (`TLD`, `O/I`…); empty: every call (App Suite and MiVB have none).
    pub call_types: Vec<String>,
}

impl Default for LongCallRule {
    fn default() -> Self {
        Self {
            minutes: 60,
            directions: Vec::new(),
            call_types: Vec::new(),
        }
    }
}

/// What abandoned callers are counted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BurstScope {
    #[default]
    Site,
    /// Each DDI / DID number of a site on its own.
    Ddi,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AbandonBurstRule {
    pub callers: u32,
    pub minutes: u32,
    pub per: BurstScope,
}

impl Default for AbandonBurstRule {
    fn default() -> Self {
        Self {
            callers: 5,
            minutes: 10,
            per: BurstScope::Site,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepeatAbandonRule {
    pub times: u32,
    pub minutes: u32,
}

impl Default for RepeatAbandonRule {
    fn default() -> Self {
        Self {
            times: 3,
            minutes: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteDownRule {
    pub minutes: u32,
    /// Instead of `minutes` when set (demos and tests).
    #[serde(skip_serializing_if = "is_zero")]
    pub seconds: u32,
}

impl Default for SiteDownRule {
    fn default() -> Self {
        Self {
            minutes: 15,
            seconds: 0,
        }
    }
}

impl SiteDownRule {
    /// How long before the alarm, in seconds.
    pub fn threshold_s(&self) -> u32 {
        if self.seconds > 0 {
            self.seconds
        } else {
            self.minutes.saturating_mul(60)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteSilentRule {
    pub minutes: u32,
    /// Instead of `minutes` when set (demos and tests).
    #[serde(skip_serializing_if = "is_zero")]
    pub seconds: u32,
}

impl Default for SiteSilentRule {
    fn default() -> Self {
        Self {
            minutes: 60,
            seconds: 0,
        }
    }
}

impl SiteSilentRule {
    /// How long before the alarm, in seconds.
    pub fn threshold_s(&self) -> u32 {
        if self.seconds > 0 {
            self.seconds
        } else {
            self.minutes.saturating_mul(60)
        }
    }
}

/// The rules when no file says otherwise.
pub fn default_rules() -> Vec<Rule> {
    let rule = |name: &str, enabled, severity, kind| Rule {
        name: name.into(),
        enabled,
        sites: Sites::All,
        severity,
        kind,
    };
    let number = |presets: Vec<Preset>| {
        RuleKind::Number(NumberRule {
            presets,
            ..NumberRule::default()
        })
    };
    use Severity::*;
    vec![
        rule(
            "Emergency call",
            true,
            Critical,
            number(vec![Preset::Emergency]),
        ),
        rule(
            "International call",
            false,
            Warning,
            number(vec![Preset::International]),
        ),
        rule(
            "Premium-rate call",
            false,
            Warning,
            number(vec![Preset::Premium]),
        ),
        rule(
            "Call outside business hours",
            false,
            Warning,
            RuleKind::AfterHours(AfterHoursRule::default()),
        ),
        rule(
            "Long call",
            false,
            Info,
            RuleKind::LongCall(LongCallRule::default()),
        ),
        rule(
            "Abandoned callers",
            false,
            Warning,
            RuleKind::AbandonBurst(AbandonBurstRule::default()),
        ),
        rule(
            "Caller abandoned repeatedly",
            false,
            Info,
            RuleKind::RepeatAbandon(RepeatAbandonRule::default()),
        ),
        rule(
            "Site down",
            true,
            Critical,
            RuleKind::SiteDown(SiteDownRule::default()),
        ),
        rule(
            "Site silent",
            true,
            Warning,
            RuleKind::SiteSilent(SiteSilentRule::default()),
        ),
        rule(
            "Raw log cannot be written",
            true,
            Critical,
            RuleKind::RawLog,
        ),
    ]
}

/// Text kept out of every log, status and `Debug` output (SMTP user and password).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The text itself: only for handing to the mail server.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "********"
        })
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

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
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            queue: 256,
            desktop: DesktopConfig::default(),
            webhook: WebhookConfig::default(),
            email: EmailConfig::default(),
            log: true,
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

/// `alarms.toml` beside `sites.toml` in the OS config folder.
pub fn default_alarms_path() -> PathBuf {
    crate::collect::default_config_path().with_file_name("alarms.toml")
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

/// Reads `path`; a missing file gives the defaults.
pub fn load(path: &Path) -> Result<AlarmsConfig, ConfigError> {
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
    super::eval::Rules::compile(&config).map_err(|message| ConfigError::Invalid {
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
