//! A fixed-column line's columns (5000, MiVB): [`Columns`] for any line, [`AsciiColumns`] for
//! one known to be ASCII, and [`ColumnText`], what a layout reads of either.

use super::content::{Content, MASKED};
use super::{byte_at, cols, field, trim, two_digits};

/// A fixed-column line (5000, MiVB): a column is one byte as the PBX sent it. Text made by
/// [`fixed_column_text`](super::fixed_column_text) has one character per received byte, so on a line that is not ASCII
/// columns count characters (a stray byte ≥ 0x80, shown as U+FFFD, is one column, not three
/// bytes that would shift every later field). ASCII lines, the rule, take the byte fast path
/// ([`AsciiColumns`]).
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    text: &'a str,
    ascii: bool,
    /// An ASCII line's padding columns, for trimming its fields.
    content: Content,
}

/// An ASCII line's columns: a column is a byte. Made only by [`Columns::as_ascii`], so a
/// layout that reads many fields of a line asks once which kind of line it is, not at each
/// field.
#[derive(Debug, Clone, Copy)]
pub struct AsciiColumns<'a> {
    text: &'a str,
    content: Content,
}

/// What a fixed-column layout reads of a line: [`Columns`] for any line, [`AsciiColumns`] for
/// one known to be ASCII. Columns are 0-based, ranges end-exclusive and clamped to the line.
pub trait ColumnText<'a>: Copy {
    fn text(&self) -> &'a str;
    /// The line's width in columns.
    fn width(&self) -> usize;
    /// The width in columns of a piece of this line (e.g. a trimmed field).
    fn width_of(&self, piece: &str) -> usize;
    /// Columns `start..end`.
    fn cols(&self, start: usize, end: usize) -> &'a str;
    /// [`Self::cols`] trimmed of padding.
    fn field(&self, start: usize, end: usize) -> &'a str;
    /// The byte at a column (0x80 for a non-ASCII one, never a byte a layout looks for), or a
    /// space past the end.
    fn byte_at(&self, col: usize) -> u8;
    /// Two ASCII digits at a column as a number.
    fn two_digits(&self, col: usize) -> Option<u32>;
}

impl<'a> Columns<'a> {
    // Always inline: returned through memory when it is not (a mask of four words), and the
    // decoder makes one a line.
    #[inline(always)]
    pub fn new(text: &'a str) -> Self {
        match Content::of_ascii(text.as_bytes()) {
            Some(content) => Self {
                text,
                ascii: true,
                content,
            },
            None => Self {
                text,
                ascii: false,
                content: Content::default(),
            },
        }
    }

    /// The line as ASCII columns, when it is ASCII.
    #[inline]
    pub fn as_ascii(&self) -> Option<AsciiColumns<'a>> {
        self.ascii.then_some(AsciiColumns {
            text: self.text,
            content: self.content,
        })
    }

    #[inline]
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The line's width in columns.
    #[inline]
    pub fn width(&self) -> usize {
        self.width_of(self.text)
    }

    /// Columns `start..end` (end exclusive), clamped to the line.
    #[inline]
    pub fn cols(&self, start: usize, end: usize) -> &'a str {
        match self.as_ascii() {
            Some(a) => a.cols(start, end),
            None => wide::cols(self.text, start, end),
        }
    }

    /// [`Self::cols`] trimmed of padding.
    #[inline(always)]
    pub fn field(&self, start: usize, end: usize) -> &'a str {
        match self.as_ascii() {
            Some(a) => a.field(start, end),
            None => trim(wide::cols(self.text, start, end)),
        }
    }

    /// The byte at a column (0x80 for a non-ASCII one, never a byte a layout looks for), or
    /// a space past the end.
    #[inline]
    pub fn byte_at(&self, col: usize) -> u8 {
        match self.as_ascii() {
            Some(a) => a.byte_at(col),
            None => wide::byte_at(self.text, col),
        }
    }

    /// Two ASCII digits at a column as a number.
    #[inline]
    pub fn two_digits(&self, col: usize) -> Option<u32> {
        match self.as_ascii() {
            Some(a) => a.two_digits(col),
            None => two_digits(&[self.byte_at(col), self.byte_at(col + 1)], 0),
        }
    }

    /// The width in columns of a piece of this line (e.g. a trimmed field).
    #[inline]
    pub fn width_of(&self, piece: &str) -> usize {
        if self.ascii {
            piece.len()
        } else {
            piece.chars().count()
        }
    }
}

impl<'a> ColumnText<'a> for Columns<'a> {
    #[inline]
    fn text(&self) -> &'a str {
        self.text
    }
    #[inline]
    fn width(&self) -> usize {
        Columns::width(self)
    }
    #[inline]
    fn width_of(&self, piece: &str) -> usize {
        Columns::width_of(self, piece)
    }
    #[inline]
    fn cols(&self, start: usize, end: usize) -> &'a str {
        Columns::cols(self, start, end)
    }
    #[inline(always)]
    fn field(&self, start: usize, end: usize) -> &'a str {
        Columns::field(self, start, end)
    }
    #[inline]
    fn byte_at(&self, col: usize) -> u8 {
        Columns::byte_at(self, col)
    }
    #[inline]
    fn two_digits(&self, col: usize) -> Option<u32> {
        Columns::two_digits(self, col)
    }
}

impl<'a> ColumnText<'a> for AsciiColumns<'a> {
    #[inline]
    fn text(&self) -> &'a str {
        self.text
    }
    #[inline]
    fn width(&self) -> usize {
        self.text.len()
    }
    #[inline]
    fn width_of(&self, piece: &str) -> usize {
        piece.len()
    }
    #[inline]
    fn cols(&self, start: usize, end: usize) -> &'a str {
        cols(self.text, start, end)
    }
    #[inline(always)]
    fn field(&self, start: usize, end: usize) -> &'a str {
        if start >= end {
            return "";
        }
        if end <= MASKED && end - start <= 64 {
            let (a, b) = self.content.trim(start, end);
            // Most of a MiVB line's fields are blank: no slicing for those.
            if a == b {
                return "";
            }
            debug_assert!(a < b && b <= self.text.len() && self.text.is_ascii());
            // SAFETY: `a < b <= len`, as `trim` gives the bounds of bytes that are not padding,
            // and columns past the line are padding in the mask; and the line is ASCII (the only
            // way to an `AsciiColumns` is `Columns::as_ascii`, on a `Columns` whose mask
            // `Content::of_ascii` made), so every byte is a character boundary. (The checked
            // slice was a tenth of a MiVB line's decoding.)
            return unsafe { self.text.get_unchecked(a..b) };
        }
        field(self.text, start, end)
    }
    #[inline]
    fn byte_at(&self, col: usize) -> u8 {
        byte_at(self.text, col)
    }
    #[inline]
    fn two_digits(&self, col: usize) -> Option<u32> {
        two_digits(self.text.as_bytes(), col)
    }
}

/// Columns of a line that is not ASCII: one per character. Rare, so kept out of line, away
/// from the byte fast path.
mod wide {
    /// The byte offset of a column, clamped to the line.
    fn offset(text: &str, col: usize) -> usize {
        text.char_indices().nth(col).map_or(text.len(), |(i, _)| i)
    }

    #[cold]
    #[inline(never)]
    pub fn cols(text: &str, start: usize, end: usize) -> &str {
        let a = offset(text, start);
        let b = offset(text, end).max(a);
        text.get(a..b).unwrap_or("")
    }

    #[cold]
    #[inline(never)]
    pub fn byte_at(text: &str, col: usize) -> u8 {
        match text.get(offset(text, col)..).and_then(|t| t.chars().next()) {
            Some(c) => u8::try_from(c).ok().filter(u8::is_ascii).unwrap_or(0x80),
            None => b' ',
        }
    }
}
