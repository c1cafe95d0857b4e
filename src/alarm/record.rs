//! The rules one record is judged by when it arrives: numbers, after hours, long calls.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime};

use super::config::{NumberField, RuleKind};
use super::eval::{FiredKey, SiteState, alarm, direction_allowed, hash};
use super::facts::{Dir, Facts};
use super::hours::Hours;
use super::pattern::Digits;
use super::rules::Rules;
use super::{Alarm, RecordRef, words};

/// One record being evaluated.
pub(super) struct RecordCtx<'a, 'f> {
    pub(super) rules: &'a Rules,
    pub(super) site: &'a SiteState,
    pub(super) s: u32,
    pub(super) fired: &'a mut HashMap<FiredKey, NaiveDateTime>,
    pub(super) received: Option<DateTime<FixedOffset>>,
    pub(super) clock: Option<DateTime<FixedOffset>>,
    pub(super) offset: FixedOffset,
    pub(super) text: &'a str,
    pub(super) facts: &'a Facts<'f>,
    pub(super) out: &'a mut Vec<Alarm>,
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
                self.facts
                    .when
                    .map(|w| self.hours().instant(w, self.offset))
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

    pub(super) fn numbers(&mut self) {
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
            let outside = f.direction == Dir::Out;
            rules.numbers.each_hit(&digits, outside, |hit| {
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

    pub(super) fn after_hours(&mut self) {
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
                && m.first_hit(&Digits::new(f.dialled), true).is_none()
            {
                continue;
            }
            if self.first_time(*i) {
                let text = words::after_hours(&f, when, &self.site.name);
                self.raise(*i, text);
            }
        }
    }

    pub(super) fn long_call(&mut self) {
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
