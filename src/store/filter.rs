//! The filter bar's meaning. Cheap checks on the row come first; text needles are looked for in
//! the raw text before anything is decoded, so a filter over a million rows decodes only the
//! rows that could match.

use chrono::NaiveDateTime;
use memchr::memmem::Finder;

use crate::protocol::{Format, Kind};

use super::RecordRef;
use super::summary::{NOTE_WORDS, Note, note, summary};

/// What a record's call came to, for the outcome filter and colour cues.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum OutcomeFilter {
    #[default]
    Any,
    Answered,
    Unanswered,
    Unparsed,
}

impl OutcomeFilter {
    pub const ALL: [OutcomeFilter; 4] =
        [Self::Any, Self::Answered, Self::Unanswered, Self::Unparsed];

    pub fn label(self) -> &'static str {
        match self {
            Self::Any => "any outcome",
            Self::Answered => "answered",
            Self::Unanswered => "unanswered",
            Self::Unparsed => "unparsed lines",
        }
    }
}

/// The filter bar. Empty strings and `None` mean "any". Text matching is case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    pub site: Option<String>,
    pub format: Option<Format>,
    pub kind: Option<Kind>,
    /// Call type / direction / event (substring of either).
    pub what: String,
    pub extension: String,
    pub trunk: String,
    /// Substring of the outside number, punctuation ignored on both sides (`7145122718` finds
    /// `714-512-2718` and the other way round).
    pub number: String,
    /// Substring of the raw text or of the Note column.
    pub text: String,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub min_duration_s: Option<u32>,
    pub outcome: OutcomeFilter,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A case-insensitive substring, prepared once per filter change; an empty one matches all.
#[derive(Debug, Clone, Default)]
pub struct Needle {
    lower: Vec<u8>,
    /// Exact search is enough (and fastest) when the needle has no letters.
    exact: Option<Finder<'static>>,
    /// A phone number: punctuation is skipped in the needle and in the text searched.
    number: bool,
}

impl Needle {
    pub fn new(s: &str) -> Self {
        let lower = s.trim().to_ascii_lowercase().into_bytes();
        let exact =
            (!lower.iter().any(u8::is_ascii_alphabetic)).then(|| Finder::new(&lower).into_owned());
        Self {
            lower,
            exact,
            number: false,
        }
    }

    /// A needle for phone numbers: `7145122718`, `714-512-2718`, `(714) 512 2718` and
    /// `714.512.2718` all find one another. Only punctuation is typed: it matches all.
    pub fn number(s: &str) -> Self {
        let lower = s
            .bytes()
            .filter(|&b| !is_number_punctuation(b))
            .map(|b| b.to_ascii_lowercase())
            .collect();
        Self {
            lower,
            exact: None,
            number: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// Whether `hay` holds the needle, ignoring ASCII case; no allocation.
    pub fn found_in(&self, hay: &str) -> bool {
        match &self.exact {
            _ if self.lower.is_empty() => true,
            _ if self.number => contains_number(hay.as_bytes(), &self.lower),
            Some(f) => f.find(hay.as_bytes()).is_some(),
            None => contains_lower(hay.as_bytes(), &self.lower),
        }
    }

    /// The needle has a space or tab in it (so it may span two words).
    fn has_space(&self) -> bool {
        self.lower.iter().any(u8::is_ascii_whitespace)
    }
}

/// What phone numbers are written with besides their digits (and letters: masked `XXXX`).
fn is_number_punctuation(b: u8) -> bool {
    matches!(b, b'-' | b' ' | b'\t' | b'(' | b')' | b'.' | b'/' | b'+')
}

/// `lower` (lower-cased, without punctuation) in `hay`, skipping punctuation between its bytes.
fn contains_number(hay: &[u8], lower: &[u8]) -> bool {
    let Some((&first, rest)) = lower.split_first() else {
        return true;
    };
    let upper = first.to_ascii_uppercase();
    let mut at = 0;
    while let Some(i) = memchr::memchr2(first, upper, &hay[at..]) {
        let start = at + i + 1;
        let mut want = rest.iter();
        let mut next = want.next();
        for &b in &hay[start..] {
            let Some(&w) = next else { break };
            if b.to_ascii_lowercase() == w {
                next = want.next();
            } else if !is_number_punctuation(b) {
                break;
            }
        }
        if next.is_none() {
            return true;
        }
        at = start;
    }
    false
}

/// `needle` (any case) occurs in `hay`, ignoring ASCII case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    Needle::new(needle).found_in(hay)
}

/// ASCII case-insensitive search for an already lower-cased needle.
fn contains_lower(hay: &[u8], lower: &[u8]) -> bool {
    let Some((&first, rest)) = lower.split_first() else {
        return true;
    };
    let upper = first.to_ascii_uppercase();
    let mut at = 0;
    while let Some(i) = memchr::memchr2(first, upper, &hay[at..]) {
        let start = at + i + 1;
        if hay
            .get(start..start + rest.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
        {
            return true;
        }
        at = start;
    }
    false
}

/// A [`Filter`] prepared for testing many rows.
pub(super) struct Matcher<'f> {
    filter: &'f Filter,
    what: Needle,
    extension: Needle,
    trunk: Needle,
    number: Needle,
    text: Needle,
    /// The text needle could be in a note without being in the record's text: it spans two
    /// words or lies in one of the words a note adds.
    text_beyond_raw: bool,
}

impl<'f> Matcher<'f> {
    pub fn new(filter: &'f Filter) -> Self {
        let text = Needle::new(&filter.text);
        let text_beyond_raw =
            !text.is_empty() && (text.has_space() || NOTE_WORDS.iter().any(|w| text.found_in(w)));
        Self {
            filter,
            what: Needle::new(&filter.what),
            extension: Needle::new(&filter.extension),
            trunk: Needle::new(&filter.trunk),
            number: Needle::number(&filter.number),
            text,
            text_beyond_raw,
        }
    }

    pub fn matches(&self, r: &RecordRef<'_>) -> bool {
        let f = self.filter;
        if f.format.is_some_and(|x| x != r.format())
            || f.kind.is_some_and(|x| x != r.kind())
            || f.site.as_deref().is_some_and(|s| s != &**r.site())
        {
            return false;
        }
        let outcome_ok = match f.outcome {
            OutcomeFilter::Any => true,
            OutcomeFilter::Answered => r.kind() == Kind::Call && !r.unanswered(),
            OutcomeFilter::Unanswered => r.unanswered(),
            OutcomeFilter::Unparsed => r.kind() == Kind::Unparsed,
        };
        if !outcome_ok {
            return false;
        }
        if f.from.is_some() || f.to.is_some() {
            let Some(when) = r.when() else { return false };
            if f.from.is_some_and(|from| when < from) || f.to.is_some_and(|to| when > to) {
                return false;
            }
        }
        if let Some(min) = f.min_duration_s
            && r.duration_s().is_none_or(|d| d < min)
        {
            return false;
        }
        let text = r.text();
        // These fields are pieces of the raw text: a needle missing from the text rules the row
        // out undecoded. (`what` may be a word the text does not print, e.g. MiVB "answered".)
        // A note shows pieces of the text too, besides a few words of its own and an unparsed
        // line's reason: only those can hold a text needle the raw text does not.
        let text_in_raw = self.text.found_in(text);
        if !text_in_raw && !self.text_beyond_raw && r.kind() != Kind::Unparsed {
            return false;
        }
        let in_text = [&self.extension, &self.trunk, &self.number];
        if in_text.into_iter().any(|n| !n.found_in(text)) {
            return false;
        }
        let fields = [&self.what, &self.extension, &self.trunk, &self.number];
        if text_in_raw && fields.iter().all(|n| n.is_empty()) {
            return true;
        }
        let decoded = r.decode();
        if !text_in_raw && !note_holds(&note(&decoded.body), &self.text) {
            return false;
        }
        let s = summary(&decoded);
        (self.what.found_in(s.what) || self.what.found_in(s.direction))
            && self.extension.found_in(s.extension)
            && self.trunk.found_in(s.trunk)
            && self.number.found_in(s.number)
    }
}

/// The note as shown holds `needle`: it allocates only for a needle with a space in it.
fn note_holds(n: &Note<'_>, needle: &Needle) -> bool {
    needle.found_in(n.label)
        || needle.found_in(n.value)
        || (needle.has_space() && needle.found_in(&n.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_search() {
        assert!(contains_ci("CHRIS R MOBILE", "r mob"));
        assert!(contains_ci("Station Message", "MESSAGE"));
        assert!(contains_ci("abc", ""));
        assert!(contains_ci("94129 RG", "129"));
        assert!(!contains_ci("94129", "1299"));
        assert!(!contains_ci("ab", "abc"));
        assert!(contains_ci("xxAaB", "aab"));
    }

    #[test]
    fn number_needles_skip_punctuation() {
        let n = Needle::number("(714) 512-2718");
        assert!(n.found_in("714-512-2718"));
        assert!(n.found_in("7145122718"));
        assert!(n.found_in("+1 714.512.2718"));
        assert!(!n.found_in("714-512-271"));
        assert!(!n.found_in("714-512x2718"), "letters are not punctuation");
        let short = Needle::number("5122");
        assert!(short.found_in("714-512-2718"));
        assert!(short.found_in("7145 12 2"));
        assert!(!short.found_in("51 3 22"));
        assert!(Needle::number("0079xx").found_in("0079XXXXXXXX"));
        assert!(Needle::number(" - ").is_empty());
        // A plain needle keeps the punctuation.
        assert!(!Needle::new("7145122718").found_in("714-512-2718"));
    }
}
