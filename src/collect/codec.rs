//! Bytes from a socket → record bytes. The 5000 sends length-prefixed frames; App Suite and
//! MiVB send lines. Both come out as the record text without framing or line end.

use crate::protocol::lines::{Line, LineBuffer};
use crate::protocol::mitel5000::framer::{Frame, FrameDecoder, payload_text};

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
    Lines(LineBuffer),
}

impl Codec {
    pub fn for_protocol(protocol: super::Protocol) -> Self {
        match protocol {
            super::Protocol::Mitel5000 => Self::Frames(FrameDecoder::default()),
            _ => Self::Lines(LineBuffer::default()),
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
            Self::Lines(l) => l.next_line().map(line_chunk),
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

    /// A line stream's bytes the splitter has finished with since the last push (whole lines
    /// with their line ends, blank lines, cut runs), exactly as received; nothing for frames.
    pub fn consumed(&self) -> &[u8] {
        match self {
            Self::Frames(_) => &[],
            Self::Lines(l) => l.consumed(),
        }
    }

    /// Bytes of a record not yet complete: torn if the connection ends now.
    pub fn pending(&self) -> usize {
        match self {
            Self::Frames(f) => f.pending().len(),
            Self::Lines(l) => l.pending(),
        }
    }

    /// Forgets a torn record (after a disconnect the next connection starts a fresh stream).
    pub fn reset(&mut self) {
        match self {
            Self::Frames(f) => f.reset(),
            Self::Lines(l) => *l = LineBuffer::default(),
        }
    }
}

/// App Suite and MiVB lines, split as a saved log's are (`protocol::lines`).
fn line_chunk(line: Line<'_>) -> Chunk<'_> {
    match line.problem {
        None => Chunk::Record(line.bytes),
        Some(reason) => Chunk::Garbage {
            bytes: line.bytes,
            reason: reason.to_string(),
        },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::Protocol;
    use crate::protocol::lines::MAX_LINE;
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
