//! Number patterns: what a technician writes to say "these numbers", compiled once so that a
//! record is matched without allocating.
//!
//! A pattern is digits and three wildcards: `X` any digit, `N` a digit 2–9, and `*` at the end
//! for "anything after this, or nothing". Punctuation (`-`, spaces, `.`, `(`, `)`, `/`, `+`) is
//! ignored in patterns and in numbers alike, so `1-900-*` is `1900*` and `9-911` is `9911`.
//! Without `*` a pattern matches the whole number: `911` matches `911` (and `9-911` after an
//! outside-line digit) but not `9112`.
//!
//! Numbers are read as digits; any other character (the `X`s of a masked caller id, `*` and
//! `#` of feature codes) stays in place as a character no pattern digit matches, so a masked
//! `911XXXXX` is not taken for `911`.

use serde::{Deserialize, Serialize};

/// The presets a rule can name instead of (or beside) its own patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// 911, 933 (the US test number), 999, 112, 000.
    Emergency,
    /// 011 and 00 followed by at least four digits.
    International,
    /// 1-900, 1-976 (North America), 09 (UK and others).
    Premium,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Emergency, Preset::International, Preset::Premium];

    pub fn patterns(self) -> &'static [&'static str] {
        match self {
            Self::Emergency => &["911", "933", "999", "112", "000"],
            // At least four digits after the prefix: `000` (an emergency number) is not one.
            Self::International => &["011XXXX*", "00XXXX*"],
            Self::Premium => &["1900*", "1976*", "09*"],
        }
    }

    /// For sentences: "an emergency number".
    pub fn words(self) -> &'static str {
        match self {
            Self::Emergency => "an emergency number",
            Self::International => "an international number",
            Self::Premium => "a premium-rate number",
        }
    }
}

/// Longest number matched in full; longer numbers still match `*` patterns on their start.
pub const MAX_DIGITS: usize = 40;

/// One element of a compiled pattern, and of a normalised number.
const ANY: u8 = 10; // X
const TWO_TO_NINE: u8 = 11; // N
/// A character in a number that is neither a digit nor punctuation.
const OTHER: u8 = 12;

/// A number with punctuation removed, digits as 0–9, on the stack.
#[derive(Clone, Copy)]
pub struct Digits {
    buf: [u8; MAX_DIGITS],
    len: u8,
    /// The number had more than [`MAX_DIGITS`] characters: exact patterns cannot match it.
    truncated: bool,
}

impl Digits {
    pub fn new(number: &str) -> Self {
        let mut d = Self {
            buf: [0; MAX_DIGITS],
            len: 0,
            truncated: false,
        };
        for &b in number.as_bytes() {
            let v = match b {
                b'0'..=b'9' => b - b'0',
                b'-' | b' ' | b'.' | b'(' | b')' | b'/' | b'+' | b'>' => continue,
                _ => OTHER,
            };
            if usize::from(d.len) == MAX_DIGITS {
                d.truncated = true;
                break;
            }
            d.buf[usize::from(d.len)] = v;
            d.len += 1;
        }
        d
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The digits as text (for sentences).
    pub fn text(&self) -> String {
        self.as_slice()
            .iter()
            .map(|&v| if v < 10 { char::from(b'0' + v) } else { '?' })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("{0:?} is empty: write digits, X (any digit), N (2–9) and * (any rest) at the end")]
    Empty(String),
    #[error(
        "{0:?} is not a number pattern: write digits, X (any digit), N (2–9) and * (any rest) at the end"
    )]
    Invalid(String),
    #[error("{0:?}: * may only end a pattern (it stands for any rest of the number)")]
    StarInside(String),
    #[error("{0:?} is longer than {MAX_DIGITS} digits")]
    TooLong(String),
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    elems: Box<[u8]>,
    open_end: bool,
    /// As written (for sentences and errors).
    pub text: Box<str>,
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let mut elems = Vec::new();
        let mut open_end = false;
        for c in text.chars() {
            if open_end {
                return Err(PatternError::StarInside(text.into()));
            }
            let v = match c {
                '0'..='9' => c as u8 - b'0',
                'X' | 'x' => ANY,
                'N' | 'n' => TWO_TO_NINE,
                '*' => {
                    open_end = true;
                    continue;
                }
                '-' | ' ' | '.' | '(' | ')' | '/' | '+' => continue,
                _ => return Err(PatternError::Invalid(text.into())),
            };
            elems.push(v);
        }
        if elems.is_empty() {
            return Err(PatternError::Empty(text.into()));
        }
        if elems.len() > MAX_DIGITS {
            return Err(PatternError::TooLong(text.into()));
        }
        Ok(Self {
            elems: elems.into(),
            open_end,
            text: text.trim().into(),
        })
    }

    /// Whether `number` (normalised) is matched by this pattern.
    pub fn matches(&self, number: &[u8], truncated: bool) -> bool {
        let n = self.elems.len();
        if number.len() < n || (!self.open_end && (number.len() != n || truncated)) {
            return false;
        }
        self.elems.iter().zip(number).all(|(&p, &d)| match p {
            ANY => d < 10,
            TWO_TO_NINE => (2..10).contains(&d),
            digit => digit == d,
        })
    }

    /// The first digits this pattern can start with, as a bit set over 0–9.
    fn first_digits(&self) -> u16 {
        match self.elems.first() {
            Some(&ANY) => 0x3ff,
            Some(&TWO_TO_NINE) => 0x3fc,
            Some(&d) => 1 << d,
            None => 0,
        }
    }
}

/// Where a match came from: the pattern, and whether it matched after an outside-line prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<'a> {
    /// Who registered the pattern (a rule's index).
    pub owner: u32,
    pub pattern: &'a Pattern,
    /// The preset the pattern came from, if any.
    pub preset: Option<Preset>,
    /// The outside-line digits stripped before the match; empty when the whole number matched.
    pub outside_line: &'a str,
}

#[derive(Debug, Clone)]
struct Entry {
    owner: u32,
    pattern: Pattern,
    preset: Option<Preset>,
    /// Also tried on the number with an outside-line prefix removed.
    after_outside_line: bool,
}

/// Many patterns of many rules, bucketed by the first digit they can match: a number is tried
/// against only the patterns that can start with its first digit.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    entries: Vec<Entry>,
    /// For each first digit 0–9, the entries that can start with it, in registration order.
    buckets: [Vec<u32>; 10],
    /// Outside-line prefixes (normalised), longest first.
    outside: Vec<(Box<[u8]>, Box<str>)>,
}

impl Matcher {
    /// `outside_line`: the digits dialled to reach an outside line (`9`, `8`).
    pub fn new(outside_line: &[String]) -> Result<Self, PatternError> {
        let mut outside = Vec::new();
        for prefix in outside_line {
            let d = Digits::new(prefix);
            if d.is_empty() || d.as_slice().iter().any(|&v| v >= 10) {
                return Err(PatternError::Invalid(prefix.clone()));
            }
            outside.push((d.as_slice().into(), prefix.trim().into()));
        }
        outside.sort_by_key(|(d, _): &(Box<[u8]>, Box<str>)| std::cmp::Reverse(d.len()));
        Ok(Self {
            outside,
            ..Self::default()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn add(
        &mut self,
        owner: u32,
        pattern: Pattern,
        preset: Option<Preset>,
        after_outside_line: bool,
    ) {
        let index = self.entries.len() as u32;
        let first = pattern.first_digits();
        for (digit, bucket) in self.buckets.iter_mut().enumerate() {
            if first & (1 << digit) != 0 {
                bucket.push(index);
            }
        }
        self.entries.push(Entry {
            owner,
            pattern,
            preset,
            after_outside_line,
        });
    }

    /// Adds a preset's patterns (always valid).
    pub fn add_preset(&mut self, owner: u32, preset: Preset, after_outside_line: bool) {
        for text in preset.patterns() {
            if let Ok(p) = Pattern::parse(text) {
                self.add(owner, p, Some(preset), after_outside_line);
            }
        }
    }

    /// Calls `f` for every pattern `number` matches: first on the whole number, then, when
    /// the number went out on a trunk (`outside`), with an outside-line prefix removed (for
    /// patterns that allow it). No allocation.
    pub fn each_hit<'a>(&'a self, number: &Digits, outside: bool, mut f: impl FnMut(Hit<'a>)) {
        let whole = number.as_slice();
        self.try_number(whole, number.truncated, "", false, &mut f);
        if !outside {
            return;
        }
        for (prefix, shown) in &self.outside {
            if let Some(rest) = whole.strip_prefix(&prefix[..])
                && !rest.is_empty()
            {
                self.try_number(rest, number.truncated, shown, true, &mut f);
            }
        }
    }

    fn try_number<'a>(
        &'a self,
        number: &[u8],
        truncated: bool,
        outside_line: &'a str,
        stripped: bool,
        f: &mut impl FnMut(Hit<'a>),
    ) {
        let Some(&first) = number.first() else {
            return;
        };
        let Some(bucket) = self.buckets.get(usize::from(first)) else {
            return;
        };
        for &i in bucket {
            let e = &self.entries[i as usize];
            if (!stripped || e.after_outside_line) && e.pattern.matches(number, truncated) {
                f(Hit {
                    owner: e.owner,
                    pattern: &e.pattern,
                    preset: e.preset,
                    outside_line,
                });
            }
        }
    }

    /// The first hit, if any.
    pub fn first_hit<'a>(&'a self, number: &Digits, outside: bool) -> Option<Hit<'a>> {
        let mut first = None;
        self.each_hit(number, outside, |h| {
            if first.is_none() {
                first = Some(h);
            }
        });
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(patterns: &[&str]) -> Matcher {
        let mut m = Matcher::new(&["9".into(), "8".into()]).unwrap();
        for p in patterns {
            m.add(0, Pattern::parse(p).unwrap(), None, true);
        }
        m
    }

    fn hits(m: &Matcher, number: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        m.each_hit(&Digits::new(number), true, |h| {
            out.push((h.pattern.text.to_string(), h.outside_line.to_string()))
        });
        out
    }

    #[test]
    fn exact_prefix_and_wildcards() {
        let m = matcher(&["911", "1900*", "1NXX555XXXX", "44X*"]);
        assert_eq!(hits(&m, "911"), [("911".into(), String::new())]);
        assert_eq!(hits(&m, "9112"), []);
        assert_eq!(
            hits(&m, "1-900-123-0199"),
            [("1900*".into(), String::new())]
        );
        assert_eq!(
            hits(&m, "1-900-555-0199"),
            [
                ("1900*".into(), String::new()),
                ("1NXX555XXXX".into(), String::new())
            ]
        );
        assert_eq!(hits(&m, "1900"), [("1900*".into(), String::new())]);
        assert_eq!(
            hits(&m, "1-212-555-0100"),
            [("1NXX555XXXX".into(), String::new())]
        );
        // N is 2–9: a 1 in its place does not match.
        assert_eq!(hits(&m, "1-112-555-0100"), []);
        assert_eq!(hits(&m, "44"), []);
        assert_eq!(hits(&m, "441"), [("44X*".into(), String::new())]);
    }

    #[test]
    fn the_outside_line_digit() {
        let mut m = Matcher::new(&["9".into(), "8".into()]).unwrap();
        m.add_preset(0, Preset::Emergency, true);
        let one = |n: &str| {
            m.first_hit(&Digits::new(n), true)
                .map(|h| (h.pattern.text.to_string(), h.outside_line.to_string()))
        };
        assert_eq!(one("911"), Some(("911".into(), String::new())));
        assert_eq!(one("9911"), Some(("911".into(), "9".into())));
        assert_eq!(one("9-911"), Some(("911".into(), "9".into())));
        assert_eq!(one("8 112"), Some(("112".into(), "8".into())));
        // 9112 is 9 then 112 (an emergency number), never 911 followed by a 2.
        assert_eq!(one("9112"), Some(("112".into(), "9".into())));
        assert_eq!(one("9999"), Some(("999".into(), "9".into())));
        assert_eq!(one("99112"), None);
        assert_eq!(one("2101"), None);
        assert_eq!(one(""), None);
        // A masked number is not an emergency number.
        assert_eq!(one("911XXXX"), None);
        assert_eq!(one("91X"), None);
    }

    #[test]
    fn a_rule_of_911_alone_does_not_take_9112() {
        let m = matcher(&["911"]);
        assert_eq!(hits(&m, "9112"), []);
        assert_eq!(hits(&m, "9-911"), [("911".into(), "9".into())]);
        let m = matcher(&["112"]);
        assert_eq!(hits(&m, "9112"), [("112".into(), "9".into())]);
    }

    #[test]
    fn outside_line_only_where_the_rule_allows_it() {
        let mut m = Matcher::new(&["9".into()]).unwrap();
        m.add(0, Pattern::parse("911").unwrap(), None, false);
        assert!(m.first_hit(&Digits::new("9911"), true).is_none());
        assert!(m.first_hit(&Digits::new("911"), true).is_some());
        // A call that did not go out on a trunk (internal, to another node) has no outside line.
        let mut m = Matcher::new(&["9".into()]).unwrap();
        m.add(0, Pattern::parse("4050").unwrap(), None, true);
        assert!(m.first_hit(&Digits::new("94050"), false).is_none());
        assert!(m.first_hit(&Digits::new("94050"), true).is_some());
    }

    #[test]
    fn presets() {
        let mut m = Matcher::new(&["9".into()]).unwrap();
        for p in Preset::ALL {
            m.add_preset(p as u32, p, true);
        }
        let preset = |n: &str| m.first_hit(&Digits::new(n), true).and_then(|h| h.preset);
        assert_eq!(preset("011-44-161-999-0000"), Some(Preset::International));
        assert_eq!(preset("9011441619990000"), Some(Preset::International));
        assert_eq!(preset("0044 161 999 0000"), Some(Preset::International));
        assert_eq!(preset("000"), Some(Preset::Emergency));
        assert_eq!(preset("1-900-555-0100"), Some(Preset::Premium));
        assert_eq!(preset("91-976-555-0100"), Some(Preset::Premium));
        assert_eq!(preset("09067 123456"), Some(Preset::Premium));
        assert_eq!(preset("952-474-1742"), None);
        assert_eq!(preset("0161 999 0000"), None);
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(matches!(
            Pattern::parse("91*1"),
            Err(PatternError::StarInside(_))
        ));
        assert!(matches!(
            Pattern::parse("9A1"),
            Err(PatternError::Invalid(_))
        ));
        assert!(matches!(Pattern::parse(" - "), Err(PatternError::Empty(_))));
        let e = Pattern::parse("1-9OO").unwrap_err().to_string();
        assert!(e.contains("X (any digit), N (2–9)"), "{e}");
    }

    #[test]
    fn long_numbers() {
        let m = matcher(&["011*", "0112345"]);
        let long = "011".to_string() + &"1".repeat(60);
        assert_eq!(hits(&m, &long), [("011*".into(), String::new())]);
    }
}
