//! A short string stored inline: extensions, event names and directions are a few characters,
//! and a million events must not mean a million heap allocations.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Deref;

/// Up to [`Ext::CAP`] bytes of text, inline (16 bytes in all, `Copy`).
///
/// Longer text (never seen in the fields it holds: App Suite extensions are 7 columns, event
/// names 12) is cut at a character boundary and ends in `…`, so a cut is visible; the record's
/// raw text keeps the whole value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ext {
    len: u8,
    buf: [u8; Ext::CAP],
}

impl Ext {
    pub const CAP: usize = 15;
    const ELLIPSIS: &'static str = "…";

    pub fn new(s: &str) -> Self {
        let mut e = Self::default();
        if s.len() <= Self::CAP {
            e.buf[..s.len()].copy_from_slice(s.as_bytes());
            e.len = s.len() as u8;
        } else {
            let keep = s.floor_char_boundary(Self::CAP - Self::ELLIPSIS.len());
            e.buf[..keep].copy_from_slice(&s.as_bytes()[..keep]);
            e.buf[keep..keep + Self::ELLIPSIS.len()].copy_from_slice(Self::ELLIPSIS.as_bytes());
            e.len = (keep + Self::ELLIPSIS.len()) as u8;
        }
        e
    }

    pub fn as_str(&self) -> &str {
        // Only whole characters are ever copied in, so this never fails.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl Deref for Ext {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Ext {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Ext {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl PartialEq<str> for Ext {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Ext {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Ord for Ext {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Ext {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Ext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Ext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_visibly_cut() {
        assert_eq!(std::mem::size_of::<Ext>(), 16);
        assert_eq!(Ext::new("1843").as_str(), "1843");
        assert_eq!(Ext::new("").as_str(), "");
        assert_eq!(Ext::new("CALLCONNECTED").as_str(), "CALLCONNECTED");
        assert_eq!(Ext::new("123456789012345").as_str(), "123456789012345");
        assert_eq!(Ext::new("1234567890123456").as_str(), "123456789012…");
        // A multi-byte character is never split.
        assert_eq!(Ext::new("ééééééééé").as_str(), "éééééé…");
        assert!(Ext::new("1999") < Ext::new("2001"));
        assert_eq!(Ext::new("2560"), "2560");
    }
}
