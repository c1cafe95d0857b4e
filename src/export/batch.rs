//! The output side the record and call writers share: rows gathered in a buffer and given to the
//! destination in large writes, and a CSV file's header written once.

use std::io::{self, Write};

use super::TextFormat;

/// A writer's destination and format: rows are gathered and given to `out` once they are
/// `batch` bytes or more.
pub(super) struct Batched<W: Write> {
    out: W,
    pub(super) format: TextFormat,
    wrote_header: bool,
    /// Rows written but not yet given to `out`.
    pub(super) buf: Vec<u8>,
    /// How many bytes to gather before writing to `out` (0: each row as it comes).
    batch: usize,
}

impl<W: Write> Batched<W> {
    pub(super) fn new(out: W, format: TextFormat, batch: usize) -> Self {
        Self {
            out,
            format,
            wrote_header: false,
            buf: Vec::with_capacity(batch.max(1024) + 4096),
            batch,
        }
    }

    /// Whether the header is to be written now: the first time asked, for CSV only.
    #[inline]
    pub(super) fn header_due(&mut self) -> bool {
        if self.wrote_header || self.format != TextFormat::Csv {
            return false;
        }
        self.wrote_header = true;
        true
    }

    /// Gives `out` what was gathered once it is `batch` bytes or more.
    #[inline]
    pub(super) fn write_out(&mut self) -> io::Result<()> {
        if self.buf.len() >= self.batch {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Gives `out` the rest and flushes it.
    pub(super) fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}
