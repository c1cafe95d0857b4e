//! The records filter bar's choices, as plain data: the Records tab applies them to the
//! records in memory (`store`), the History tab in SQL (`history::browse`); both read them
//! from here, so neither reaches into the other.

use chrono::NaiveDateTime;

use crate::protocol::Format;

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
