//! Network faults the simulator can put on the wire, to prove collectors survive them.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Which faults to inject (any combination).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// Records cut at random points across several writes.
    pub split: bool,
    /// One byte per write.
    pub drip: bool,
    /// Now and then, close the connection in the middle of a record (sent again whole on the
    /// next connection).
    pub drop: bool,
    /// Random junk bytes between records.
    pub garbage: bool,
}

/// Junk between records. Bytes are 0x80 and above, so a 5000 framer can never read them as a
/// plausible length prefix; for line protocols the junk is a line of its own (junk without a
/// line end would spoil the next record, which no collector can undo).
pub fn junk(rng: &mut fastrand::Rng, framed: bool) -> Vec<u8> {
    let mut j: Vec<u8> = (0..rng.usize(1..24)).map(|_| rng.u8(0x80..=0xFF)).collect();
    if !framed {
        j.extend_from_slice(b"\r\n");
    }
    j
}

/// Writes one record's wire bytes with the faults asked for. With `tear`, only a part of them
/// is written (the caller then closes the connection).
pub async fn write_record<W: AsyncWrite + Unpin>(
    w: &mut W,
    wire: &[u8],
    faults: Faults,
    rng: &mut fastrand::Rng,
    garbage: Option<Vec<u8>>,
    tear: bool,
) -> io::Result<()> {
    if let Some(junk) = garbage {
        w.write_all(&junk).await?;
    }
    if tear {
        let cut = rng.usize(1..wire.len().max(2));
        w.write_all(&wire[..cut.min(wire.len())]).await?;
        return w.flush().await;
    }
    if faults.drip {
        for (i, b) in wire.iter().enumerate() {
            w.write_all(std::slice::from_ref(b)).await?;
            w.flush().await?;
            if i % 8 == 7 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            } else {
                tokio::task::yield_now().await;
            }
        }
        return Ok(());
    }
    if faults.split {
        let mut cuts: Vec<usize> = (0..rng.usize(1..4))
            .map(|_| rng.usize(1..wire.len().max(2)))
            .collect();
        cuts.push(wire.len());
        cuts.sort_unstable();
        let mut from = 0;
        for cut in cuts {
            let cut = cut.min(wire.len());
            if cut > from {
                w.write_all(&wire[from..cut]).await?;
                w.flush().await?;
                tokio::time::sleep(Duration::from_millis(1)).await;
                from = cut;
            }
        }
        return Ok(());
    }
    w.write_all(wire).await
}
