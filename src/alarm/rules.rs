//! The rules of an [`AlarmsConfig`], compiled once: patterns parsed and bucketed by their first
//! digit, business hours parsed, each kind of rule listed for the inputs it concerns.

use std::sync::Arc;

use super::config::{AlarmsConfig, RuleKind, Severity, Sites};
use super::hours::Hours;
use super::pattern::{Matcher, Pattern};

#[derive(Debug, Clone)]
pub(super) struct Compiled {
    pub(super) name: Arc<str>,
    pub(super) severity: Severity,
    pub(super) enabled: bool,
    pub(super) sites: Sites,
    pub(super) kind: RuleKind,
}

/// The rules of an [`AlarmsConfig`], compiled: patterns parsed and bucketed, hours parsed.
#[derive(Debug, Clone)]
pub struct Rules {
    pub(super) rules: Vec<Compiled>,
    pub(super) numbers: Matcher,
    pub(super) after_hours: Vec<(u32, Option<Matcher>)>,
    pub(super) long_calls: Vec<u32>,
    pub(super) bursts: Vec<u32>,
    pub(super) repeats: Vec<u32>,
    pub(super) downs: Vec<u32>,
    pub(super) silents: Vec<u32>,
    pub(super) raw_logs: Vec<u32>,
    pub(super) hours: Hours,
    pub(super) site_hours: Vec<(String, Hours)>,
}

impl Rules {
    /// Compiles `config`; errors name the rule or site and say what is wrong.
    pub fn compile(config: &AlarmsConfig) -> Result<Self, String> {
        let outside = &config.outside_line;
        let mut numbers = Matcher::new(outside).map_err(|e| format!("outside_line: {e}"))?;
        let mut r = Self {
            rules: Vec::new(),
            numbers: Matcher::default(),
            after_hours: Vec::new(),
            long_calls: Vec::new(),
            bursts: Vec::new(),
            repeats: Vec::new(),
            downs: Vec::new(),
            silents: Vec::new(),
            raw_logs: Vec::new(),
            hours: Hours::compile(&config.hours).map_err(|e| format!("[hours] {e}"))?,
            site_hours: Vec::new(),
        };
        for (site, h) in &config.site_hours {
            let hours = Hours::compile(h).map_err(|e| format!("hours of site {site:?}: {e}"))?;
            r.site_hours.push((site.clone(), hours));
        }
        let mut rules = config.rules.clone();
        // The raw-log rule is always on: added when the file has none.
        if !rules.iter().any(|x| x.kind == RuleKind::RawLog)
            && let Some(raw) = super::config::default_rules()
                .into_iter()
                .find(|x| x.kind == RuleKind::RawLog)
        {
            rules.push(raw);
        }
        for (i, rule) in rules.iter().enumerate() {
            let name = rule.name.trim();
            let err = |m: String| format!("rule {name:?}: {m}");
            if name.is_empty() {
                return Err(format!(
                    "rule {} has no name: every rule needs one (alarms say it)",
                    i + 1
                ));
            }
            if rules[..i].iter().any(|x| x.name.trim() == name) {
                return Err(format!(
                    "two rules are named {name:?}: each rule needs its own name"
                ));
            }
            let owner = i as u32;
            let positive = |what: &str, v: u32| {
                if v == 0 {
                    Err(err(format!("{what} must be more than 0")))
                } else {
                    Ok(())
                }
            };
            match &rule.kind {
                RuleKind::Number(n) => {
                    if n.presets.is_empty() && n.numbers.is_empty() {
                        return Err(err("give presets or numbers to match".into()));
                    }
                    for p in &n.presets {
                        numbers.add_preset(owner, *p, n.after_outside_line);
                    }
                    for text in &n.numbers {
                        let p = Pattern::parse(text).map_err(|e| err(e.to_string()))?;
                        numbers.add(owner, p, None, n.after_outside_line);
                    }
                }
                RuleKind::AfterHours(a) => {
                    let filter = if a.presets.is_empty() && a.numbers.is_empty() {
                        None
                    } else {
                        let mut m = Matcher::new(outside).map_err(|e| err(e.to_string()))?;
                        for p in &a.presets {
                            m.add_preset(owner, *p, true);
                        }
                        for text in &a.numbers {
                            let p = Pattern::parse(text).map_err(|e| err(e.to_string()))?;
                            m.add(owner, p, None, true);
                        }
                        Some(m)
                    };
                    r.after_hours.push((owner, filter));
                }
                RuleKind::LongCall(l) => {
                    positive("minutes", l.minutes)?;
                    r.long_calls.push(owner);
                }
                RuleKind::AbandonBurst(b) => {
                    positive("callers", b.callers)?;
                    positive("minutes", b.minutes)?;
                    r.bursts.push(owner);
                }
                RuleKind::RepeatAbandon(b) => {
                    positive("times", b.times)?;
                    positive("minutes", b.minutes)?;
                    r.repeats.push(owner);
                }
                RuleKind::SiteDown(d) => {
                    positive("minutes", d.threshold_s())?;
                    r.downs.push(owner);
                }
                RuleKind::SiteSilent(s) => {
                    positive("minutes", s.threshold_s())?;
                    r.silents.push(owner);
                }
                RuleKind::RawLog => r.raw_logs.push(owner),
            }
            r.rules.push(Compiled {
                name: name.into(),
                severity: rule.severity,
                // Always on: a log that cannot be written loses the customer's records.
                enabled: rule.enabled || rule.kind == RuleKind::RawLog,
                sites: if rule.kind == RuleKind::RawLog {
                    Sites::All
                } else {
                    rule.sites.clone()
                },
                kind: rule.kind.clone(),
            });
        }
        r.numbers = numbers;
        Ok(r)
    }

    /// The rules' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| &*r.name)
    }

    pub(super) fn hours_index(&self, site: &str) -> Option<u32> {
        self.site_hours
            .iter()
            .position(|(name, _)| name == site)
            .map(|i| i as u32)
    }

    pub(super) fn hours(&self, index: Option<u32>) -> &Hours {
        index
            .and_then(|i| self.site_hours.get(i as usize))
            .map_or(&self.hours, |(_, h)| h)
    }
}

/// Per rule: whether it is on and watches `site`.
pub(super) fn applies(rules: &Rules, site: &str) -> Vec<bool> {
    rules
        .rules
        .iter()
        .map(|r| r.enabled && r.sites.includes(site))
        .collect()
}
