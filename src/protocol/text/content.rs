//! Which columns of an ASCII fixed-column line hold something other than padding (space, NUL,
//! tab), one bit each. Built once per line, sixteen bytes at a time, it makes trimming a field
//! two bit scans instead of a loop over its padding: a MiVB line trims thirteen fields, most of
//! them mostly spaces, and those loops were a third of its decoding.

/// Columns from here on are trimmed byte by byte (the layouts' fields end by column 139).
pub const MASKED: usize = 192;

/// One bit per column of the line's first [`MASKED`] bytes, set where the byte is not padding.
/// A spare word of zeros lets any two neighbouring words be read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Content {
    words: [u64; MASKED / 64 + 1],
}

impl Content {
    /// The mask of a line's bytes (columns past the line are padding), when the line is ASCII:
    /// the same pass over the bytes tells.
    #[inline]
    pub fn of_ascii(bytes: &[u8]) -> Option<Self> {
        let mut words = [0u64; MASKED / 64 + 1];
        let (masked, past) = bytes.split_at(bytes.len().min(MASKED));
        let (chunks, rest) = masked.as_chunks::<16>();
        let mut high = 0;
        for (i, chunk) in chunks.iter().enumerate() {
            let (content, h) = content16(chunk);
            words[i / 4] |= u64::from(content) << (16 * (i % 4));
            high |= h;
        }
        if !rest.is_empty() {
            let mut c = [b' '; 16];
            c[..rest.len()].copy_from_slice(rest);
            let i = chunks.len();
            let (content, h) = content16(&c);
            words[i / 4] |= u64::from(content) << (16 * (i % 4));
            high |= h;
        }
        (high == 0 && super::is_ascii(past)).then_some(Self { words })
    }

    /// Columns `start..end` without the padding at either end, as a column range (empty at
    /// `start` when every column is padding). Needs `start < end <= MASKED` and at most 64
    /// columns.
    #[inline(always)]
    pub fn trim(&self, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(start < end && end <= MASKED && end - start <= 64);
        let (w, s) = (start / 64, start % 64);
        // The 64 columns from `start` (the next word's shifted in by two steps, so that no
        // shift is by 64), cut to the field's width.
        let bits = (self.words[w] >> s | (self.words[w + 1] << 1) << (63 - s))
            & (u64::MAX >> (64 - (end - start)));
        if bits == 0 {
            return (start, start);
        }
        let first = start + bits.trailing_zeros() as usize;
        let last = start + 64 - bits.leading_zeros() as usize;
        (first, last)
    }
}

/// Two masks of sixteen bytes: bit `i` of the first set where byte `i` is not padding, of the
/// second where it is not ASCII. SSE2's byte compares where x86-64 has them (it always does), a
/// loop elsewhere.
#[cfg(target_arch = "x86_64")]
#[inline]
fn content16(c: &[u8; 16]) -> (u16, u16) {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };
    // SAFETY: SSE2 is in every x86-64 processor (the target's baseline), and the load reads
    // the 16 bytes of `c` (unaligned loads are allowed).
    let (pad, high) = unsafe {
        let v = _mm_loadu_si128(c.as_ptr().cast());
        let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
        let nul = _mm_cmpeq_epi8(v, _mm_setzero_si128());
        let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
        let pad = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(space, nul), tab));
        // A byte's top bit: set on every byte that is not ASCII.
        (pad, _mm_movemask_epi8(v))
    };
    // Truncation intended: movemask sets the low 16 bits only.
    (!(pad as u16), high as u16)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn content16(c: &[u8; 16]) -> (u16, u16) {
    c.iter().enumerate().fold((0, 0), |(m, h), (i, b)| {
        (
            m | (u16::from(!matches!(b, b' ' | b'\0' | b'\t')) << i),
            h | (u16::from(!b.is_ascii()) << i),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_as_the_byte_loop_does() {
        let line = b"  ab \0c\t  x".repeat(20);
        let content = Content::of_ascii(&line).expect("ASCII");
        for start in 0..MASKED {
            for end in start + 1..(start + 64).min(MASKED) + 1 {
                let (a, b) = content.trim(start, end);
                let piece = &line[start.min(line.len())..end.min(line.len())];
                let pad = |c: &u8| matches!(c, b' ' | b'\0' | b'\t');
                let want = match piece.iter().position(|c| !pad(c)) {
                    Some(i) => {
                        let j = piece.iter().rposition(|c| !pad(c)).map_or(i, |j| j + 1);
                        (start + i, start + j)
                    }
                    None => (start, start),
                };
                assert_eq!((a, b), want, "{start}..{end}");
            }
        }
    }

    #[test]
    fn a_byte_past_ascii_anywhere_is_seen() {
        for len in [1, 15, 16, 17, 100, MASKED, MASKED + 1, 300] {
            let mut line = vec![b'a'; len];
            assert!(Content::of_ascii(&line).is_some(), "{len}");
            for at in 0..len {
                line[at] = 0x80 | (at as u8);
                assert!(Content::of_ascii(&line).is_none(), "{len} {at}");
                line[at] = b'a';
            }
        }
    }
}
