//! One site's bookkeeping, shared by its connections: the raw day log (written first), the
//! decoder, the connection log, state and counters, and the events sent to consumers.

use std::path::Path;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveDate};

use super::clock::Clock;
use super::codec::{Chunk, Codec};
use super::daylog::{ConnectionLog, Earlier, RawLog, gap_message, stop_message};
use super::events::{CollectorEvent, Direction, Gap, GapCause, SiteState, SiteStatus};
use super::relay::Fanout;
use super::site::SiteConfig;
use crate::protocol::hex::hex_preview;
use crate::protocol::mitel5000::framer::encode_frame;
use crate::protocol::{Format, Record, Source, StreamDecoder};
use crate::wake::Wake;

/// Counter changes are sent at most this often (state changes at once).
pub const STATUS_INTERVAL: Duration = Duration::from_millis(250);
/// A span without a connection shorter than this is a reconnect, not a gap worth reporting.
const MIN_GAP: chrono::TimeDelta = chrono::TimeDelta::seconds(1);
const MAX_GAPS: usize = 50;

/// Where a connection's state goes: a site runs one feed, or two (App Suite local + push).
pub type Slot = usize;

pub struct SiteSink {
    name: Arc<str>,
    format: Format,
    clock: Clock,
    events: Sender<CollectorEvent>,
    wake: Wake,
    raw: RawLog,
    conn: ConnectionLog,
    decoder: StreamDecoder,
    pub(super) status: SiteStatus,
    /// The relay's clients (none unless the site relays and someone listens).
    pub(super) relay: Fanout,
    slots: [Option<SiteState>; 2],
    /// Feeds that have connected once: their next connection is a reconnection.
    connected_before: [bool; 2],
    connections: u32,
    gap_from: Option<DateTime<Local>>,
    counters_day: NaiveDate,
    dirty: bool,
    last_status: Option<Instant>,
    conn_log_failing: bool,
}

/// The sink behind a lock: held only for synchronous work, never across an `await`.
pub type SharedSink = Arc<Mutex<SiteSink>>;

impl SiteSink {
    pub fn new(
        config: &SiteConfig,
        log_dir: &Path,
        clock: Clock,
        events: Sender<CollectorEvent>,
        wake: Wake,
    ) -> Self {
        let now = clock.now();
        let decoder = StreamDecoder::new(config.decode_options(now.date_naive()));
        Self {
            name: config.name.as_str().into(),
            format: config.protocol.format(),
            events,
            wake,
            raw: RawLog::new(log_dir, &config.name),
            conn: ConnectionLog::new(log_dir, &config.name),
            decoder,
            // The first real state differs, so it is sent.
            status: SiteStatus::new(SiteState::Stopped),
            relay: Fanout::default(),
            slots: [None, None],
            connected_before: [false, false],
            connections: 0,
            gap_from: Some(now),
            counters_day: now.date_naive(),
            dirty: false,
            last_status: None,
            conn_log_failing: false,
            clock,
        }
    }

    pub fn now(&self) -> DateTime<Local> {
        self.clock.now()
    }

    /// Takes up today's counters and spans from what earlier runs wrote ([`Earlier`]), and
    /// records the time since the last run as not collected (paused, program closed…). Called
    /// before the first status is sent.
    pub fn resume(&mut self, earlier: Earlier) {
        self.status.records_today = earlier.records;
        self.status.last_record = earlier.last_record;
        let mut gaps = earlier.gaps;
        gaps.drain(..gaps.len().saturating_sub(MAX_GAPS));
        self.status.gaps = gaps;
        if let Some((from, cause)) = earlier.ended {
            let to = self.now();
            self.push_gap(Gap { from, to, cause }, "");
        }
    }

    fn send(&self, event: CollectorEvent) {
        // A consumer that went away is not an error of this site: keep logging to disk.
        let _ = self.events.send(event);
        (self.wake)();
    }

    /// A line of the connection log, also sent as a `Log` event. Returns where it was written.
    pub fn log(&mut self, message: impl Into<String>) -> Option<Source> {
        let message = message.into();
        let at = self.now();
        tracing::debug!(site = %self.name, "{message}");
        let written = match self.conn.append(&at, &message) {
            Ok((origin, line)) => {
                self.conn_log_failing = false;
                Some(Source { origin, line })
            }
            Err(e) => {
                if !self.conn_log_failing {
                    tracing::warn!(site = %self.name, "cannot write the connection log: {e}");
                    self.conn_log_failing = true;
                }
                None
            }
        };
        self.send(CollectorEvent::Log {
            site: self.name.clone(),
            at,
            message,
        });
        written
    }

    pub fn set_state(&mut self, slot: Slot, state: SiteState) {
        self.slots[slot] = Some(state);
        self.update_state();
    }

    /// A feed ended for good (the site is stopping).
    pub fn clear_slot(&mut self, slot: Slot) {
        self.slots[slot] = None;
        self.update_state();
    }

    fn update_state(&mut self) {
        fn rank(s: &SiteState) -> u8 {
            match s {
                SiteState::Receiving => 5,
                SiteState::WaitingForData => 4,
                SiteState::Listening => 3,
                SiteState::Connecting => 2,
                SiteState::BackingOff { .. } => 1,
                SiteState::Stopped => 0,
            }
        }
        let best = self
            .slots
            .iter()
            .flatten()
            .max_by_key(|s| rank(s))
            .cloned()
            .unwrap_or(SiteState::Stopped);
        if best != self.status.state {
            self.status.state = best;
            self.send_status();
        }
    }

    pub(super) fn send_status(&mut self) {
        self.dirty = false;
        self.last_status = Some(Instant::now());
        self.send(CollectorEvent::Status {
            site: self.name.clone(),
            status: self.status.clone(),
        });
    }

    pub(super) fn counters_changed(&mut self) {
        if self
            .last_status
            .is_none_or(|t| t.elapsed() >= STATUS_INTERVAL)
        {
            self.send_status();
        } else {
            self.dirty = true;
        }
    }

    /// Called every [`STATUS_INTERVAL`]: sends held-back counters, resets them at midnight.
    pub fn tick(&mut self) {
        let today = self.now().date_naive();
        self.roll_counters(today);
        if self.dirty {
            self.send_status();
        }
    }

    fn roll_counters(&mut self, today: NaiveDate) {
        if today != self.counters_day {
            self.counters_day = today;
            self.status.records_today = 0;
            self.dirty = true;
        }
    }

    /// A feed connected: after its first connection, each one counts as a reconnection (failed
    /// attempts do not).
    pub fn connected(&mut self, slot: Slot) {
        if std::mem::replace(&mut self.connected_before[slot], true) {
            self.status.reconnects += 1;
            self.counters_changed();
        }
        self.connections += 1;
        if let Some(from) = self.gap_from.take() {
            self.close_gap(from, "");
        }
    }

    pub fn disconnected(&mut self) {
        self.connections = self.connections.saturating_sub(1);
        if self.connections == 0 && self.gap_from.is_none() {
            self.gap_from = Some(self.now());
        }
    }

    fn close_gap(&mut self, from: DateTime<Local>, why: &str) {
        let gap = Gap {
            from,
            to: self.now(),
            cause: GapCause::NoConnection,
        };
        if self.push_gap(gap, why) {
            self.counters_changed();
        }
    }

    /// Logs and keeps a span not collected, unless it is too short to matter.
    fn push_gap(&mut self, gap: Gap, note: &str) -> bool {
        if gap.to - gap.from < MIN_GAP {
            return false;
        }
        self.log(gap_message(&gap, note));
        if self.status.gaps.len() >= MAX_GAPS {
            self.status.gaps.remove(0);
        }
        self.status.gaps.push(gap);
        true
    }

    /// Bytes read from a connection: shown raw, then split into records.
    pub fn received(&mut self, slot: Slot, bytes: &[u8], codec: &mut Codec) {
        let at = self.now();
        self.send(CollectorEvent::Raw {
            site: self.name.clone(),
            at,
            direction: Direction::Received,
            bytes: bytes.to_vec(),
        });
        if self.slots[slot] == Some(SiteState::WaitingForData) {
            self.set_state(slot, SiteState::Receiving);
        }
        codec.push(bytes);
        self.records_out(&at, codec, false);
    }

    /// The whole records in `codec` (at the end of a connection: also those behind a torn
    /// length), each written, decoded and sent; then relayed when anyone listens.
    fn records_out(&mut self, at: &DateTime<Local>, codec: &mut Codec, at_end: bool) {
        // Only when someone listens is anything copied for the relay.
        let mut relay = (!self.relay.is_idle()).then(Vec::new);
        let framed = matches!(codec, Codec::Frames(_));
        let mut records = 0;
        loop {
            let chunk = if at_end {
                codec.next_chunk_at_end()
            } else {
                codec.next_chunk()
            };
            let Some(chunk) = chunk else { break };
            match chunk {
                Chunk::Record(text) => {
                    if let (Some(out), true) = (relay.as_mut(), framed) {
                        // The frame as received: the framer takes a frame only when its
                        // payload is this text and CR LF, and its length says so.
                        encode_frame(text, out);
                    }
                    records += 1;
                    self.record(at, text);
                }
                Chunk::Garbage { bytes, reason } => self.garbage(at, bytes, reason),
            }
        }
        if let Some(mut out) = relay {
            // At the end a line stream has nothing more: its bytes went with the last read.
            if !framed && !at_end {
                // The lines as received: every byte the line splitter has finished with.
                out.extend_from_slice(codec.consumed());
            }
            self.relay_send(out, records);
        }
    }

    /// The raw day log being written and its lines so far (a relay replay reads up to there).
    pub(super) fn raw_written(&self) -> Option<(Arc<str>, u64)> {
        self.raw.written()
    }

    /// Bytes we sent (the 5000 login, password already masked).
    pub fn sent(&mut self, masked: Vec<u8>) {
        let at = self.now();
        self.send(CollectorEvent::Raw {
            site: self.name.clone(),
            at,
            direction: Direction::Sent,
            bytes: masked,
        });
    }

    /// One record: appended to the raw day log and flushed, then decoded and sent.
    fn record(&mut self, at: &DateTime<Local>, text: &[u8]) {
        let source = match self.raw.append(at, text) {
            Ok(w) => {
                if w.new_file {
                    self.log(format!("records go to {}", w.path));
                }
                if self.status.raw_log_error.take().is_some() {
                    self.log("the raw day log is written again: records are saved");
                    self.send_status();
                }
                Source {
                    origin: w.path,
                    line: w.line,
                }
            }
            Err(e) => {
                self.status.unsaved += 1;
                if self.status.raw_log_error.is_none() {
                    // Once per failure streak, and at once in the status: the connection log
                    // is likely failing too, so consumers must say it themselves.
                    let why = format!(
                        "cannot write the raw day log in {}: {e}",
                        self.raw.dir().display()
                    );
                    self.log(format!(
                        "{why} — records are shown but NOT saved until this is fixed"
                    ));
                    self.status.raw_log_error = Some(why);
                    self.send_status();
                }
                Source {
                    origin: format!("{} (not saved)", self.name).into(),
                    line: 0,
                }
            }
        };
        let record = self
            .decoder
            .record(&self.name, source, text, Some(at.fixed_offset()));
        self.send(CollectorEvent::Record(record));
        self.roll_counters(at.date_naive());
        self.status.records_today += 1;
        self.status.last_record = Some(*at);
        self.counters_changed();
    }

    /// Bytes that are not a record: kept visible as an unparsed record and as hex in the
    /// connection log, but not written to the raw day log (its lines are records).
    fn garbage(&mut self, at: &DateTime<Local>, bytes: &[u8], reason: String) {
        let source = self
            .log(format!(
                "skipped {} bytes that are not a record ({reason}): {}",
                bytes.len(),
                hex_preview(bytes, 48)
            ))
            .unwrap_or_else(|| Source {
                origin: format!("{} connection", self.name).into(),
                line: 0,
            });
        let mut record = Record::garbage(self.name.clone(), source, self.format, bytes, reason);
        record.received = Some(at.fixed_offset());
        self.send(CollectorEvent::Record(record));
    }

    /// A connection ended: whole frames still buffered come out first (behind a length that
    /// was never completed), then a record cut off by the disconnect is discarded.
    pub fn discard_torn(&mut self, codec: &mut Codec) {
        let at = self.now();
        self.records_out(&at, codec, true);
        let torn = codec.pending();
        if torn > 0 {
            let s = if torn == 1 { "" } else { "s" };
            self.log(format!(
                "connection dropped inside a record: {torn} byte{s} discarded"
            ));
        }
        codec.reset();
    }

    /// The site is stopping (`why`: paused, program closed…): close an open gap, say so (the
    /// next start reads it back), and send the final status.
    pub fn stopped(&mut self, why: GapCause) {
        if let Some(from) = self.gap_from.take() {
            self.close_gap(from, " (until collection stopped)");
        }
        self.log(stop_message(why));
        self.slots = [None, None];
        self.relay_stop();
        self.status.state = SiteState::Stopped;
        self.send_status();
    }
}
