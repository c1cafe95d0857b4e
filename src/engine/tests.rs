use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::collect::{Direction, SiteConfig};

/// Counts what it sees and says one notice per batch.
struct Counting {
    seen: Arc<AtomicUsize>,
    ticks: Arc<AtomicUsize>,
    sites: Arc<Mutex<Vec<String>>>,
    shut: Arc<AtomicUsize>,
    in_batch: usize,
}

impl Stage for Counting {
    fn event(&mut self, _event: &CollectorEvent, _out: &mut Vec<EngineEvent>) {
        self.seen.fetch_add(1, Ordering::SeqCst);
        self.in_batch += 1;
    }

    fn flush(&mut self, out: &mut Vec<EngineEvent>) {
        out.push(EngineEvent::Notice {
            at: Local::now(),
            message: format!("batch of {}", self.in_batch),
        });
        self.in_batch = 0;
    }

    fn tick(&mut self, _now: DateTime<Local>, _out: &mut Vec<EngineEvent>) {
        self.ticks.fetch_add(1, Ordering::SeqCst);
    }

    fn set_sites(&mut self, sites: &[SiteConfig]) {
        *lock(&self.sites) = sites.iter().map(|s| s.name.clone()).collect();
    }

    fn shutdown(self: Box<Self>) {
        self.shut.fetch_add(1, Ordering::SeqCst);
    }
}

fn raw(n: u8) -> CollectorEvent {
    CollectorEvent::Raw {
        site: "HQ".into(),
        at: Local::now(),
        direction: Direction::Received,
        bytes: vec![n],
    }
}

/// Whether `done` holds within five seconds (threads on a loaded machine run late).
fn eventually(done: impl Fn() -> bool) -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while !done() {
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

#[test]
fn events_pass_the_stages_in_order_then_what_they_added() {
    let dir = tempfile::tempdir().unwrap();
    let woken = Arc::new(AtomicUsize::new(0));
    let w = woken.clone();
    let options = CollectOptions {
        log_dir: dir.path().to_path_buf(),
        wake: Arc::new(move || {
            w.fetch_add(1, Ordering::SeqCst);
        }),
    };
    let (collector, _own) = Collector::start(options.clone()).unwrap();
    let (feed, events) = channel();
    let stage = Counting {
        seen: Arc::new(AtomicUsize::new(0)),
        ticks: Arc::new(AtomicUsize::new(0)),
        sites: Arc::new(Mutex::new(Vec::new())),
        shut: Arc::new(AtomicUsize::new(0)),
        in_batch: 0,
    };
    let (seen, ticks, sites, shut) = (
        stage.seen.clone(),
        stage.ticks.clone(),
        stage.sites.clone(),
        stage.shut.clone(),
    );
    // Sent before the engine starts: they make one batch.
    for n in 0..3 {
        feed.send(raw(n)).unwrap();
    }
    let (engine, rx) =
        Engine::around(collector, events, vec![Box::new(stage)], options.wake).unwrap();
    let mut bytes = Vec::new();
    let mut notices = 0;
    let until = Instant::now() + Duration::from_secs(5);
    while bytes.len() < 3 && Instant::now() < until {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(EngineEvent::Collector(CollectorEvent::Raw { bytes: b, .. })) => {
                // A stage's additions come after the batch they belong to.
                assert_eq!(notices, 0, "notice before its batch");
                bytes.extend(b);
            }
            Ok(EngineEvent::Notice { message, .. }) => {
                assert_eq!(message, "batch of 3");
                notices += 1;
            }
            Ok(other) => panic!("unexpected {other:?}"),
            Err(_) => {}
        }
    }
    assert_eq!(bytes, [0, 1, 2]);
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    // The consumer is woken just after the events are sent: a loaded machine can show the
    // events first.
    assert!(
        eventually(|| woken.load(Ordering::SeqCst) >= 1),
        "the consumer was never woken"
    );

    engine.set_sites(vec![
        SiteConfig::from_url("Branch", "mivb://127.0.0.1:9").unwrap(),
    ]);
    assert_eq!(*lock(&sites), ["Branch"]);

    assert!(
        eventually(|| ticks.load(Ordering::SeqCst) >= 1),
        "no tick within five seconds"
    );

    drop(feed);
    engine.shutdown();
    assert_eq!(
        shut.load(Ordering::SeqCst),
        1,
        "the stage was not shut down"
    );
}
