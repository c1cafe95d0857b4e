//! Text lines, as App Suite and MiVB sockets send them and as saved logs hold them: one splitter
//! for both, so a file imports exactly as the same bytes collected live would.
//!
//! A line ends in LF; a CR before it is dropped. A line of nothing but spaces, tabs, NULs and
//! CRs is not a record and is skipped. A record line is at most [`MAX_LINE`] bytes: more
//! without a line end is not SMDR (or the stream is out of step), so those bytes come out as
//! garbage, [`MAX_LINE`] at a time, and junk cannot grow a buffer without bound. Where a line is
//! cut depends only on the bytes, never on how they were split on the way.

use std::io::{self, Read};

/// The longest record line.
pub const MAX_LINE: usize = 4096;

/// How far ahead a line end is looked for: a whole line, its CR and its LF.
const WINDOW: usize = MAX_LINE + 2;

/// Why bytes of a text stream are not a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error(
        "more than {MAX_LINE} bytes without a line end: not App Suite or MiVoice Business SMDR, or the stream is out of step"
    )]
    NoLineEnd,
    #[error("a line of {0} bytes: not App Suite or MiVoice Business SMDR")]
    TooLong(usize),
}

/// One piece of a text stream: a record's line (without its line end), or bytes that are not
/// one and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based: the line of the input these bytes are in (blank lines count).
    pub number: u64,
    pub bytes: &'a [u8],
    pub problem: Option<LineError>,
}

/// A line of only spaces, tabs, NULs (the seed script's padding) and CRs.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\0' | b'\r' | b'\n' | b'\t'))
}

/// Where the splitter is in its input: the state both the socket buffer and the file reader
/// keep, and the one place the rules above are applied.
#[derive(Debug, Default, Clone)]
struct Cursor {
    /// Where the next line starts.
    start: usize,
    /// Bytes before this were searched for a line end already (a line arriving a byte at a
    /// time is not searched again from its beginning).
    scanned: usize,
    /// Lines ended so far.
    ended: u64,
}

impl Cursor {
    /// The next piece of `data` from `start`. With `at_end` no more bytes will come, so a last
    /// line needs no line end; otherwise an unfinished line waits (`None`).
    fn next<'a>(&mut self, data: &'a [u8], at_end: bool) -> Option<Line<'a>> {
        loop {
            if self.start >= data.len() {
                return None;
            }
            let window_end = data.len().min(self.start + WINDOW);
            let from = self.scanned.max(self.start);
            let (end, next) = match find_lf(&data[from..window_end]) {
                Some(i) => (from + i, from + i + 1),
                None if window_end - self.start == WINDOW => {
                    let begin = self.start;
                    self.start += MAX_LINE;
                    self.scanned = window_end;
                    return Some(Line {
                        number: self.ended + 1,
                        bytes: &data[begin..self.start],
                        problem: Some(LineError::NoLineEnd),
                    });
                }
                None if at_end => (data.len(), data.len()),
                None => {
                    self.scanned = window_end;
                    return None;
                }
            };
            let begin = self.start;
            self.start = next;
            self.scanned = next;
            self.ended += 1;
            let line = &data[begin..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if is_blank(line) {
                continue;
            }
            let problem = (line.len() > MAX_LINE).then_some(LineError::TooLong(line.len()));
            return Some(Line {
                number: self.ended,
                bytes: line,
                problem,
            });
        }
    }
}

/// Where the first LF of `hay` is. A record line is about a hundred bytes: `memchr::memchr`
/// picks its AVX2 search at run time and sets it up for long inputs, about 130 instructions a
/// MiVB line; memchr's SSE2 searcher (in every x86-64 processor) is called directly.
#[inline]
fn find_lf(hay: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(lf) = memchr::arch::x86_64::sse2::memchr::One::new(b'\n') {
        return lf.find(hay);
    }
    memchr::memchr(b'\n', hay)
}

/// The lines of a whole input (a saved log): the last one needs no line end.
pub struct Lines<'a> {
    data: &'a [u8],
    cursor: Cursor,
}

impl<'a> Lines<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            cursor: Cursor::default(),
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        self.cursor.next(self.data, true)
    }
}

/// Lines from bytes arriving in any split (a socket, or a file read a piece at a time): a line
/// comes out once its line end has.
#[derive(Debug, Default)]
pub struct LineBuffer {
    buf: Vec<u8>,
    /// `buf[..filled]` holds bytes; the rest is room for the next read.
    filled: usize,
    cursor: Cursor,
}

impl LineBuffer {
    pub fn push(&mut self, bytes: &[u8]) {
        self.compact();
        self.buf.truncate(self.filled);
        self.buf.extend_from_slice(bytes);
        self.filled = self.buf.len();
    }

    /// Reads at most `room` more bytes from `reader` straight into the buffer (no copy in
    /// between): how many, 0 at the end of the input.
    pub fn read_from(&mut self, reader: &mut impl Read, room: usize) -> io::Result<usize> {
        self.compact();
        let want = self.filled + room.max(1);
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        loop {
            match reader.read(&mut self.buf[self.filled..want]) {
                Ok(n) => {
                    self.filled += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Drops the lines already taken (only an unfinished line is moved).
    fn compact(&mut self) {
        let done = self.cursor.start;
        if done > 0 {
            self.buf.copy_within(done..self.filled, 0);
            self.filled -= done;
            self.cursor.start = 0;
            self.cursor.scanned -= done;
        }
    }

    /// The next whole line or cut run of garbage; `None` until more bytes arrive.
    pub fn next_line(&mut self) -> Option<Line<'_>> {
        self.cursor.next(&self.buf[..self.filled], false)
    }

    /// [`Self::next_line`] once no more bytes will come: the last line needs no line end.
    pub fn next_line_at_end(&mut self) -> Option<Line<'_>> {
        self.cursor.next(&self.buf[..self.filled], true)
    }

    /// The bytes taken since the last push (whole lines with their line ends, blank lines,
    /// cut runs), as they arrived: what a relay passes on.
    pub fn consumed(&self) -> &[u8] {
        &self.buf[..self.cursor.start]
    }

    /// Bytes of a line not yet ended.
    pub fn pending(&self) -> usize {
        self.filled - self.cursor.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Any length (below, at and past each sixteen), LF anywhere or nowhere.
        #[test]
        fn line_ends_are_found_where_memchr_finds_them(
            len in 0usize..200,
            lfs in proptest::collection::vec(0usize..200, 0..3),
            fill in prop_oneof![Just(b'x'), Just(b'\r'), any::<u8>()],
        ) {
            let mut hay = vec![fill; len];
            for at in lfs {
                if let Some(b) = hay.get_mut(at) {
                    *b = b'\n';
                }
            }
            prop_assert_eq!(find_lf(&hay), memchr::memchr(b'\n', &hay));
        }
    }

    fn owned(lines: impl Iterator<Item = (u64, Vec<u8>, Option<LineError>)>) -> Vec<String> {
        lines
            .map(|(n, b, p)| match p {
                None => format!("{n} {}", String::from_utf8_lossy(&b)),
                Some(p) => format!("{n} garbage {} ({p})", b.len()),
            })
            .collect()
    }

    fn of_file(data: &[u8]) -> Vec<String> {
        owned(Lines::new(data).map(|l| (l.number, l.bytes.to_vec(), l.problem)))
    }

    fn of_socket(pieces: &[&[u8]]) -> Vec<String> {
        let mut buffer = LineBuffer::default();
        let mut out = Vec::new();
        for piece in pieces {
            buffer.push(piece);
            while let Some(l) = buffer.next_line() {
                out.push((l.number, l.bytes.to_vec(), l.problem));
            }
        }
        owned(out.into_iter())
    }

    #[test]
    fn blank_lines_are_skipped_but_counted_and_cr_is_dropped() {
        let data = b"one\r\n\r\n  \0\t \ntwo\nthree";
        assert_eq!(of_file(data), ["1 one", "4 two", "5 three"]);
        // A socket holds the last line until its line end comes.
        assert_eq!(of_socket(&[data]), ["1 one", "4 two"]);
    }

    /// The same bytes give the same lines from a file and from a socket, however they arrive.
    #[test]
    fn a_socket_splits_as_a_file_does_whatever_the_pieces() {
        let mut data = b"a\r\nbb\n".to_vec();
        data.extend(vec![b'x'; MAX_LINE + 1]);
        data.extend(b"\n");
        data.extend(vec![b'y'; MAX_LINE]);
        data.extend(b"\r\n");
        data.extend(vec![b'z'; 2 * MAX_LINE + 10]);
        data.extend(b"\r\nlast\n");
        let whole = of_file(&data);
        assert_eq!(
            whole,
            [
                "1 a".to_string(),
                "2 bb".to_string(),
                format!(
                    "3 garbage {} (a line of 4097 bytes: not App Suite or MiVoice Business SMDR)",
                    MAX_LINE + 1
                ),
                format!("4 {}", "y".repeat(MAX_LINE)),
                format!("5 garbage {MAX_LINE} ({})", LineError::NoLineEnd),
                format!("5 garbage {MAX_LINE} ({})", LineError::NoLineEnd),
                format!("5 {}", "z".repeat(10)),
                "6 last".to_string(),
            ]
        );
        for cut in [1, 2, 3, 7, 100, MAX_LINE - 1, MAX_LINE + 2, MAX_LINE + 9] {
            let pieces: Vec<&[u8]> = data.chunks(cut).collect();
            assert_eq!(of_socket(&pieces), whole, "pieces of {cut}");
        }
    }

    #[test]
    fn pending_counts_the_unfinished_line() {
        let mut b = LineBuffer::default();
        b.push(b"ok\npart");
        assert_eq!(b.next_line().map(|l| l.bytes), Some(&b"ok"[..]));
        assert!(b.next_line().is_none());
        assert_eq!(b.pending(), 4);
    }
}
