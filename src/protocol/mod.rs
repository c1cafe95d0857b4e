//! Pure decoding of Mitel SMDR: no I/O, no async, no UI. See `shared/docs/smdr-formats.md`.

pub mod appsuite;
pub mod dates;
pub mod duration;
pub mod fields;
pub mod hex;
pub mod lines;
pub mod mitel5000;
pub mod mivb;
#[cfg(test)]
mod proptests;
pub mod record;
pub mod stream;
pub mod summary;
pub mod text;

pub use dates::{DateDecision, DateSource};
pub use record::{
    Body, Decoded, Format, Incoming, Kind, Record, Source, decode_as, line_note, time_note,
};
pub use stream::{DecodeOptions, StreamDecoder};
