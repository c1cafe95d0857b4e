//! Fault soak: one collector against a 5000 that misbehaves in every way a network can, fault
//! after fault — split frames, a 1-byte drip, a drop in the middle of a frame, a reset (RST),
//! silence, the PBX restarting — and every record must be in the raw day log and in the store
//! exactly once, in order. Then `kill -9` of the `collect` command mid-stream and a restart: the
//! log is whole up to its last line and the new run writes the next `.N` file.
//!
//! The test is the PBX (blocking sockets on loopback, so each fault happens exactly when it
//! says); the collector runs as the window runs it. CI runs a short round of each fault; the
//! full soak (100 faults, 30 s silences) is `cargo test --test soak -- --ignored` (about 9 min).

#[allow(dead_code)]
#[path = "collect/harness.rs"]
mod harness;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Local;
use smdr_monitor::collect::CollectorEvent;
use smdr_monitor::protocol::mitel5000::framer::encode_frame;
use smdr_monitor::sim::{Faults, Generator, TrafficFormat};
use smdr_monitor::store::Store;

use harness::{Harness, PASSWORD, free_port, raw_log_files, sim, sim_runtime, site};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// The next record in three writes with pauses between.
    Split,
    /// The next record one byte per write.
    Drip,
    /// Part of the next record, then the connection closed (FIN); the PBX sends it whole later.
    DropMidFrame,
    /// Part of the next record, then a reset (RST).
    Reset,
    /// Nothing at all for a while on a healthy connection: it must stay up.
    Silence,
    /// The PBX goes away (listener and connection) and comes back on the same port.
    Restart,
}

const FAULTS: [Fault; 6] = [
    Fault::Split,
    Fault::Drip,
    Fault::DropMidFrame,
    Fault::Reset,
    Fault::Silence,
    Fault::Restart,
];

/// A 5000 on loopback that the test drives record by record.
struct Pbx {
    port: u16,
    listener: Option<TcpListener>,
    conn: Option<TcpStream>,
    traffic: Generator,
    /// Every record sent whole, in order: what the log and the store must hold.
    journal: Vec<String>,
    /// A record torn by a fault: sent whole first on the next connection.
    resend: Option<String>,
    connections: u32,
    rng: fastrand::Rng,
}

const WAIT: Duration = Duration::from_secs(25);

impl Pbx {
    fn new(seed: u64) -> Self {
        let port = free_port();
        Self {
            port,
            listener: Some(listen(port)),
            conn: None,
            traffic: Generator::new(TrafficFormat::Mitel5000, seed, Local::now().naive_local()),
            journal: Vec::new(),
            resend: None,
            connections: 0,
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    fn url(&self) -> String {
        format!("mitel5000://127.0.0.1:{}", self.port)
    }

    /// Accepts the collector's (re)connection and its login, then sends the header and any
    /// record a fault tore.
    fn connected(&mut self) -> &mut TcpStream {
        if self.conn.is_none() {
            let listener = self.listener.get_or_insert_with(|| listen(self.port));
            let deadline = Instant::now() + WAIT;
            let mut stream = loop {
                match listener.accept() {
                    Ok((s, _)) => break s,
                    Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(e) => panic!("the collector did not come back: {e}"),
                }
            };
            stream.set_nonblocking(false).unwrap();
            stream.set_nodelay(true).unwrap();
            stream.set_read_timeout(Some(WAIT)).unwrap();
            let mut len = [0u8; 4];
            stream.read_exact(&mut len).unwrap();
            let mut login = vec![0u8; u32::from_le_bytes(len) as usize];
            stream.read_exact(&mut login).unwrap();
            assert_eq!(login.first(), Some(&0x84), "a 5000 login frame");
            assert_eq!(&login[1..login.len() - 1], PASSWORD.as_bytes());
            self.connections += 1;
            self.conn = Some(stream);
            let header = smdr_monitor::sim::traffic::mitel5000_header(Local::now().naive_local());
            self.send_whole(header);
            if let Some(torn) = self.resend.take() {
                self.send_whole(torn);
            }
        }
        self.conn.as_mut().unwrap()
    }

    fn send_whole(&mut self, text: String) {
        let wire = wire(&text);
        self.connected().write_all(&wire).unwrap();
        self.journal.push(text);
    }

    fn send_next(&mut self) {
        let text = self.traffic.next_line().text;
        self.send_whole(text);
    }

    /// The next record, torn: part of it, then the connection ends (FIN, or RST with `reset`).
    fn tear(&mut self, reset: bool) {
        let text = self.traffic.next_line().text;
        let wire = wire(&text);
        let cut = self.rng.usize(1..wire.len());
        let conn = self.connected();
        conn.write_all(&wire[..cut]).unwrap();
        conn.flush().unwrap();
        let conn = self.conn.take().unwrap();
        if reset {
            socket2::SockRef::from(&conn)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
        }
        drop(conn);
        self.resend = Some(text);
    }

    fn apply(&mut self, fault: Fault, silence: Duration, h: &mut Harness) {
        match fault {
            Fault::Split | Fault::Drip => {
                let text = self.traffic.next_line().text;
                let wire = wire(&text);
                let pieces: Vec<&[u8]> = if fault == Fault::Drip {
                    wire.chunks(1).collect()
                } else {
                    let a = self.rng.usize(1..wire.len() - 1);
                    let b = self.rng.usize(a + 1..wire.len());
                    vec![&wire[..a], &wire[a..b], &wire[b..]]
                };
                let conn = self.connected();
                for p in pieces {
                    conn.write_all(p).unwrap();
                    conn.flush().unwrap();
                    std::thread::sleep(Duration::from_micros(if p.len() == 1 {
                        200
                    } else {
                        20_000
                    }));
                }
                self.journal.push(text);
            }
            Fault::DropMidFrame => self.tear(false),
            Fault::Reset => {
                // A reset throws away what the collector has not read yet (on any PBX): the
                // records sent whole before it must be in first.
                self.settle(h);
                self.tear(true);
            }
            Fault::Silence => {
                self.connected();
                let before = self.connections;
                std::thread::sleep(silence);
                self.send_next();
                self.settle(h);
                assert_eq!(self.connections, before, "the quiet connection was dropped");
                let listener = self.listener.as_ref().unwrap();
                assert!(
                    matches!(listener.accept(), Err(e) if e.kind() == ErrorKind::WouldBlock),
                    "the collector reconnected after silence"
                );
            }
            Fault::Restart => {
                self.settle(h);
                self.conn = None;
                self.listener = None;
                std::thread::sleep(Duration::from_millis(300));
                self.listener = Some(listen(self.port));
            }
        }
    }

    /// Waits (bounded) until the collector has delivered every record sent whole.
    fn settle(&self, h: &mut Harness) {
        let n = self.journal.len();
        assert!(
            h.wait(|h| h.records().len() >= n),
            "{} of {n} records arrived",
            h.records().len()
        );
    }
}

fn listen(port: u16) -> TcpListener {
    let l = TcpListener::bind(("127.0.0.1", port)).unwrap();
    l.set_nonblocking(true).unwrap();
    l
}

fn wire(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(text.as_bytes(), &mut out);
    out
}

/// `faults` faults in a row (cycling through every kind), a few good records around each.
fn soak(faults: usize, silence: Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::new(dir.path());
    let mut pbx = Pbx::new(faults as u64);
    h.collector().set_sites(vec![site("Soak", &pbx.url())]);
    for i in 0..faults {
        for _ in 0..3 {
            pbx.send_next();
        }
        pbx.apply(FAULTS[i % FAULTS.len()], silence, &mut h);
    }
    pbx.send_next();
    pbx.settle(&mut h);
    let sent: Vec<Vec<u8>> = pbx.journal.iter().map(|t| t.as_bytes().to_vec()).collect();
    assert!(h.wait(|h| h.raw_count("Soak") >= sent.len()));
    h.shutdown();

    // Exactly once, in order, in the raw day log…
    assert_eq!(h.raw_texts("Soak"), sent);
    // … and in the store the window would draw.
    let mut store = Store::new();
    for e in std::mem::take(&mut h.seen) {
        if let CollectorEvent::Record(r) = e {
            store.push(r);
        }
    }
    let stored: Vec<Vec<u8>> = store.iter().map(|r| r.text().as_bytes().to_vec()).collect();
    assert_eq!(stored, sent);
    // The first connection, and one after each fault that ends it.
    let ending = [Fault::DropMidFrame, Fault::Reset, Fault::Restart];
    let reconnects = (0..faults)
        .filter(|i| ending.contains(&FAULTS[i % FAULTS.len()]))
        .count();
    assert_eq!(pbx.connections as usize, 1 + reconnects);
}

#[test]
fn every_fault_twice_loses_and_repeats_nothing() {
    soak(2 * FAULTS.len(), Duration::from_secs(2));
}

#[test]
#[ignore = "the full soak: about ten minutes (100 faults, 30 s silences)"]
fn a_hundred_faults_in_a_row_lose_and_repeat_nothing() {
    soak(100, Duration::from_secs(30));
}

/// The whole lines of a raw day log (text after the receipt time), and what follows the last.
fn whole_lines(path: &Path) -> (Vec<Vec<u8>>, usize) {
    let data = std::fs::read(path).unwrap();
    let end = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let lines = data[..end]
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (at, text) = smdr_monitor::rawlog::split_receipt_time(l);
            assert!(at.is_some(), "a line without its receipt time: {l:?}");
            text.to_vec()
        })
        .collect();
    (lines, data.len() - end)
}

fn collect(url: &str, log_dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_smdr-monitor"))
        .args([
            "collect",
            "--site",
            &format!("HQ={url}"),
            "--password",
            PASSWORD,
        ])
        .arg("--log-dir")
        .arg(log_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn kill_9_mid_stream_leaves_whole_lines_and_the_restart_writes_the_next_file() {
    let rt = sim_runtime();
    let sim = sim(&rt, "mitel5000://127.0.0.1:0", 1_000_000, Faults::default());
    let url = harness::url_of(&sim, "mitel5000");
    let dir = tempfile::tempdir().unwrap();
    let site_dir = dir.path().join("HQ");
    let logged = |n: usize| {
        raw_log_files(&site_dir)
            .last()
            .is_some_and(|f| whole_lines(f).0.len() >= n)
    };

    let mut first = collect(&url, dir.path());
    assert!(wait_for(|| logged(200)), "the first run logged too little");
    // SIGKILL: no flush, no shutdown, mid-stream (the simulator sends 400 records a second).
    first.kill().unwrap();
    first.wait().unwrap();
    let files = raw_log_files(&site_dir);
    assert_eq!(files.len(), 1);
    let (lines, _torn_tail) = whole_lines(&files[0]);
    // The simulator journals a record once its write returned, which can be after the
    // collector logged it.
    assert!(wait_for(
        || harness::journal_bytes(&sim).len() >= lines.len()
    ));
    let journal = harness::journal_bytes(&sim);
    assert!(lines.len() >= 200 && lines.len() <= journal.len());
    assert_eq!(lines, journal[..lines.len()], "the log before the kill");

    let mut second = collect(&url, dir.path());
    let next = wait_for(|| raw_log_files(&site_dir).len() == 2 && logged(20));
    second.kill().unwrap();
    second.wait().unwrap();
    assert!(next, "the restart wrote no new file");
    let names: Vec<String> = raw_log_files(&site_dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // `HQ.<YYYYMMDD>.<N>.log`: the same day, the next N.
    let parts = |name: &str| -> (String, u32) {
        let mut p = name.rsplitn(3, '.');
        let (_, n, stem) = (p.next(), p.next().unwrap(), p.next().unwrap());
        (stem.to_string(), n.parse().unwrap())
    };
    let (a, b) = (parts(&names[0]), parts(&names[1]));
    assert_eq!((b.0.as_str(), b.1), (a.0.as_str(), a.1 + 1), "{names:?}");
    sim.stop();
}
