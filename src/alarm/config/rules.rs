//! The rules of `alarms.toml`: which sites, how serious, and what each kind looks for.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Severity;
use crate::alarm::pattern::Preset;

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

/// `seconds` when set (demos and tests), else `minutes`.
fn threshold_s(minutes: u32, seconds: u32) -> u32 {
    if seconds > 0 {
        seconds
    } else {
        minutes.saturating_mul(60)
    }
}

impl SiteDownRule {
    /// How long before the alarm, in seconds.
    pub fn threshold_s(&self) -> u32 {
        threshold_s(self.minutes, self.seconds)
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
        threshold_s(self.minutes, self.seconds)
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
