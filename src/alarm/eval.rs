//! The evaluator: rules compiled once, then fed what the engine sees, in the order it sees it.
//! Pure: no I/O, no clock (times come with the inputs), no tokio.
//!
//! - [`Evaluator::record`] for every decoded record as it arrives: number, after-hours and (5000,
//!   MiVB) long-call rules. An App Suite call fires on the first event that shows the match (an
//!   outgoing RINGING to 911), and its later events do not fire again: one alarm per call per
//!   rule; a 5000 or MiVB record fires when it arrives.
//! - [`Evaluator::call`] for every call the call tracker adds or changes: abandoned callers
//!   (every format), App Suite long calls.
//! - [`Evaluator::link`] when a site connects or loses its connection, [`Evaluator::tick`]
//!   every few seconds: site down, site silent.
//! - [`Evaluator::raw_log`] when a site's raw day log fails or works again.
//!
//! A record that matches no rule costs a site look-up, the number's digits copied to the stack
//! and one bucket of patterns tried: no allocation.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime};

use super::config::{AlarmsConfig, CallDirection, RuleKind, Severity};
use super::facts::{self, Dir};
use super::record::RecordCtx;
use super::rules::{Compiled, Rules, applies};
use super::{Alarm, RecordRef, words};
use crate::protocol::{Decoded, Record};
use crate::timeline::{Call, Outcome, is_incoming, seconds};

/// A site's connection, as the engine reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// Connected (or, in push mode, the server connected to us).
    Up,
    /// Not connected: connecting, retrying, listening for a server that has not come.
    Down,
    /// Not watched: stopped or paused by the user, or never reported.
    #[default]
    Off,
}

#[derive(Debug)]
pub(super) struct SiteState {
    pub(super) name: Arc<str>,
    /// Per rule: enabled and watching this site.
    pub(super) applies: Vec<bool>,
    pub(super) hours: Option<u32>,
    pub(super) link: Link,
    pub(super) link_since: Option<DateTime<FixedOffset>>,
    pub(super) last_record: Option<DateTime<FixedOffset>>,
    /// Rules that fired for the current outage or silence (one alarm each).
    pub(super) down_fired: Vec<u32>,
    pub(super) silent_fired: Vec<u32>,
    pub(super) raw_failing: bool,
}

/// What a fired alarm was about, for "one alarm per call (or record) per rule".
pub(super) type FiredKey = (u32, u32, u64);

/// The evaluator. See the module documentation for what to feed it.
#[derive(Debug)]
pub struct Evaluator {
    rules: Rules,
    sites: Vec<SiteState>,
    by_name: HashMap<Box<str>, u32>,
    last_site: Option<u32>,
    /// (site, rule, subject) → when (site wall clock), for de-duplication and, for abandon
    /// rules, the calls already counted.
    fired: HashMap<FiredKey, NaiveDateTime>,
    /// (site, rule, DDI or caller) → times of abandoned calls in the rule's window.
    windows: HashMap<FiredKey, VecDeque<NaiveDateTime>>,
    /// The latest time seen (receipt times, ticks, link changes).
    clock: Option<DateTime<FixedOffset>>,
    /// The computer's offset from UTC, for printed times of sites without a zone before any
    /// clock is known (saved logs without receipt times).
    offset: FixedOffset,
}

/// How long "one alarm per call" is remembered: longer than any call.
const REMEMBER: Duration = Duration::hours(48);

impl Evaluator {
    pub fn new(config: &AlarmsConfig) -> Result<Self, String> {
        Ok(Self::with_rules(Rules::compile(config)?))
    }

    pub fn with_rules(rules: Rules) -> Self {
        Self {
            rules,
            sites: Vec::new(),
            by_name: HashMap::new(),
            last_site: None,
            fired: HashMap::new(),
            windows: HashMap::new(),
            clock: None,
            offset: utc(),
        }
    }

    /// The computer's offset from UTC (`Local::now().offset()`): printed times of sites without
    /// a zone of their own are read in it until receipt times say otherwise.
    pub fn set_local_offset(&mut self, offset: FixedOffset) {
        self.offset = offset;
    }

    /// The offset of the latest clock, else the computer's.
    fn offset(&self) -> FixedOffset {
        self.clock.map_or(self.offset, |c| *c.offset())
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// New rules (Settings › Alarms saved). Connection states stay; what fired and the abandon
    /// windows start again.
    pub fn set_rules(&mut self, rules: Rules) {
        self.rules = rules;
        self.fired.clear();
        self.windows.clear();
        for s in &mut self.sites {
            s.applies = applies(&self.rules, &s.name);
            s.hours = self.rules.hours_index(&s.name);
            s.down_fired.clear();
            s.silent_fired.clear();
        }
    }

    fn site_index(&mut self, site: &Arc<str>) -> usize {
        if let Some(i) = self.last_site
            && let Some(s) = self.sites.get(i as usize)
            && (Arc::ptr_eq(&s.name, site) || s.name == *site)
        {
            return i as usize;
        }
        let i = match self.by_name.get(&**site) {
            Some(&i) => i,
            None => {
                let i = self.sites.len() as u32;
                self.sites.push(SiteState {
                    name: site.clone(),
                    applies: applies(&self.rules, site),
                    hours: self.rules.hours_index(site),
                    link: Link::Off,
                    link_since: None,
                    last_record: None,
                    down_fired: Vec::new(),
                    silent_fired: Vec::new(),
                    raw_failing: false,
                });
                self.by_name.insert(site.as_ref().into(), i);
                i
            }
        };
        self.last_site = Some(i);
        i as usize
    }

    fn advance(&mut self, t: DateTime<FixedOffset>) {
        if self.clock.is_none_or(|c| c < t) {
            self.clock = Some(t);
        }
    }

    /// An owned record (what collectors send).
    pub fn record_owned(&mut self, r: &Record, out: &mut Vec<Alarm>) {
        self.record(&r.site, r.received, &r.decode(), out);
    }

    /// A decoded record as it arrives; alarms are appended to `out`.
    pub fn record(
        &mut self,
        site: &Arc<str>,
        received: Option<DateTime<FixedOffset>>,
        d: &Decoded<'_>,
        out: &mut Vec<Alarm>,
    ) {
        let s = self.site_index(site);
        if let Some(t) = received {
            self.advance(t);
            let st = &mut self.sites[s];
            if st.last_record.is_none_or(|l| l < t) {
                st.last_record = Some(t);
            }
            st.silent_fired.clear();
        }
        let Some(f) = facts::of(d) else {
            return;
        };
        let offset = self.offset();
        let mut ctx = RecordCtx {
            rules: &self.rules,
            site: &self.sites[s],
            s: s as u32,
            fired: &mut self.fired,
            received,
            clock: self.clock,
            offset,
            text: d.text,
            facts: &f,
            out,
        };
        ctx.numbers();
        ctx.after_hours();
        ctx.long_call();
    }

    /// A call the call tracker added or changed.
    pub fn call(&mut self, call: &Call, out: &mut Vec<Alarm>) {
        let s = self.site_index(&call.site);
        self.long_app_suite_call(s, call, out);
        if call.outcome == Outcome::Abandoned && is_incoming(call) {
            self.abandoned(s, call, out);
        }
    }

    fn long_app_suite_call(&mut self, s: usize, call: &Call, out: &mut Vec<Alarm>) {
        // 5000 and MiVB calls are judged on their record, which has the call's length.
        if call.format != crate::protocol::Format::AppSuite || self.rules.long_calls.is_empty() {
            return;
        }
        let end = call.end.unwrap_or_else(|| call.last_event_at());
        let length = seconds(call.start, end);
        let direction = Dir::of_call(&call.direction);
        let site = &self.sites[s];
        for &i in &self.rules.long_calls {
            let rule = &self.rules.rules[i as usize];
            let RuleKind::LongCall(l) = &rule.kind else {
                continue;
            };
            // Call types are the 5000's: an App Suite call has none.
            if !site.applies[i as usize]
                || length <= l.minutes.saturating_mul(60)
                || !l.call_types.is_empty()
                || !direction_allowed(&l.directions, direction)
            {
                continue;
            }
            let key = (s as u32, i, hash(&call.call_id));
            if self.fired.contains_key(&key) {
                continue;
            }
            self.fired.insert(key, end);
            let extension = call.path.first().map_or("", |e| e.as_str());
            let text = words::long_call(
                extension,
                direction,
                &call.number,
                length,
                l.minutes,
                Some(words::started(call.start, true)),
                &site.name,
            );
            out.push(self.call_alarm(rule, site, end, text, call));
        }
    }

    fn abandoned(&mut self, s: usize, call: &Call, out: &mut Vec<Alarm>) {
        let when = call.end.unwrap_or_else(|| call.last_event_at());
        // A 5000 call id (trunk and minute) may name two calls: the start and caller tell them
        // apart.
        let call_key = hash((&call.call_id, call.start, &call.number));
        let site = &self.sites[s];
        for &i in self.rules.bursts.iter().chain(&self.rules.repeats) {
            let rule = &self.rules.rules[i as usize];
            if !site.applies[i as usize] {
                continue;
            }
            let (count, minutes, window, what) = match &rule.kind {
                RuleKind::AbandonBurst(b) => {
                    let ddi =
                        (b.per == super::config::BurstScope::Ddi).then_some(call.ddi.as_str());
                    (
                        b.callers,
                        b.minutes,
                        ddi.map_or(0, hash),
                        ddi.map(Subject::Ddi),
                    )
                }
                RuleKind::RepeatAbandon(r) if !call.number.is_empty() => (
                    r.times,
                    r.minutes,
                    hash(&call.number),
                    Some(Subject::Caller(&call.number)),
                ),
                _ => continue,
            };
            // Each call counts once, however often it changes.
            if self.fired.insert((s as u32, i, call_key), when).is_some() {
                continue;
            }
            let times = self.windows.entry((s as u32, i, window)).or_default();
            let at = times.partition_point(|&t| t <= when);
            times.insert(at, when);
            let from = when - Duration::minutes(i64::from(minutes));
            while times.front().is_some_and(|&t| t < from) {
                times.pop_front();
            }
            if times.len() < count as usize {
                continue;
            }
            let n = times.len();
            times.clear();
            let text = match what {
                Some(Subject::Caller(number)) => {
                    words::repeat(number, n, minutes, &site.name, when)
                }
                Some(Subject::Ddi(ddi)) => words::burst(
                    n,
                    minutes,
                    &site.name,
                    Some(ddi).filter(|d| !d.is_empty()),
                    when,
                ),
                None => words::burst(n, minutes, &site.name, None, when),
            };
            out.push(self.call_alarm(rule, site, when, text, call));
        }
    }

    /// An alarm about `call`, at the site wall-clock time `t`.
    fn call_alarm(
        &self,
        rule: &Compiled,
        site: &SiteState,
        t: NaiveDateTime,
        text: String,
        call: &Call,
    ) -> Alarm {
        let at = self.instant(site, t);
        alarm(rule, site, at, text, None, Some(call.call_id.clone()))
    }

    /// A site wall-clock time as an instant (the latest clock's offset when the site has no
    /// zone).
    fn instant(&self, site: &SiteState, t: NaiveDateTime) -> DateTime<FixedOffset> {
        let offset = self.offset();
        self.rules.hours(site.hours).instant(t, offset)
    }

    /// A site connected or lost its connection (or was stopped: [`Link::Off`]).
    pub fn link(&mut self, site: &Arc<str>, link: Link, at: DateTime<FixedOffset>) {
        self.advance(at);
        let s = self.site_index(site);
        let st = &mut self.sites[s];
        if st.link != link {
            st.link = link;
            st.link_since = Some(at);
            st.down_fired.clear();
            st.silent_fired.clear();
        }
    }

    /// A site's raw day log failed (`Some(why)`) or works again (`None`). One alarm per failure.
    pub fn raw_log(
        &mut self,
        site: &Arc<str>,
        error: Option<&str>,
        at: DateTime<FixedOffset>,
        out: &mut Vec<Alarm>,
    ) {
        self.advance(at);
        let s = self.site_index(site);
        let st = &mut self.sites[s];
        let Some(error) = error else {
            st.raw_failing = false;
            return;
        };
        if std::mem::replace(&mut st.raw_failing, true) {
            return;
        }
        let st = &self.sites[s];
        for &i in &self.rules.raw_logs {
            let rule = &self.rules.rules[i as usize];
            let text = words::raw_log(&st.name, error);
            out.push(alarm(rule, st, at, text, None, None));
        }
    }

    /// Every few seconds: sites down or silent for long enough.
    pub fn tick(&mut self, now: DateTime<FixedOffset>, out: &mut Vec<Alarm>) {
        self.advance(now);
        let rules = &self.rules;
        for site in &mut self.sites {
            match site.link {
                Link::Down => {
                    let Some(since) = site.link_since else {
                        continue;
                    };
                    fire_due(
                        rules,
                        Quiet::Down,
                        site,
                        now - since,
                        |rule, site, threshold| {
                            let since_local = rules.hours(site.hours).local(since);
                            let text = words::down(&site.name, threshold, since_local);
                            out.push(alarm(rule, site, now, text, None, None));
                        },
                    );
                }
                Link::Up if !rules.silents.is_empty() => {
                    let hours = rules.hours(site.hours);
                    let Some(open) = hours.open_since(hours.local(now)) else {
                        continue;
                    };
                    let open = hours.instant(open, *now.offset());
                    let since = [site.link_since, site.last_record, Some(open)]
                        .into_iter()
                        .flatten()
                        .max()
                        .unwrap_or(now);
                    fire_due(
                        rules,
                        Quiet::Silent,
                        site,
                        now - since,
                        |rule, site, threshold| {
                            let text = words::silent(&site.name, threshold, hours.local(since));
                            out.push(alarm(rule, site, now, text, None, None));
                        },
                    );
                }
                _ => {}
            }
        }
        let horizon = now.naive_local() - REMEMBER;
        self.fired.retain(|_, t| *t > horizon);
        self.windows
            .retain(|_, q| q.back().is_some_and(|&t| t > horizon));
    }
}

/// The two rules about a site that says nothing: down (not connected) and silent (connected,
/// open, no records).
#[derive(Clone, Copy)]
enum Quiet {
    Down,
    Silent,
}

/// Calls `fire` with each `quiet` rule that watches `site` and whose threshold (given along)
/// `elapsed` has reached, once per outage or silence: a fired rule is remembered in the site.
fn fire_due(
    rules: &Rules,
    quiet: Quiet,
    site: &mut SiteState,
    elapsed: Duration,
    mut fire: impl FnMut(&Compiled, &SiteState, u32),
) {
    let list = match quiet {
        Quiet::Down => &rules.downs,
        Quiet::Silent => &rules.silents,
    };
    for &i in list {
        let rule = &rules.rules[i as usize];
        let threshold = match (quiet, &rule.kind) {
            (Quiet::Down, RuleKind::SiteDown(d)) => d.threshold_s(),
            (Quiet::Silent, RuleKind::SiteSilent(q)) => q.threshold_s(),
            _ => continue,
        };
        let fired = match quiet {
            Quiet::Down => &mut site.down_fired,
            Quiet::Silent => &mut site.silent_fired,
        };
        if !site.applies[i as usize]
            || elapsed < Duration::seconds(i64::from(threshold))
            || fired.contains(&i)
        {
            continue;
        }
        fired.push(i);
        fire(rule, site, threshold);
    }
}

enum Subject<'a> {
    Ddi(&'a str),
    Caller(&'a str),
}

pub(super) fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!())
}

pub(super) fn hash(x: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

pub(super) fn direction_allowed(allowed: &[CallDirection], d: Dir) -> bool {
    allowed.is_empty()
        || allowed.iter().any(|&a| {
            matches!(
                (a, d),
                (CallDirection::In, Dir::In)
                    | (CallDirection::Out, Dir::Out)
                    | (CallDirection::Internal, Dir::Internal)
            )
        })
}

pub(super) fn alarm(
    rule: &Compiled,
    site: &SiteState,
    at: DateTime<FixedOffset>,
    text: String,
    record: Option<RecordRef>,
    call_id: Option<String>,
) -> Alarm {
    Alarm {
        at,
        site: site.name.to_string(),
        rule: rule.name.to_string(),
        severity: rule.severity,
        text,
        record,
        call_id,
        test: false,
    }
}

/// A test alarm for `rule` (the first enabled number rule, else the first rule, when `None`):
/// what "Send test alarm" and `alarms test` deliver.
pub fn test_alarm(
    config: &AlarmsConfig,
    rule: Option<&str>,
    site: &str,
    at: DateTime<FixedOffset>,
) -> Result<Alarm, String> {
    let found = match rule {
        Some(name) => config.rules.iter().find(|r| r.name.trim() == name.trim()),
        None => config
            .rules
            .iter()
            .find(|r| r.enabled && matches!(r.kind, RuleKind::Number(_)))
            .or(config.rules.first()),
    };
    let (name, severity) = match (found, rule) {
        (Some(r), _) => (r.name.trim().to_string(), r.severity),
        (None, Some(name)) => {
            let names: Vec<String> = config
                .rules
                .iter()
                .map(|r| format!("{:?}", r.name))
                .collect();
            return Err(format!(
                "no rule is named {name:?}; the rules are {}",
                names.join(", ")
            ));
        }
        (None, None) => ("Test".to_string(), Severity::Info),
    };
    Ok(Alarm {
        at,
        site: site.to_string(),
        text: words::test(&name),
        rule: name,
        severity,
        record: None,
        call_id: None,
        test: true,
    })
}
