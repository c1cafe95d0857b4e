//! Bytes from a socket → record bytes. The 5000 sends length-prefixed frames; App Suite and
//! MiVB send lines. Both come out as the record text without framing or line end.

use crate::protocol::mitel5000::framer::{Frame, FrameDecoder, payload_text};

/// A line this long without a line end is not SMDR: reported and dropped from the buffer so a
/// stream of junk cannot grow it without bound.
pub const MAX_LINE: usize = 4096;

/// What the codec yields.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk<'a> {
    /// One record's text, without framing and line end.
    Record(&'a [u8]),
    /// Bytes that are not a record, and why.
    Garbage { bytes: &'a [u8], reason: String },
}

#[derive(Debug)]
pub enum Codec {
    Frames(FrameDecoder),
    Lines(LineDecoder),
}

impl Codec {
    pub fn for_protocol(protocol: super::Protocol) -> Self {
        match protocol {
            super::Protocol::Mitel5000 => Self::Frames(FrameDecoder::default()),
            _ => Self::Lines(LineDecoder::default()),
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        match self {
            Self::Frames(f) => f.push(bytes),
            Self::Lines(l) => l.push(bytes),
        }
    }

    /// The next record or skipped run; `None` until more bytes arrive.
    pub fn next_chunk(&mut self) -> Option<Chunk<'_>> {
        match self {
            Self::Frames(f) => f.next_frame().map(frame_chunk),
            Self::Lines(l) => l.next_chunk(),
        }
    }

    /// Like [`Self::next_chunk`] once the connection has ended: whole frames inside a frame
    /// left incomplete still come out (a line stream has nothing to rescan). What is left in
    /// [`Self::pending`] afterwards is torn.
    pub fn next_chunk_at_end(&mut self) -> Option<Chunk<'_>> {
        match self {
            Self::Frames(f) => f.next_frame_at_end().map(frame_chunk),
            Self::Lines(_) => None,
        }
    }

    /// Bytes of a record not yet complete: torn if the connection ends now.
    pub fn pending(&self) -> usize {
        match self {
            Self::Frames(f) => f.pending().len(),
            Self::Lines(l) => l.buf.len() - l.start,
        }
    }

    /// Forgets a torn record (after a disconnect the next connection starts a fresh stream).
    pub fn reset(&mut self) {
        match self {
            Self::Frames(f) => f.reset(),
            Self::Lines(l) => *l = LineDecoder::default(),
        }
    }
}

/// A frame's payload is one line (the framer refuses any with a line break inside), so its
/// text is one record, as the raw day log needs.
fn frame_chunk(frame: Frame<'_>) -> Chunk<'_> {
    match frame {
        Frame::Data(payload) => Chunk::Record(payload_text(payload)),
        Frame::Garbage { bytes, reason } => Chunk::Garbage {
            bytes,
            reason: reason.to_string(),
        },
    }
}

/// Lines ending in CR LF or LF. Empty lines are not records and are skipped.
#[derive(Debug, Default)]
pub struct LineDecoder {
    buf: Vec<u8>,
    start: usize,
    /// How far `buf[start..]` has been searched for a line end already.
    scanned: usize,
}

impl LineDecoder {
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    pub fn next_chunk(&mut self) -> Option<Chunk<'_>> {
        loop {
            let from = self.scanned.max(self.start);
            let Some(i) = memchr::memchr(b'\n', &self.buf[from..]) else {
                self.scanned = self.buf.len();
                if self.buf.len() - self.start > MAX_LINE {
                    let begin = self.start;
                    self.start += MAX_LINE;
                    return Some(Chunk::Garbage {
                        bytes: &self.buf[begin..self.start],
                        reason: format!(
                            "more than {MAX_LINE} bytes without a line end: not App Suite or MiVoice Business SMDR, or the stream is out of step"
                        ),
                    });
                }
                return None;
            };
            let end = from + i;
            let begin = self.start;
            self.start = end + 1;
            self.scanned = self.start;
            let mut line = &self.buf[begin..end];
            if let Some(l) = line.strip_suffix(b"\r") {
                line = l;
            }
            if line.is_empty() {
                continue;
            }
            if line.len() > MAX_LINE {
                return Some(Chunk::Garbage {
                    bytes: line,
                    reason: format!(
                        "a line of {} bytes: not App Suite or MiVoice Business SMDR",
                        line.len()
                    ),
                });
            }
            return Some(Chunk::Record(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::Protocol;
    use crate::protocol::mitel5000::framer::encode_frame;

    fn drain(c: &mut Codec) -> Vec<Result<Vec<u8>, usize>> {
        let mut out = Vec::new();
        while let Some(ch) = c.next_chunk() {
            out.push(match ch {
                Chunk::Record(r) => Ok(r.to_vec()),
                Chunk::Garbage { bytes, .. } => Err(bytes.len()),
            });
        }
        out
    }

    #[test]
    fn lines_any_split() {
        let data = b"one\r\ntwo\n\r\nthree\r\n";
        for cut in 0..data.len() {
            let mut c = Codec::for_protocol(Protocol::Appsuite);
            c.push(&data[..cut]);
            let mut got = drain(&mut c);
            c.push(&data[cut..]);
            got.extend(drain(&mut c));
            assert_eq!(
                got,
                vec![
                    Ok(b"one".to_vec()),
                    Ok(b"two".to_vec()),
                    Ok(b"three".to_vec())
                ],
                "cut at {cut}"
            );
            assert_eq!(c.pending(), 0);
        }
    }

    #[test]
    fn long_lines_are_garbage_and_torn_lines_are_pending() {
        let mut c = Codec::for_protocol(Protocol::Mivb);
        c.push(&vec![b'x'; MAX_LINE + 10]);
        assert_eq!(drain(&mut c), vec![Err(MAX_LINE)]);
        c.push(b"\r\nok\r\npart");
        assert_eq!(drain(&mut c), vec![Ok(vec![b'x'; 10]), Ok(b"ok".to_vec())]);
        assert_eq!(c.pending(), 4);
        c.reset();
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn frames_strip_framing_and_refuse_inner_line_breaks() {
        let mut wire = Vec::new();
        encode_frame(b"TLC 104", &mut wire);
        encode_frame(b"a\nb", &mut wire);
        wire.extend_from_slice(&[0x52, 0, 0]);
        let mut c = Codec::for_protocol(Protocol::Mitel5000);
        c.push(&wire);
        // The framer skips the frame with a line break and the bytes up to the torn prefix.
        assert_eq!(drain(&mut c), vec![Ok(b"TLC 104".to_vec()), Err(9)]);
        assert_eq!(c.pending(), 3);
    }
}
