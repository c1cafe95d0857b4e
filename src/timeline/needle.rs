//! A case-insensitive substring search, prepared once and tried on many texts: the records
//! table's and the calls view's text filters.

use memchr::memmem::Finder;

/// A case-insensitive substring, prepared once per filter change; an empty one matches all.
#[derive(Debug, Clone, Default)]
pub struct Needle {
    lower: Vec<u8>,
    /// Exact search is enough (and fastest) when the needle has no letters.
    exact: Option<Finder<'static>>,
}

impl Needle {
    pub fn new(s: &str) -> Self {
        let lower = s.trim().to_ascii_lowercase().into_bytes();
        let exact =
            (!lower.iter().any(u8::is_ascii_alphabetic)).then(|| Finder::new(&lower).into_owned());
        Self { lower, exact }
    }

    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// Whether `hay` holds the needle, ignoring ASCII case; no allocation.
    pub fn found_in(&self, hay: &str) -> bool {
        match &self.exact {
            _ if self.lower.is_empty() => true,
            Some(f) => f.find(hay.as_bytes()).is_some(),
            None => contains_lower(hay.as_bytes(), &self.lower),
        }
    }
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
}
