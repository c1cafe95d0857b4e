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

use super::config::{AlarmsConfig, CallDirection, NumberField, RuleKind, Severity, Sites};
use super::facts::{self, Dir, Facts};
use super::hours::Hours;
use super::pattern::{Digits, Matcher, Pattern};
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

#[derive(Debug, Clone)]
struct Compiled {
    name: Arc<str>,
    severity: Severity,
    enabled: bool,
    sites: Sites,
    kind: RuleKind,
}

/// The rules of an [`AlarmsConfig`], compiled: patterns parsed and bucketed, hours parsed.
#[derive(Debug, Clone)]
pub struct Rules {
    rules: Vec<Compiled>,
    numbers: Matcher,
    after_hours: Vec<(u32, Option<Matcher>)>,
    long_calls: Vec<u32>,
    bursts: Vec<u32>,
    repeats: Vec<u32>,
    downs: Vec<u32>,
    silents: Vec<u32>,
    raw_logs: Vec<u32>,
    hours: Hours,
    site_hours: Vec<(String, Hours)>,
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
        if !rules.iter().any(|x| x.kind == RuleKind::RawLog) {
            if let Some(raw) = super::config::default_rules()
                .into_iter()
                .find(|x| x.kind == RuleKind::RawLog)
            {
                rules.push(raw);
            }
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

    fn hours_index(&self, site: &str) -> Option<u32> {
        self.site_hours
            .iter()
            .position(|(name, _)| name == site)
            .map(|i| i as u32)
    }

    fn hours(&self, index: Option<u32>) -> &Hours {
        index
            .and_then(|i| self.site_hours.get(i as usize))
            .map_or(&self.hours, |(_, h)| h)
    }
}

#[derive(Debug)]
struct SiteState {
    name: Arc<str>,
    /// Per rule: enabled and watching this site.
    applies: Vec<bool>,
    hours: Option<u32>,
    link: Link,
    link_since: Option<DateTime<FixedOffset>>,
    last_record: Option<DateTime<FixedOffset>>,
    /// Rules that fired for the current outage or silence (one alarm each).
    down_fired: Vec<u32>,
    silent_fired: Vec<u32>,
    raw_failing: bool,
}

/// What a fired alarm was about, for "one alarm per call (or record) per rule".
type FiredKey = (u32, u32, u64);

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
        }
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
        let mut ctx = RecordCtx {
            rules: &self.rules,
            site: &self.sites[s],
            s: s as u32,
            fired: &mut self.fired,
            received,
            clock: self.clock,
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
            let at = self.instant(site, end);
            out.push(alarm(
                rule,
                site,
                at,
                text,
                None,
                Some(call.call_id.clone()),
            ));
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
            let at = self.instant(site, when);
            out.push(alarm(
                rule,
                site,
                at,
                text,
                None,
                Some(call.call_id.clone()),
            ));
        }
    }

    /// A site wall-clock time as an instant (the latest clock's offset when the site has no
    /// zone).
    fn instant(&self, site: &SiteState, t: NaiveDateTime) -> DateTime<FixedOffset> {
        let offset = self.clock.map_or(utc(), |c| *c.offset());
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
                    for &i in &rules.downs {
                        let rule = &rules.rules[i as usize];
                        let RuleKind::SiteDown(d) = &rule.kind else {
                            continue;
                        };
                        if !site.applies[i as usize]
                            || now - since < Duration::seconds(i64::from(d.threshold_s()))
                            || site.down_fired.contains(&i)
                        {
                            continue;
                        }
                        site.down_fired.push(i);
                        let since_local = rules.hours(site.hours).local(since);
                        let text = words::down(&site.name, d.threshold_s(), since_local);
                        out.push(alarm(rule, site, now, text, None, None));
                    }
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
                    for &i in &rules.silents {
                        let rule = &rules.rules[i as usize];
                        let RuleKind::SiteSilent(q) = &rule.kind else {
                            continue;
                        };
                        if !site.applies[i as usize]
                            || now - since < Duration::seconds(i64::from(q.threshold_s()))
                            || site.silent_fired.contains(&i)
                        {
                            continue;
                        }
                        site.silent_fired.push(i);
                        let text = words::silent(&site.name, q.threshold_s(), hours.local(since));
                        out.push(alarm(rule, site, now, text, None, None));
                    }
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

enum Subject<'a> {
    Ddi(&'a str),
    Caller(&'a str),
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!())
}

fn applies(rules: &Rules, site: &str) -> Vec<bool> {
    rules
        .rules
        .iter()
        .map(|r| r.enabled && r.sites.includes(site))
        .collect()
}

fn hash(x: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

fn direction_allowed(allowed: &[CallDirection], d: Dir) -> bool {
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

fn alarm(
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

/// One record being evaluated.
struct RecordCtx<'a, 'f> {
    rules: &'a Rules,
    site: &'a SiteState,
    s: u32,
    fired: &'a mut HashMap<FiredKey, NaiveDateTime>,
    received: Option<DateTime<FixedOffset>>,
    clock: Option<DateTime<FixedOffset>>,
    text: &'a str,
    facts: &'a Facts<'f>,
    out: &'a mut Vec<Alarm>,
}

impl RecordCtx<'_, '_> {
    fn hours(&self) -> &Hours {
        self.rules.hours(self.site.hours)
    }

    /// The call's time on the site's clock: as printed, else the receipt time there.
    fn when(&self) -> Option<NaiveDateTime> {
        self.facts
            .when
            .or_else(|| self.received.map(|r| self.hours().local(r)))
    }

    /// Whether rule `i` already fired for this call (App Suite) or record; marks it if not.
    fn first_time(&mut self, i: u32) -> bool {
        let subject = match self.facts.call_id {
            Some(id) => hash(id),
            None => hash((self.received, self.text)),
        };
        let when = self.when().unwrap_or_default();
        self.fired.insert((self.s, i, subject), when).is_none()
    }

    fn raise(&mut self, i: u32, text: String) {
        let rule = &self.rules.rules[i as usize];
        let at = self
            .received
            .or_else(|| {
                let offset = self.clock.map_or(utc(), |c| *c.offset());
                self.facts.when.map(|w| self.hours().instant(w, offset))
            })
            .or(self.clock)
            .unwrap_or_default();
        let record = RecordRef {
            received: self.received,
            text: self.text.to_string(),
            source: None,
        };
        let call_id = self.facts.call_id.map(str::to_string);
        self.out
            .push(alarm(rule, self.site, at, text, Some(record), call_id));
    }

    fn numbers(&mut self) {
        if self.rules.numbers.is_empty() {
            return;
        }
        let f = *self.facts;
        for (number, field) in [
            (f.dialled, NumberField::Dialled),
            (f.calling, NumberField::Calling),
        ] {
            if number.is_empty() {
                continue;
            }
            let digits = Digits::new(number);
            let rules = self.rules;
            let mut hits = [None; 4];
            let mut n = 0;
            rules.numbers.each_hit(&digits, |hit| {
                let i = hit.owner as usize;
                let RuleKind::Number(rule) = &rules.rules[i].kind else {
                    return;
                };
                let wanted = rule.field == field || rule.field == NumberField::Either;
                if wanted && self.site.applies[i] && n < hits.len() {
                    hits[n] = Some(hit);
                    n += 1;
                }
            });
            for hit in hits.into_iter().flatten() {
                if !self.first_time(hit.owner) {
                    continue;
                }
                let text = match field {
                    NumberField::Calling => words::calling(&f, number, &self.site.name),
                    _ => words::dialled(&f, number, &hit, &self.site.name),
                };
                self.raise(hit.owner, text);
            }
        }
    }

    fn after_hours(&mut self) {
        let f = *self.facts;
        if self.rules.after_hours.is_empty() || f.direction != Dir::Out || f.dialled.is_empty() {
            return;
        }
        let Some(when) = self.when() else {
            return;
        };
        let rules = self.rules;
        for (i, filter) in &rules.after_hours {
            if !self.site.applies[*i as usize] || self.hours().is_open(when) {
                continue;
            }
            if let Some(m) = filter
                && m.first_hit(&Digits::new(f.dialled)).is_none()
            {
                continue;
            }
            if self.first_time(*i) {
                let text = words::after_hours(&f, when, &self.site.name);
                self.raise(*i, text);
            }
        }
    }

    fn long_call(&mut self) {
        let f = *self.facts;
        let Some(length) = f.duration_s else {
            return;
        };
        let rules = self.rules;
        for &i in &rules.long_calls {
            let RuleKind::LongCall(l) = &rules.rules[i as usize].kind else {
                continue;
            };
            let typed = l.call_types.is_empty()
                || l.call_types
                    .iter()
                    .any(|t| t.trim().eq_ignore_ascii_case(f.call_type.trim()));
            if !self.site.applies[i as usize]
                || length <= l.minutes.saturating_mul(60)
                || !typed
                || !direction_allowed(&l.directions, f.direction)
                || !self.first_time(i)
            {
                continue;
            }
            let number = if f.direction == Dir::In {
                f.calling
            } else {
                f.dialled
            };
            let started = f.when.map(|w| words::started(w, f.seconds));
            let text = words::long_call(
                f.extension,
                f.direction,
                number,
                length,
                l.minutes,
                started,
                &self.site.name,
            );
            self.raise(i, text);
        }
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
