//! Writing while reading: batches go to the database on their own thread while the next one is
//! decoded, so a catch-up or rebuild takes about the longer of the two rather than their sum
//! (the database's own work, PostgreSQL's in its server, overlaps too).

use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};

use super::Ingest;
use crate::history::rows::Batch;
use crate::history::{HistoryError, HistoryStore, Result};

/// Where the reading side hands its batches.
pub(super) struct Sink {
    tx: SyncSender<Batch>,
    /// Batches written, back to the reader: their rows are written over by the next records
    /// ([`Ingest::recycle`]) rather than freed and allocated again, which cost more than
    /// writing them (it showed in the profile).
    done: Receiver<Batch>,
}

impl Sink {
    /// Queues `batch` (waiting while the writer is a batch behind). False once the writer has
    /// stopped on an error: the reader stops too, and [`pipelined`] returns that error.
    pub(super) fn send(&mut self, batch: Batch, ingest: &mut Ingest) -> bool {
        while let Ok(written) = self.done.try_recv() {
            ingest.recycle(written);
        }
        self.tx.send(batch).is_ok()
    }
}

/// Runs `read` with a [`Sink`] whose batches a thread writes to `store`, one transaction each,
/// in order. Returns what `read` returned and how many lines were new; the first error of
/// either side (the writer's when both failed: the reader only stopped because of it).
pub(super) fn pipelined<R>(
    store: &mut dyn HistoryStore,
    read: impl FnOnce(&mut Sink) -> Result<R>,
) -> Result<(R, u64)> {
    std::thread::scope(|s| {
        // One batch waiting beside the one being written: reading runs at most two ahead.
        let (tx, rx) = sync_channel::<Batch>(1);
        let (done_tx, done) = channel::<Batch>();
        let writer = std::thread::Builder::new()
            .name("history-write".into())
            .spawn_scoped(s, move || {
                let mut new = 0;
                for batch in rx {
                    new += store.write(&batch)?;
                    // The reader gone (it finished): the batch is dropped here after all.
                    let _ = done_tx.send(batch);
                }
                Ok::<_, HistoryError>(new)
            })
            .map_err(|source| HistoryError::Thread { source })?;
        let mut sink = Sink { tx, done };
        let read = read(&mut sink);
        drop(sink);
        let written = match writer.join() {
            Ok(w) => w,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        match (read, written) {
            (_, Err(e)) => Err(e),
            (Err(e), Ok(_)) => Err(e),
            (Ok(r), Ok(new)) => Ok((r, new)),
        }
    })
}
