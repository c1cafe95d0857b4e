//! The 5000 socket's framing: `u32` little-endian length, then exactly that many bytes.
//!
//! Bytes go in as TCP delivers them, in any split; whole frames come out. A real payload is one
//! text line ending in CR LF (smdr-formats §1.1), so a length above the bound, a payload with a
//! line break before its last two bytes, or one that does not end in CR LF means the stream is
//! not this protocol or is out of step: the framer reports the bytes it skips (never allocating
//! the claimed length) and looks for the next plausible frame. A line break is noticed as soon
//! as it arrives, so four stray bytes that read as a length cannot hold back the real frames
//! behind them until hundreds of bytes have come in.

use thiserror::Error;

/// Frames above this are not SMDR: records are 82 bytes, headers 81.
pub const DEFAULT_MAX_FRAME: u32 = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    #[error(
        "length prefix {len} is larger than {max} bytes: not a 5000 SMDR frame, or the stream is out of step"
    )]
    TooLong { len: u32, max: u32 },
    #[error("length prefix {len} is too short for an SMDR line")]
    TooShort { len: u32 },
    #[error("frame of {len} bytes does not end in CR LF: the stream is out of step")]
    NoLineEnd { len: u32 },
    #[error(
        "length prefix {len} would run past a line end at byte {at} of its payload: not a frame, the stream is out of step"
    )]
    LineBreakInside { len: u32, at: usize },
    #[error(
        "length prefix {len} was never completed (the stream ended after {have} of its bytes) and a whole frame follows: not a frame"
    )]
    Unfinished { len: u32, have: usize },
}

/// What the framer yields: a whole frame's payload, or bytes it had to skip and why.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// The payload (the record text with its CR LF), without the length prefix.
    Data(&'a [u8]),
    /// Bytes that are not a frame, kept so they can be shown and logged, with the reason.
    Garbage { bytes: &'a [u8], reason: FrameError },
}

#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    start: usize,
    max: u32,
    /// Payload bytes of the frame at `start` already found free of line breaks, so a frame
    /// arriving a byte at a time is not searched again from its beginning.
    clean: usize,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_FRAME)
    }
}

const PREFIX: usize = 4;

/// What the bytes at an offset are, as far as they have arrived.
enum Shape {
    /// A whole, valid frame of this many bytes (prefix included).
    Frame(usize),
    /// Not a frame, and why.
    Not(FrameError),
    /// Could still be a frame; this many payload bytes are free of line breaks so far.
    Partial(usize),
}

/// What [`FrameDecoder::next_frame`] does next, as offsets into `buf` (decided before
/// borrowing, so the end-of-stream variant can fall back to a rescan).
enum Step {
    Wait,
    Data { begin: usize, end: usize },
    Skip { end: usize, reason: FrameError },
}

impl FrameDecoder {
    pub fn new(max: u32) -> Self {
        Self {
            buf: Vec::with_capacity(4096),
            start: 0,
            max,
            clean: 0,
        }
    }

    /// Adds received bytes. Consumed bytes are dropped here, not in [`Self::next_frame`], so a
    /// returned frame stays borrowable until the next push.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a whole frame (a torn frame, if the peer disconnects now).
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Forgets a torn frame, e.g. after a disconnect: the next connection starts a fresh stream.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.start = 0;
        self.clean = 0;
    }

    /// The next whole frame or skipped run, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Option<Frame<'_>> {
        // The common case first, without the general path's bookkeeping: a whole, valid frame.
        let avail = &self.buf[self.start..];
        if let Some(len) = read_len(avail).filter(|l| (2..=self.max).contains(l)) {
            let total = PREFIX + len as usize;
            if let Some(frame) = avail.get(..total)
                && frame.ends_with(b"\r\n")
                && line_break(&frame[PREFIX..total - 2]).is_none()
            {
                let begin = self.start + PREFIX;
                self.start += total;
                self.clean = 0;
                return Some(Frame::Data(&self.buf[begin..self.start]));
            }
        }
        let step = self.step(false);
        self.take(step)
    }

    /// Like [`Self::next_frame`] once the stream has ended (disconnect, end of a capture): a
    /// frame left incomplete is skipped when a whole frame starts inside its bytes, so those
    /// come out before anything is discarded. `None` when at most a torn tail is left
    /// ([`Self::pending`]).
    pub fn next_frame_at_end(&mut self) -> Option<Frame<'_>> {
        let step = self.step(true);
        self.take(step)
    }

    fn take(&mut self, step: Step) -> Option<Frame<'_>> {
        match step {
            Step::Wait => None,
            Step::Data { begin, end } => {
                self.start = end;
                self.clean = 0;
                Some(Frame::Data(&self.buf[begin..end]))
            }
            Step::Skip { end, reason } => {
                let begin = self.start;
                self.start = end;
                self.clean = 0;
                Some(Frame::Garbage {
                    bytes: &self.buf[begin..end],
                    reason,
                })
            }
        }
    }

    fn step(&mut self, at_end: bool) -> Step {
        let avail = &self.buf[self.start..];
        match shape(avail, self.clean, self.max) {
            None => Step::Wait,
            Some(Shape::Frame(total)) => Step::Data {
                begin: self.start + PREFIX,
                end: self.start + total,
            },
            Some(Shape::Not(reason)) => self.skip(reason, false),
            Some(Shape::Partial(clean)) if !at_end => {
                self.clean = clean;
                Step::Wait
            }
            Some(Shape::Partial(_)) => {
                let len = read_len(avail).unwrap_or(0);
                let have = avail.len() - PREFIX;
                match self.skip(FrameError::Unfinished { len, have }, true) {
                    // Nothing whole after it: the torn tail stays pending for the caller.
                    Step::Skip { end, .. } if end == self.buf.len() => Step::Wait,
                    step => step,
                }
            }
        }
    }

    /// Skips at least one byte, up to the next offset where a frame could start (or could not be
    /// ruled out yet: that offset is parsed normally once more bytes arrive). At the end of the
    /// stream only a whole frame stops the scan.
    fn skip(&self, reason: FrameError, at_end: bool) -> Step {
        let avail = &self.buf[self.start..];
        let mut skip = 1;
        while skip < avail.len() {
            match shape(&avail[skip..], 0, self.max) {
                Some(Shape::Frame(_)) => break,
                None | Some(Shape::Partial(_)) if !at_end => break,
                _ => skip += 1,
            }
        }
        Step::Skip {
            end: self.start + skip.min(avail.len()),
            reason,
        }
    }
}

/// The length of the whole, valid frame at the start of `data` (prefix included), if there
/// is one (frames no longer than `max`). Used to recognise captures.
pub fn whole_frame_at(data: &[u8], max: u32) -> Option<usize> {
    match shape(data, 0, max)? {
        Shape::Frame(total) => Some(total),
        _ => None,
    }
}

/// The shape of the bytes at the start of `at`, `None` before a whole length prefix.
/// `clean`: payload bytes already known free of line breaks.
fn shape(at: &[u8], clean: usize, max: u32) -> Option<Shape> {
    let len = read_len(at)?;
    if len > max {
        return Some(Shape::Not(FrameError::TooLong { len, max }));
    }
    if len < 2 {
        return Some(Shape::Not(FrameError::TooShort { len }));
    }
    let len_bytes = len as usize;
    let payload = &at[PREFIX..at.len().min(PREFIX + len_bytes)];
    // The line's text: everything before the final CR LF, which holds no line break.
    let text_end = payload.len().min(len_bytes - 2);
    let from = clean.min(text_end);
    if let Some(i) = line_break(&payload[from..text_end]) {
        return Some(Shape::Not(FrameError::LineBreakInside {
            len,
            at: from + i,
        }));
    }
    if payload.len() < len_bytes {
        return Some(Shape::Partial(text_end));
    }
    Some(if payload.ends_with(b"\r\n") {
        Shape::Frame(PREFIX + len_bytes)
    } else {
        Shape::Not(FrameError::NoLineEnd { len })
    })
}

/// Where the first CR or LF is. Record text is printable almost always: the smallest byte,
/// found by a loop the compiler vectorises, rules out both at once, before the search.
#[inline]
fn line_break(text: &[u8]) -> Option<usize> {
    if text.iter().fold(u8::MAX, |m, &b| m.min(b)) > b'\r' {
        return None;
    }
    memchr::memchr2(b'\r', b'\n', text)
}

fn read_len(b: &[u8]) -> Option<u32> {
    let p: [u8; 4] = b.get(..PREFIX)?.try_into().ok()?;
    Some(u32::from_le_bytes(p))
}

/// The record text of a payload: everything before the trailing CR LF.
pub fn payload_text(payload: &[u8]) -> &[u8] {
    let mut end = payload.len();
    while end > 0 && matches!(payload[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &payload[..end]
}

/// Frames a text line as the PBX would send it (used by the simulator and tests).
pub fn encode_frame(text: &[u8], out: &mut Vec<u8>) {
    let len = (text.len() + 2) as u32;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(dec: &mut FrameDecoder) -> Vec<Result<Vec<u8>, FrameError>> {
        let mut out = Vec::new();
        while let Some(f) = dec.next_frame() {
            out.push(match f {
                Frame::Data(d) => Ok(d.to_vec()),
                Frame::Garbage { reason, .. } => Err(reason),
            });
        }
        out
    }

    #[test]
    fn whole_and_split_frames() {
        let mut wire = Vec::new();
        encode_frame(b"hello", &mut wire);
        encode_frame(b"world!", &mut wire);
        let mut dec = FrameDecoder::default();
        dec.push(&wire[..3]);
        assert!(frames(&mut dec).is_empty());
        dec.push(&wire[3..12]);
        assert_eq!(frames(&mut dec), vec![Ok(b"hello\r\n".to_vec())]);
        dec.push(&wire[12..]);
        assert_eq!(frames(&mut dec), vec![Ok(b"world!\r\n".to_vec())]);
        assert!(dec.pending().is_empty());
    }

    #[test]
    fn huge_length_is_an_error_not_an_allocation() {
        let mut dec = FrameDecoder::default();
        let mut wire = vec![0xFF, 0xFF, 0xFF, 0xFF, b'x'];
        encode_frame(b"after", &mut wire);
        dec.push(&wire);
        let got = frames(&mut dec);
        assert_eq!(
            got[0],
            Err(FrameError::TooLong {
                len: u32::MAX,
                max: DEFAULT_MAX_FRAME
            })
        );
        assert_eq!(got.last(), Some(&Ok(b"after\r\n".to_vec())));
        assert!(dec.buf.capacity() < 1 << 16);
    }

    const HEADER: &[u8] =
        b"Station Message Detailed Recording                          00:00:04 07-03-2012";
    const TITLE: &[u8] =
        b"TYP EXT#  TRUNK DIALED DIGITS                START ELAPSED   COST  ACCOUNT CODE";
    const CALL: &[u8] =
        b"TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              ";

    /// The reviewer's repro: four stray bytes that read as a believable length (768) between
    /// frames. They are skipped as soon as a line end shows they cannot be a frame.
    #[test]
    fn a_stray_believable_length_is_skipped_at_the_first_line_end() {
        let mut wire = Vec::new();
        encode_frame(HEADER, &mut wire);
        let junk_at = wire.len();
        wire.extend_from_slice(&[0x00, 0x03, 0x00, 0x00]);
        encode_frame(TITLE, &mut wire);
        let title_end = wire.len();
        encode_frame(CALL, &mut wire);
        encode_frame(CALL, &mut wire);
        let mut dec = FrameDecoder::default();
        // Only as far as the title: the junk is reported and the title is out, without
        // waiting for the 768 bytes the junk claims.
        dec.push(&wire[..title_end]);
        let mut got = frames(&mut dec);
        assert_eq!(
            got,
            vec![
                Ok([HEADER, b"\r\n"].concat()),
                Err(FrameError::LineBreakInside { len: 768, at: 83 }),
                Ok([TITLE, b"\r\n"].concat()),
            ]
        );
        dec.push(&wire[title_end..]);
        got.extend(frames(&mut dec));
        assert_eq!(got.len(), 5);
        assert_eq!(
            got[3..],
            [Ok([CALL, b"\r\n"].concat()), Ok([CALL, b"\r\n"].concat())]
        );
        assert!(dec.pending().is_empty());
        // A byte at a time: the same frames, the same skipped bytes.
        let mut drip = FrameDecoder::default();
        let mut skipped = Vec::new();
        let mut data = 0;
        for b in &wire {
            drip.push(std::slice::from_ref(b));
            while let Some(f) = drip.next_frame() {
                match f {
                    Frame::Data(_) => data += 1,
                    Frame::Garbage { bytes, .. } => skipped.extend_from_slice(bytes),
                }
            }
        }
        assert_eq!((data, &skipped[..]), (4, &wire[junk_at..junk_at + 4]));
    }

    #[test]
    fn a_payload_that_is_not_one_line_is_not_a_frame() {
        let mut dec = FrameDecoder::default();
        let mut wire = Vec::new();
        encode_frame(
            b"a
b", &mut wire,
        );
        encode_frame(b"ok", &mut wire);
        dec.push(&wire);
        let got = frames(&mut dec);
        assert_eq!(got[0], Err(FrameError::LineBreakInside { len: 5, at: 1 }));
        assert_eq!(got.last(), Some(&Ok(b"ok\r\n".to_vec())));
    }

    #[test]
    fn at_the_end_a_torn_tail_stays_pending_and_nothing_whole_is_lost() {
        let mut wire = Vec::new();
        encode_frame(CALL, &mut wire);
        wire.extend_from_slice(&[0x00, 0x03, 0x00, 0x00]);
        let mut torn = Vec::new();
        encode_frame(CALL, &mut torn);
        wire.extend_from_slice(&torn[..40]);
        let mut dec = FrameDecoder::default();
        dec.push(&wire);
        assert_eq!(frames(&mut dec), vec![Ok([CALL, b"\r\n"].concat())]);
        assert_eq!(dec.pending().len(), 44);
        assert!(dec.next_frame_at_end().is_none());
        assert_eq!(
            dec.pending().len(),
            44,
            "a torn tail is the caller's to report"
        );
        assert_eq!(whole_frame_at(&torn, DEFAULT_MAX_FRAME), Some(86));
        assert_eq!(whole_frame_at(&torn[..85], DEFAULT_MAX_FRAME), None);
    }

    #[test]
    fn garbage_bytes_are_reported_and_the_stream_recovers() {
        let mut wire = b"GARBAGE!".to_vec();
        encode_frame(b"ok", &mut wire);
        let mut dec = FrameDecoder::default();
        dec.push(&wire);
        let mut skipped = Vec::new();
        let mut data = Vec::new();
        while let Some(f) = dec.next_frame() {
            match f {
                Frame::Data(d) => data.push(d.to_vec()),
                Frame::Garbage { bytes, .. } => skipped.extend_from_slice(bytes),
            }
        }
        assert_eq!(skipped, b"GARBAGE!");
        assert_eq!(data, vec![b"ok\r\n".to_vec()]);
    }
}
