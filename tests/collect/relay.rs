//! The relay on loopback: programs get a site's feed from the collector as from the PBX.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use smdr_monitor::collect::{RelayStatus, SiteConfig};
use smdr_monitor::protocol::mitel5000::framer::encode_frame;
use smdr_monitor::protocol::mitel5000::login_frame;
use smdr_monitor::sim::{Faults, SimServer};

use super::harness::*;

const RELAY_PASSWORD: &str = "rel4yPw";

/// A site collecting from a simulator that is not started yet (at `sim_port`), relaying to
/// `entries`: listeners can join before the first byte, so they must get every one.
fn relay_site(scheme: &str, sim_port: u16, entries: &[String]) -> SiteConfig {
    let mut site = site("Site", &format!("{scheme}://127.0.0.1:{sim_port}"));
    site.relay.entries = entries.to_vec();
    site.relay.password = smdr_monitor::collect::Secret::new(RELAY_PASSWORD);
    site
}

/// The site's relay counters as last published.
fn relay_status(h: &Harness) -> RelayStatus {
    h.last_status("Site").map(|s| s.relay).unwrap_or_default()
}

/// Connects to the relay, waiting (bounded) until it listens.
fn connect(addr: SocketAddr) -> TcpStream {
    let until = Instant::now() + WAIT;
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(s) => {
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                return s;
            }
            Err(e) if Instant::now() > until => panic!("the relay never listened on {addr}: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn login(stream: &mut TcpStream, password: &str) {
    stream
        .write_all(&login_frame(Some(password)).unwrap())
        .unwrap();
}

/// Reads until `n` bytes came or the deadline passed.
fn read_n(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let until = Instant::now() + WAIT;
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    while got.len() < n && Instant::now() < until {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => got.extend_from_slice(&buf[..k]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    got
}

/// Reads whole 5000 frames until `n` came (or the deadline passed, or the relay closed).
fn read_frames(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let until = Instant::now() + WAIT;
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    let frames = |data: &[u8]| {
        let (mut at, mut k) = (0, 0);
        while let Some(len) = data.get(at..at + 4) {
            at += 4 + u32::from_le_bytes(len.try_into().unwrap()) as usize;
            if at > data.len() {
                break;
            }
            k += 1;
        }
        k
    };
    while frames(&got) < n && Instant::now() < until {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => got.extend_from_slice(&buf[..k]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    got
}

/// True when the other side closed the connection (within the read timeout).
fn closed(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

fn wait_clients(h: &mut Harness, n: u32) {
    assert!(
        h.wait(|h| relay_status(h).clients == n),
        "relay clients: {:?}, logs: {:#?}",
        relay_status(h),
        h.logs()
    );
}

/// Starts the simulator on the port the site waits for, and has the site connect now.
fn start_sim(
    h: &Harness,
    rt: &tokio::runtime::Runtime,
    scheme: &str,
    port: u16,
    (count, rate): (u64, f64),
) -> SimServer {
    let mut options = smdr_monitor::sim::SimOptions {
        rate,
        password: Some(PASSWORD.into()),
        count: Some(count),
        faults: Faults::default(),
        seed: Some(count ^ 7),
        journal: true,
        ..Default::default()
    };
    if scheme != "mitel5000" {
        options.password = None;
    }
    let sim = SimServer::start(
        rt.handle(),
        &format!("{scheme}://127.0.0.1:{port}"),
        options,
    )
    .unwrap();
    h.collector().retry_now("Site");
    sim
}

/// The bytes the simulator sent whole, as its protocol framed them.
fn wire(sim: &SimServer, framed: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for text in sim.journal() {
        if framed {
            encode_frame(text.as_bytes(), &mut out);
        } else {
            out.extend_from_slice(text.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

#[test]
fn two_5000_listeners_get_every_frame_once_in_order_while_a_stalled_one_is_dropped() {
    let rt = sim_runtime();
    let tmp = tempfile::tempdir().unwrap();
    let mut h = Harness::new(tmp.path());
    let (sim_port, relay_port) = (free_port(), free_port());
    let mut site = relay_site(
        "mitel5000",
        sim_port,
        &[format!("listen 127.0.0.1:{relay_port}")],
    );
    // Room for a reader the scheduler is late to wake on a loaded machine (the feed reads up
    // to 16 KiB at a time); far less than the stalled one falls behind by.
    site.relay.max_behind_kib = 64;
    h.collector().set_sites(vec![site]);
    let relay: SocketAddr = format!("127.0.0.1:{relay_port}").parse().unwrap();
    let mut a = connect(relay);
    let mut b = connect(relay);
    login(&mut a, RELAY_PASSWORD);
    login(&mut b, RELAY_PASSWORD);
    // The stalled one never reads, with a small receive window so it falls behind soon.
    let stalled = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    stalled.set_recv_buffer_size(2048).unwrap();
    stalled.connect(&relay.into()).unwrap();
    let mut stalled: TcpStream = stalled.into();
    login(&mut stalled, RELAY_PASSWORD);
    wait_clients(&mut h, 3);

    // About 500 KiB: more than the stalled one's socket buffers and its 64 KiB together.
    let count = 6000;
    let sim = start_sim(&h, &rt, "mitel5000", sim_port, (count, 4000.0));
    let readers: Vec<_> = [a, b]
        .into_iter()
        .map(|mut s| std::thread::spawn(move || read_frames(&mut s, count as usize)))
        .collect();
    assert!(h.wait(|h| sim.sent() >= count && h.raw_count("Site") >= count as usize));
    assert_eq!(sim.journal().len(), count as usize);
    let expected = wire(&sim, true);
    for reader in readers {
        let got = reader.join().unwrap();
        assert_eq!(got.len(), expected.len());
        assert!(
            got == expected,
            "a listener got other bytes than the PBX sent"
        );
    }
    h.shutdown();
    let status = relay_status(&h);
    assert_eq!(
        (status.drops, status.refused, status.clients),
        (1, 0, 0),
        "{status:?}"
    );
    // Counted as handed over: the stalled one took some before it was dropped.
    assert!(
        status.frames > 2 * count && status.frames < 3 * count,
        "{status:?}"
    );
    assert!(status.bytes > 2 * expected.len() as u64, "{status:?}");
    let logs = h.logs().join("\n");
    assert_eq!(
        logs.matches("relay: relaying to 127.0.0.1:").count(),
        3,
        "{logs}"
    );
    assert_eq!(
        logs.matches("relay: disconnected 127.0.0.1:").count(),
        1,
        "{logs}"
    );
    assert!(logs.contains("(too slow, or it stopped reading)"), "{logs}");
    assert!(!logs.contains(RELAY_PASSWORD) && !logs.contains(PASSWORD));
    let on_disk = connection_logs(&tmp.path().join("Site"));
    assert!(
        on_disk.contains("relay: disconnected 127.0.0.1:"),
        "{on_disk}"
    );
    assert!(!on_disk.contains(RELAY_PASSWORD));
    drop(rt);
}

#[test]
fn a_wrong_relay_password_and_a_stranger_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = Harness::new(tmp.path());
    let (open_port, closed_port) = (free_port(), free_port());
    let mut guarded = relay_site(
        "mitel5000",
        free_port(),
        &[format!("listen 127.0.0.1:{open_port}")],
    );
    guarded.name = "Guarded".into();
    // Only an address that is not this PC's: 127.0.0.1 is then a stranger.
    let mut strict = relay_site(
        "mitel5000",
        free_port(),
        &[format!("listen 127.0.0.1:{closed_port}")],
    );
    strict.relay.allow = vec!["10.9.9.9".into()];
    h.collector().set_sites(vec![guarded, strict]);

    let mut wrong = connect(format!("127.0.0.1:{open_port}").parse().unwrap());
    login(&mut wrong, "guess");
    assert!(closed(&mut wrong), "a wrong relay password is refused");
    let mut stranger = connect(format!("127.0.0.1:{closed_port}").parse().unwrap());
    assert!(closed(&mut stranger), "a stranger is refused at once");
    assert!(h.wait(|h| {
        let logs = h.logs().join("\n");
        logs.contains("wrong relay password") && logs.contains("not on the relay's allow-list")
    }));
    // The counters are published with the next status, which may follow the log line.
    let counted = |h: &Harness| {
        ["Guarded", "Site"].map(|name| {
            h.last_status(name)
                .map(|s| (s.relay.refused, s.relay.clients))
        })
    };
    h.wait(|h| counted(h) == [Some((1, 0)); 2]);
    assert_eq!(
        counted(&h),
        [Some((1, 0)); 2],
        "(refused, clients) of Guarded and Site"
    );
    let logs = h.logs().join("\n");
    assert!(
        logs.contains("relay: refused 127.0.0.1:") && logs.contains(": wrong relay password"),
        "{logs}"
    );
    assert!(
        logs.contains("relay: refused a connection from 127.0.0.1:")
            && logs.contains("not on the relay's allow-list (allowed: 10.9.9.9)"),
        "{logs}"
    );
    assert!(!logs.contains("guess") && !logs.contains(RELAY_PASSWORD));
    h.shutdown();
}

#[test]
fn a_push_relay_reconnects_after_its_target_restarts() {
    let rt = sim_runtime();
    let tmp = tempfile::tempdir().unwrap();
    let mut h = Harness::new(tmp.path());
    let (sim_port, target_port) = (free_port(), free_port());
    let target = TcpListener::bind(("127.0.0.1", target_port)).unwrap();
    h.collector().set_sites(vec![relay_site(
        "appsuite",
        sim_port,
        &[format!("push 127.0.0.1:{target_port}")],
    )]);
    let (mut first, _) = target.accept().unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    wait_clients(&mut h, 1);
    let sim = start_sim(&h, &rt, "appsuite", sim_port, (100_000, 100.0));
    let got = read_n(&mut first, 200);
    assert!(got.len() >= 200, "the target got {} bytes", got.len());
    // The target restarts: its connection and its port go away, then come back.
    drop(first);
    drop(target);
    let gone = format!("relay: 127.0.0.1:{target_port} ");
    assert!(h.wait(|h| h.logs().iter().any(|l| l.starts_with(&gone)
        && (l.contains("closed the connection") || l.contains("went away")))));
    let target = TcpListener::bind(("127.0.0.1", target_port)).unwrap();
    let (mut second, _) = target.accept().unwrap();
    second
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let more = read_n(&mut second, 200);
    assert!(
        more.len() >= 200,
        "after the restart the target got {} bytes",
        more.len()
    );
    // Whole lines as the simulator sent them: the restarted target's bytes are a run of them.
    let text = String::from_utf8(more).unwrap();
    let whole = text.as_bytes()[..text.rfind("\r\n").unwrap() + 2].to_vec();
    // The simulator notes a line as sent just after writing it: wait for its journal.
    assert!(
        h.wait(|_| wire(&sim, false).windows(whole.len()).any(|w| w == whole)),
        "not a run of the sent lines: {:?}",
        String::from_utf8_lossy(&whole)
    );
    let joined = format!("relay: connected to 127.0.0.1:{target_port}: relaying to it");
    assert!(
        h.wait(|h| h.logs().iter().filter(|l| **l == joined).count() == 2),
        "{:#?}",
        h.logs()
    );
    h.shutdown();
    drop(rt);
}

#[test]
fn app_suite_and_mivb_relays_deliver_the_lines_as_received() {
    for scheme in ["appsuite", "mivb"] {
        let rt = sim_runtime();
        let tmp = tempfile::tempdir().unwrap();
        let mut h = Harness::new(tmp.path());
        let (sim_port, relay_port) = (free_port(), free_port());
        h.collector().set_sites(vec![relay_site(
            scheme,
            sim_port,
            &[format!("listen 127.0.0.1:{relay_port}")],
        )]);
        // No login in these protocols: connected is listening.
        let mut client = connect(format!("127.0.0.1:{relay_port}").parse().unwrap());
        wait_clients(&mut h, 1);
        let count = 300;
        let sim = start_sim(&h, &rt, scheme, sim_port, (count, 4000.0));
        assert!(h.wait(|h| sim.sent() >= count && h.raw_count("Site") >= count as usize));
        let expected = wire(&sim, false);
        let got = read_n(&mut client, expected.len());
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{scheme}"
        );
        assert!(h.wait(|h| relay_status(h).frames >= count));
        let status = relay_status(&h);
        assert_eq!(
            (status.clients, status.frames, status.bytes),
            (1, count, expected.len() as u64),
            "{scheme}"
        );
        h.shutdown();
        drop(rt);
    }
}

#[test]
fn a_listener_joining_late_gets_the_last_minutes_replayed_then_live_each_frame_once() {
    let rt = sim_runtime();
    let tmp = tempfile::tempdir().unwrap();
    let mut h = Harness::new(tmp.path());
    let (sim_port, relay_port) = (free_port(), free_port());
    let mut site = relay_site(
        "mitel5000",
        sim_port,
        &[format!("listen 127.0.0.1:{relay_port}")],
    );
    site.relay.replay_minutes = 10;
    h.collector().set_sites(vec![site]);
    // Five seconds of feed: time for the late one to join before it ends, on a loaded machine.
    let count = 1000;
    let sim = start_sim(&h, &rt, "mitel5000", sim_port, (count, 200.0));
    // It joins while the simulator is still sending: the replay ends where the queue begins.
    assert!(h.wait(|h| h.raw_count("Site") >= 100));
    let mut late = connect(format!("127.0.0.1:{relay_port}").parse().unwrap());
    login(&mut late, RELAY_PASSWORD);
    let got = read_frames(&mut late, count as usize);
    assert!(h.wait(|_| sim.sent() >= count));
    assert!(h.wait(|h| relay_status(h).frames > 0));
    assert!(
        relay_status(&h).frames < count,
        "part of it came from the raw day log"
    );
    assert!(
        got == wire(&sim, true),
        "the replay and the live feed differ from what was sent"
    );
    h.shutdown();
    drop(rt);
}
