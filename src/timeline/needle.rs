//! A case-insensitive substring search, prepared once and tried on many texts: the records
//! table's and the calls view's text filters.

use memchr::memmem::Finder;

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
        let lower = number_key(s.as_bytes());
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
    pub fn has_space(&self) -> bool {
        self.lower.iter().any(u8::is_ascii_whitespace)
    }
}

/// What phone numbers are written with besides their digits (and letters: masked `XXXX`).
fn is_number_punctuation(b: u8) -> bool {
    matches!(b, b'-' | b' ' | b'\t' | b'(' | b')' | b'.' | b'/' | b'+')
}

/// A number as [`Needle::number`] compares it: lower-cased, without punctuation
/// (`(714) 512-2718` → `7145122718`).
pub fn number_key(s: &[u8]) -> Vec<u8> {
    s.iter()
        .filter(|&&b| !is_number_punctuation(b))
        .map(u8::to_ascii_lowercase)
        .collect()
}

/// `lower` (lower-cased, without punctuation) in `hay`, skipping punctuation between its bytes.
/// A digit (the usual first byte) is looked for in one case only, each place by one tight
/// loop: the records filter runs this over every row's raw text, where digits are common.
fn contains_number(hay: &[u8], lower: &[u8]) -> bool {
    let Some((&first, rest)) = lower.split_first() else {
        return true;
    };
    let upper = first.to_ascii_uppercase();
    if upper == first {
        memchr::memchr_iter(first, hay).any(|i| number_follows(&hay[i + 1..], rest))
    } else {
        memchr::memchr2_iter(first, upper, hay).any(|i| number_follows(&hay[i + 1..], rest))
    }
}

/// `rest` at the start of `after`, punctuation skipped between its bytes.
#[inline]
fn number_follows(after: &[u8], rest: &[u8]) -> bool {
    let mut want = rest.iter();
    let Some(mut w) = want.next() else {
        return true;
    };
    for &b in after {
        if b.to_ascii_lowercase() == *w {
            match want.next() {
                Some(next) => w = next,
                None => return true,
            }
        } else if !is_number_punctuation(b) {
            return false;
        }
    }
    false
}

/// `needle` (any case) occurs in `hay`, ignoring ASCII case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    Needle::new(needle).found_in(hay)
}

/// ASCII case-insensitive search for an already lower-cased needle.
fn contains_lower(hay: &[u8], lower: &[u8]) -> bool {
    contains_from(hay, lower, |after, rest| {
        after
            .get(..rest.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
    })
}

/// Finds each place `lower`'s first byte (either case) occurs in `hay` and asks `rest_at`
/// whether the rest of the needle follows: the one scan both searches share.
fn contains_from(hay: &[u8], lower: &[u8], rest_at: impl Fn(&[u8], &[u8]) -> bool) -> bool {
    let Some((&first, rest)) = lower.split_first() else {
        return true;
    };
    let upper = first.to_ascii_uppercase();
    let mut at = 0;
    while let Some(i) = memchr::memchr2(first, upper, &hay[at..]) {
        let start = at + i + 1;
        if rest_at(&hay[start..], rest) {
            return true;
        }
        at = start;
    }
    false
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// A number needle is found where the text, its punctuation taken out and lower-cased,
        /// holds it.
        #[test]
        fn a_number_is_found_where_the_text_without_punctuation_holds_it(
            hay in "[0-9xX() .+/-]{0,40}",
            needle in "[0-9xX -]{0,6}",
        ) {
            let key = number_key(needle.as_bytes());
            let text = number_key(hay.as_bytes());
            let expected = key.is_empty() || text.windows(key.len()).any(|w| w == key.as_slice());
            proptest::prop_assert_eq!(Needle::number(&needle).found_in(&hay), expected);
        }
    }
}
