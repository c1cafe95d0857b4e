//! The filter bar's meaning. Cheap checks on the row come first; text needles are looked for in
//! the raw text before anything is decoded, so a filter over a million rows decodes only the
//! rows that could match.

use crate::protocol::Kind;
use crate::timeline::Needle;

use super::RecordRef;
use crate::protocol::mitel5000::record::HUNG_UP_FIRST;
use crate::protocol::summary::{NOTE_WORDS, Note, note, summary};
use crate::timeline::view::{Filter, OutcomeFilter};

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
        let text_beyond_raw = !text.is_empty()
            && (text.has_space()
                || NOTE_WORDS
                    .iter()
                    .chain(&HUNG_UP_FIRST)
                    .any(|w| text.found_in(w)));
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
