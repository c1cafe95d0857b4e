//! Where a MiVB line's fields are: the column layouts, and the template that numbers a line's
//! columns as they do (one column to the left on a line that lost its first column).

use crate::protocol::text::{ColumnText, Columns};

/// Column positions of one layout (standard / extended digits), before the Level-2 shift.
pub(super) struct Cols {
    pub(super) duration: (usize, usize),
    pub(super) calling: (usize, usize),
    pub(super) attendant: usize,
    pub(super) tta: (usize, usize),
    pub(super) digits: (usize, usize),
    pub(super) completion: usize,
    pub(super) speed: usize,
    pub(super) called: (usize, usize),
    pub(super) transfer: usize,
    pub(super) third: (usize, usize),
    pub(super) account: (usize, usize),
    pub(super) system: (usize, usize),
    /// Where the appended ANI/DNIS and call-id groups begin and end.
    pub(super) ani_dnis: (usize, usize),
    pub(super) call_ids: (usize, usize),
}

pub(super) const STANDARD: Cols = Cols {
    duration: (14, 22),
    calling: (23, 27),
    attendant: 28,
    tta: (29, 32),
    digits: (33, 59),
    completion: 59,
    speed: 60,
    called: (61, 65),
    transfer: 65,
    third: (67, 71),
    account: (72, 84),
    system: (85, 88),
    ani_dnis: (88, 112),
    call_ids: (112, 131),
};

pub(super) const EXTENDED: Cols = Cols {
    duration: (14, 24),
    calling: (25, 32),
    attendant: 33,
    tta: (34, 37),
    digits: (38, 64),
    completion: 64,
    speed: 65,
    called: (66, 73),
    transfer: 73,
    third: (75, 82),
    account: (83, 95),
    system: (96, 99),
    ani_dnis: (99, 120),
    call_ids: (120, 139),
};

/// Where a line's fields are: its layout (standard or extended digits) and the Level-2 shift.
/// The common line's is a [`Fixed`] place, each field's columns then constants in the code
/// that reads them (no shifts by a column found at run time); any other line's is [`Found`].
pub(super) trait Place: Copy {
    fn extended(self) -> bool;
    fn level2(self) -> bool;

    #[inline(always)]
    fn cols(self) -> &'static Cols {
        if self.extended() {
            &EXTENDED
        } else {
            &STANDARD
        }
    }

    #[inline(always)]
    fn shift(self) -> usize {
        level2_shift(self.level2())
    }
}

/// How far Level 2's seconds (`hh:mm:ssp`, not `hh:mmp`) move every field after the start.
#[inline(always)]
pub(super) const fn level2_shift(level2: bool) -> usize {
    if level2 { 3 } else { 0 }
}

/// A place known when the code is compiled.
#[derive(Clone, Copy)]
pub(super) struct Fixed<const EXTENDED: bool, const LEVEL2: bool>;

impl<const E: bool, const L: bool> Place for Fixed<E, L> {
    #[inline(always)]
    fn extended(self) -> bool {
        E
    }
    #[inline(always)]
    fn level2(self) -> bool {
        L
    }
}

/// A place read from the line.
#[derive(Clone, Copy)]
pub(super) struct Found {
    pub(super) extended: bool,
    pub(super) level2: bool,
}

impl Place for Found {
    #[inline(always)]
    fn extended(self) -> bool {
        self.extended
    }
    #[inline(always)]
    fn level2(self) -> bool {
        self.level2
    }
}

/// A line's columns numbered as the template numbers them. A line that lost its first column
/// starts with its date: each template column is then one column to the left (`LOST` is 1). A
/// parameter rather than a field, as the kind of line is ([`ColumnText`]): the common line,
/// ASCII and whole, pays nothing at each field for the others.
#[derive(Clone, Copy)]
pub(super) struct Template<C, const LOST: usize> {
    pub(super) line: C,
}

/// Whether a line lost its first column: `mm/dd` in columns 0-4 (its `/` at 2, not 3) and the
/// start's `:` at 8, not 9.
#[inline]
pub(super) fn lost_first_column(line: Columns<'_>) -> bool {
    line.byte_at(3) != b'/'
        && line.byte_at(2) == b'/'
        && line.two_digits(0).is_some()
        && line.byte_at(8) == b':'
}

impl<'a, C: ColumnText<'a>, const LOST: usize> Template<C, LOST> {
    #[inline]
    pub(super) fn width(&self) -> usize {
        self.line.width() + LOST
    }

    #[inline]
    pub(super) fn width_of(&self, piece: &str) -> usize {
        self.line.width_of(piece) + LOST
    }

    #[inline]
    pub(super) fn cols(&self, start: usize, end: usize) -> &'a str {
        self.line
            .cols(start.saturating_sub(LOST), end.saturating_sub(LOST))
    }

    #[inline(always)]
    pub(super) fn field(&self, start: usize, end: usize) -> &'a str {
        self.line
            .field(start.saturating_sub(LOST), end.saturating_sub(LOST))
    }

    #[inline]
    pub(super) fn byte_at(&self, col: usize) -> u8 {
        match col.checked_sub(LOST) {
            Some(c) => self.line.byte_at(c),
            None => b' ',
        }
    }

    #[inline]
    pub(super) fn two_digits(&self, col: usize) -> Option<u32> {
        self.line.two_digits(col.checked_sub(LOST)?)
    }
}
