//! The 5000 socket's framing: `u32` little-endian length, then exactly that many bytes.
//!
//! Bytes go in as TCP delivers them, in any split; whole frames come out. A length above the
//! bound means the stream is not this protocol or is out of step: the framer reports the bytes
//! it skips (never allocating the claimed length) and looks for the next plausible frame.

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
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_FRAME)
    }
}

const PREFIX: usize = 4;

impl FrameDecoder {
    pub fn new(max: u32) -> Self {
        Self {
            buf: Vec::with_capacity(4096),
            start: 0,
            max,
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
    }

    /// The next whole frame or skipped run, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Option<Frame<'_>> {
        let avail = &self.buf[self.start..];
        let len = read_len(avail)?;
        if let Err(reason) = self.check_len(len) {
            return self.skip_to_plausible(reason);
        }
        let total = PREFIX + len as usize;
        if avail.len() < total {
            return None;
        }
        if !avail[..total].ends_with(b"\r\n") {
            return self.skip_to_plausible(FrameError::NoLineEnd { len });
        }
        let begin = self.start + PREFIX;
        self.start += total;
        Some(Frame::Data(&self.buf[begin..self.start]))
    }

    fn check_len(&self, len: u32) -> Result<(), FrameError> {
        if len > self.max {
            Err(FrameError::TooLong { len, max: self.max })
        } else if len < 2 {
            Err(FrameError::TooShort { len })
        } else {
            Ok(())
        }
    }

    /// Skips at least one byte, up to the next offset where a frame could start (or could not be
    /// ruled out yet: that offset is parsed normally once more bytes arrive).
    fn skip_to_plausible(&mut self, reason: FrameError) -> Option<Frame<'_>> {
        let avail = &self.buf[self.start..];
        let mut skip = 1;
        while skip < avail.len() && matches!(self.plausible_at(&avail[skip..]), Plausible::No) {
            skip += 1;
        }
        let begin = self.start;
        self.start += skip.min(avail.len());
        Some(Frame::Garbage {
            bytes: &self.buf[begin..self.start],
            reason,
        })
    }

    fn plausible_at(&self, at: &[u8]) -> Plausible {
        let Some(len) = read_len(at) else {
            return Plausible::NeedMore;
        };
        if self.check_len(len).is_err() {
            return Plausible::No;
        }
        let total = PREFIX + len as usize;
        match at.get(..total) {
            None => Plausible::NeedMore,
            Some(frame) if frame.ends_with(b"\r\n") => Plausible::Yes,
            Some(_) => Plausible::No,
        }
    }
}

enum Plausible {
    Yes,
    No,
    NeedMore,
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
