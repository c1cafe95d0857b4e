//! Reading saved SMDR from files: binary socket captures (5000 length-prefixed frames), text
//! logs (one record per line, including the seed script's `R   `/`Q   ` logs with NULs), and
//! the project's own raw day logs (`<RFC 3339 receipt time>\t<record text>`), whose receipt
//! times then date the records. Saved data takes the same road as live data: framer, decoder.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use std::borrow::Cow;

use crate::protocol::mitel5000::framer::{DEFAULT_MAX_FRAME, Frame, FrameDecoder, payload_text};
use crate::protocol::record::lossy;
use crate::protocol::{Body, Decoded, Format, StreamDecoder};
use crate::store::{Incoming, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Length-prefixed 5000 frames as the socket sends them.
    Capture,
    /// Text lines.
    Text,
}

/// A capture is a run of sane little-endian lengths whose frames end in CR LF. The first three
/// frames are checked: a seed-script log starts with `Q\0\0\0`, which reads as one valid frame.
pub fn sniff(data: &[u8]) -> InputKind {
    let mut at = 0;
    for _ in 0..3 {
        if at == data.len() && at > 0 {
            break;
        }
        let Some(p) = data.get(at..at + 4) else {
            return InputKind::Text;
        };
        let len = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
        let end = at + 4 + len as usize;
        let plausible = (2..=DEFAULT_MAX_FRAME).contains(&len)
            && data.get(end - 2..end).is_some_and(|e| e == b"\r\n");
        if !plausible {
            return InputKind::Text;
        }
        at = end;
    }
    InputKind::Capture
}

/// One unit of input: the bytes of one record, where it was, and when it was received.
pub struct Item<'a> {
    /// 1-based line number for text, frame number for captures.
    pub number: u64,
    pub bytes: &'a [u8],
    pub received: Option<DateTime<FixedOffset>>,
    /// Set for bytes the framer had to skip: why they are not a record.
    pub problem: Option<String>,
}

/// Splits input into record items, in order. Blank lines are not records and are skipped.
pub fn items(data: &[u8], mut f: impl FnMut(Item<'_>)) {
    match sniff(data) {
        InputKind::Capture => {
            let mut framer = FrameDecoder::default();
            framer.push(data);
            let mut number = 0;
            while let Some(frame) = framer.next_frame() {
                number += 1;
                match frame {
                    Frame::Data(payload) => f(Item {
                        number,
                        bytes: payload_text(payload),
                        received: None,
                        problem: None,
                    }),
                    Frame::Garbage { bytes, reason } => f(Item {
                        number,
                        bytes,
                        received: None,
                        problem: Some(reason.to_string()),
                    }),
                }
            }
            let rest = framer.pending();
            if !rest.is_empty() {
                let problem = format!(
                    "capture ends inside a frame: {} bytes of an incomplete frame",
                    rest.len()
                );
                f(Item {
                    number: number + 1,
                    bytes: rest,
                    received: None,
                    problem: Some(problem),
                });
            }
        }
        InputKind::Text => {
            let mut start = 0;
            let mut number = 0;
            while start < data.len() {
                let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
                number += 1;
                let line = &data[start..end];
                start = end + 1;
                if is_blank_bytes(line) {
                    continue;
                }
                let (received, bytes) = split_receipt_time(line);
                f(Item {
                    number,
                    bytes,
                    received,
                    problem: None,
                });
            }
        }
    }
}

fn is_blank_bytes(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\0' | b'\r' | b'\n' | b'\t'))
}

/// A raw-day-log line: `2026-11-22T14:02:11.123+01:00<TAB>text`. Other lines have no time.
pub fn split_receipt_time(line: &[u8]) -> (Option<DateTime<FixedOffset>>, &[u8]) {
    // RFC 3339 with offset is 20 to 35 bytes; look for the tab only near the start.
    let Some(tab) = line.iter().take(40).position(|&b| b == b'\t') else {
        return (None, line);
    };
    let stamp = std::str::from_utf8(&line[..tab]).ok();
    match stamp.and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
        Some(t) => (Some(t), &line[tab + 1..]),
        None => (None, line),
    }
}

/// Decodes all of `data` into `store`, in order, without an owned copy per record. `after_each`
/// sees the store and the input bytes consumed so far after every record (for batching and
/// progress).
pub fn into_store(
    data: &[u8],
    origin: &Arc<str>,
    site: &Arc<str>,
    decoder: &mut StreamDecoder,
    store: &mut Store,
    mut after_each: impl FnMut(&mut Store, u64),
) {
    let mut consumed = 0u64;
    items(data, |item| {
        let text = lossy(item.bytes);
        let exact = matches!(text, Cow::Borrowed(_));
        let decoded = match &item.problem {
            Some(reason) => Decoded {
                format: Format::Mitel5000,
                text: &text,
                date: Default::default(),
                body: Body::Unparsed(reason.clone()),
            },
            None => decoder.decode(&text, item.received),
        };
        store.push_incoming(&Incoming {
            site,
            origin,
            line: item.number,
            received: item.received,
            padding: decoder.padding(),
            bytes: (!exact).then_some(item.bytes),
            decoded: &decoded,
            problem: item.problem.as_deref(),
        });
        // The line end or length prefix is not in the item: near enough for progress.
        consumed += item.bytes.len() as u64 + 2;
        after_each(store, consumed);
    });
}

/// Decodes all of `data` without building owned records (the CLI's fast path).
pub fn decode_each(data: &[u8], decoder: &mut StreamDecoder, mut f: impl FnMut(u64, &Decoded<'_>)) {
    items(data, |item| {
        let text = String::from_utf8_lossy(item.bytes);
        match item.problem {
            Some(reason) => {
                let d = Decoded {
                    format: Format::Mitel5000,
                    text: &text,
                    date: Default::default(),
                    body: Body::Unparsed(reason),
                };
                f(item.number, &d);
            }
            None => f(item.number, &decoder.decode(&text, item.received)),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_time_prefix() {
        let (t, rest) = split_receipt_time(b"2026-11-22T00:10:00.250+01:00\tNET 1234");
        assert_eq!(t.unwrap().to_rfc3339(), "2026-11-22T00:10:00.250+01:00");
        assert_eq!(rest, b"NET 1234");
        let (t, rest) = split_receipt_time(b"NET\t1234");
        assert!(t.is_none());
        assert_eq!(rest, b"NET\t1234");
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"\x05\0\0\0abc\r\n"), InputKind::Capture);
        assert_eq!(sniff(b"\x05\0\0\0abc\r\n\r\nR\0\0\0"), InputKind::Text);
        assert_eq!(sniff(b"R\0\0\0NET 1234"), InputKind::Text);
        assert_eq!(sniff(b""), InputKind::Text);
    }
}
