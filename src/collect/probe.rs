//! The connection test, step by step: resolve, connect, log in, first bytes, first record, then
//! a verdict in words. Used by `smdr-monitor probe` and the window's "Test connection".

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::codec::{Chunk, Codec};
use super::events::{ProbeStep, ProbeVerdict, StepOutcome};
use super::net::connect;
use super::push::PushListener;
use super::site::{Protocol, SiteConfig};
use super::supervisor::ProbeReport;
use super::words::{connect_error, read_error};
use crate::protocol::duration;
use crate::protocol::hex::hex_preview;
use crate::protocol::mitel5000::framer::{DEFAULT_MAX_FRAME, whole_frame_at};
use crate::protocol::mitel5000::{login_frame, masked_hex};
use crate::protocol::record::lossy;
use crate::protocol::stream::{clean_line, detect};
use crate::protocol::{Body, DecodeOptions, Format, StreamDecoder};

const CLIENT_NOTE: &str = "testing takes the SMDR connection: some Mitel systems serve one collector at a time or clear their buffer when one connects, so records may go to this test instead of a resident logger";
/// Undecodable lines in a row before the probe calls it the wrong protocol.
const MAX_UNDECODABLE: u32 = 3;
const PUSH_NOTE: &str = "the App Suite pushes to one address: while this test listens, records sent here do not reach a collector on this port";

struct Steps<'a> {
    t0: Instant,
    deadline: Instant,
    report: &'a mut (dyn FnMut(ProbeReport) + Send),
}

impl Steps<'_> {
    fn step(&mut self, label: &str, outcome: StepOutcome, detail: impl Into<String>) {
        (self.report)(ProbeReport::Step(ProbeStep {
            label: label.into(),
            elapsed: self.t0.elapsed(),
            detail: detail.into(),
            outcome,
        }));
    }

    fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

fn fail(verdict: impl Into<String>) -> ProbeVerdict {
    ProbeVerdict {
        success: false,
        verdict: verdict.into(),
    }
}

/// How a test runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProbeOptions {
    /// The user has read [`warning`] already (the window asks first): not repeated as a step.
    pub warned: bool,
}

/// What a test of `site` may do to a resident logger, in words: said once before testing.
pub fn warning(site: &SiteConfig) -> &'static str {
    if site.protocol == Protocol::AppsuitePush {
        PUSH_NOTE
    } else {
        CLIENT_NOTE
    }
}

/// Whether collecting from `a` and testing `b` (or the other way round) need the same feed:
/// the same PBX socket, or the same push port on this computer.
pub fn same_feed(a: &SiteConfig, b: &SiteConfig) -> bool {
    let push_port = |s: &SiteConfig| {
        s.push_bind()
            .and_then(|bind| bind.rsplit_once(':').map(|(_, p)| p.to_string()))
    };
    if let (Some(x), Some(y)) = (push_port(a), push_port(b))
        && x == y
    {
        return true;
    }
    let client = |s: &SiteConfig| s.protocol != Protocol::AppsuitePush;
    client(a)
        && client(b)
        && a.connect_address()
            .eq_ignore_ascii_case(&b.connect_address())
}

/// Why a test of a feed this program collects from would fail, in words: `holder` is the site
/// collecting, `last_record` when it last received one.
pub fn held_words(
    holder: &SiteConfig,
    last_record: Option<chrono::DateTime<chrono::Local>>,
) -> String {
    let last = match last_record {
        Some(t) => format!("last record {}", t.format("%H:%M:%S")),
        None => "no record yet".into(),
    };
    match holder.protocol {
        Protocol::AppsuitePush => format!(
            "this program is listening for {}'s App Suite server ({last}): the server pushes to one address, so a test cannot listen on the same port now",
            holder.name
        ),
        Protocol::Mitel5000 => format!(
            "this program is collecting from {} ({last}): the PBX serves one collector, so a test now would see nothing",
            holder.name
        ),
        Protocol::Appsuite | Protocol::Mivb => format!(
            "this program is collecting from {} ({last}): the PBX may serve only one collector, so a test now may see nothing",
            holder.name
        ),
    }
}

/// Tests `site` within `timeout`, reporting each step as it happens, then the verdict (also
/// returned). Never panics and never prints: the caller shows the reports.
pub async fn probe(
    site: &SiteConfig,
    timeout: Duration,
    report: &mut (dyn FnMut(ProbeReport) + Send),
) -> ProbeVerdict {
    probe_with(site, timeout, ProbeOptions::default(), report).await
}

/// [`probe`] with options.
pub async fn probe_with(
    site: &SiteConfig,
    timeout: Duration,
    options: ProbeOptions,
    report: &mut (dyn FnMut(ProbeReport) + Send),
) -> ProbeVerdict {
    let t0 = Instant::now();
    let mut steps = Steps {
        t0,
        deadline: t0 + timeout,
        report,
    };
    let verdict = match site.push_bind() {
        Some(bind) if site.protocol == Protocol::AppsuitePush => {
            if !options.warned {
                steps.step("before listening", StepOutcome::Note, PUSH_NOTE);
            }
            probe_push(site, &bind, timeout, &mut steps).await
        }
        _ => {
            if !options.warned {
                steps.step("before connecting", StepOutcome::Note, CLIENT_NOTE);
            }
            probe_client(site, timeout, &mut steps).await
        }
    };
    (steps.report)(ProbeReport::Done(verdict.clone()));
    verdict
}

async fn probe_client(site: &SiteConfig, timeout: Duration, steps: &mut Steps<'_>) -> ProbeVerdict {
    let addr = site.connect_address();
    let resolved = tokio::time::timeout(steps.left(), tokio::net::lookup_host(addr.as_str())).await;
    let addrs: Vec<std::net::SocketAddr> = match resolved {
        Ok(Ok(a)) => a.collect(),
        Ok(Err(e)) => {
            steps.step("resolve", StepOutcome::Failed, e.to_string());
            return fail(format!(
                "cannot find {}: {e} — check the name, or use the IP address",
                site.host
            ));
        }
        Err(_) => {
            steps.step(
                "resolve",
                StepOutcome::Failed,
                "no answer from the name server",
            );
            return fail(format!(
                "looking up {} took too long: check this PC's DNS, or use the IP address",
                site.host
            ));
        }
    };
    let Some(first) = addrs.first() else {
        steps.step("resolve", StepOutcome::Failed, "no addresses");
        return fail(format!("{} has no address", site.host));
    };
    let list: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
    steps.step(
        "resolve",
        StepOutcome::Ok,
        format!("{addr} → {}", list.join(", ")),
    );

    let target = first.to_string();
    let mut stream = match connect(&target, steps.left()).await {
        Ok(s) => s,
        Err(e) => {
            let why = connect_error(&target, &e);
            steps.step("TCP connect", StepOutcome::Failed, why.clone());
            return fail(why);
        }
    };
    steps.step(
        "TCP connect",
        StepOutcome::Ok,
        format!("connected to {target}"),
    );

    if site.protocol == Protocol::Mitel5000 {
        let password = site.effective_password();
        let frame = match login_frame(password.as_ref().map(|p| p.expose())) {
            Ok(f) => f,
            Err(e) => {
                steps.step("login sent", StepOutcome::Failed, e.to_string());
                return fail(format!("cannot log in: {e}"));
            }
        };
        if let Err(e) = stream.write_all(&frame).await {
            let why = read_error(&e);
            steps.step("login sent", StepOutcome::Failed, why.clone());
            return fail(format!(
                "connected to {target} but sending the login failed: {why}"
            ));
        }
        let note = if password.is_none() {
            " (no password: none given and SMDR_PASSWORD is not set)"
        } else {
            ""
        };
        steps.step(
            "login sent",
            StepOutcome::Ok,
            format!("{}{note}", masked_hex(&frame)),
        );
    }
    let what = match site.protocol {
        Protocol::Mitel5000 => format!("connected to {target} and logged in"),
        _ => format!("connected to {target}"),
    };
    read_first_record(site, &mut stream, &what, timeout, steps).await
}

async fn probe_push(
    site: &SiteConfig,
    bind: &str,
    timeout: Duration,
    steps: &mut Steps<'_>,
) -> ProbeVerdict {
    let (listener, warnings) = match PushListener::bind(bind, &site.push_peers()).await {
        Ok(l) => l,
        Err(e) => {
            let why = e.to_string();
            steps.step("listen", StepOutcome::Failed, why.clone());
            return fail(why);
        }
    };
    for w in warnings {
        steps.step("allowed servers", StepOutcome::Failed, w);
    }
    steps.step(
        "listen",
        StepOutcome::Ok,
        format!(
            "listening on {} (allowed: {})",
            listener.local, listener.allowed_words
        ),
    );
    let mut refused = Vec::new();
    let accepted =
        tokio::time::timeout(steps.left(), listener.accept(|peer| refused.push(peer))).await;
    for peer in &refused {
        steps.step(
            "refused",
            StepOutcome::Failed,
            format!("{peer} connected but is not an allowed App Suite server"),
        );
    }
    let Ok((mut stream, peer)) = accepted else {
        let also = if refused.is_empty() {
            String::new()
        } else {
            format!(
                " ({} connection(s) from servers not allowed were refused: add the App Suite server's address to the allowed peers)",
                refused.len()
            )
        };
        return fail(format!(
            "nobody connected to {} within {}{also}: check that the App Suite's push address and port point at this PC and that this PC's firewall lets the connection in",
            listener.local,
            duration::words(timeout)
        ));
    };
    steps.step(
        "server connected",
        StepOutcome::Ok,
        format!("the App Suite server {peer} connected"),
    );
    let what = format!("the App Suite server {peer} connected");
    read_first_record(site, &mut stream, &what, timeout, steps).await
}

/// Received bytes kept to guess what a stream is when it is not the site's protocol.
const SAMPLE: usize = 4096;

/// Reads until the first record (or the deadline), reporting the first bytes and any garbage.
async fn read_first_record(
    site: &SiteConfig,
    stream: &mut TcpStream,
    what: &str,
    timeout: Duration,
    steps: &mut Steps<'_>,
) -> ProbeVerdict {
    let since = Instant::now();
    let mut codec = Codec::for_protocol(site.protocol);
    let mut decoder = StreamDecoder::new(DecodeOptions {
        format: Some(site.protocol.format()),
        padding: site.padding,
        ..Default::default()
    });
    let name = smdr_name(site.protocol.format());
    let mut buf = vec![0u8; 4096];
    let mut sample: Vec<u8> = Vec::new();
    let mut received = 0usize;
    let mut skipped = Skipped::default();
    let mut undecodable = 0;
    loop {
        let read = match tokio::time::timeout(steps.left(), stream.read(&mut buf)).await {
            Err(_) => {
                skipped.report(site.protocol, steps);
                let t = duration::words(timeout);
                if received == 0 {
                    steps.step(
                        "first bytes",
                        StepOutcome::Failed,
                        format!("nothing within {t}"),
                    );
                    return fail(nothing_words(site.protocol, what, timeout, true));
                }
                if skipped.total == 0 && undecodable == 0 {
                    // Bytes, but not one whole frame or line yet.
                    steps.step(
                        "first record",
                        StepOutcome::Failed,
                        format!("{received} bytes arrived, but no whole record within {t}"),
                    );
                    return fail(nothing_words(site.protocol, what, timeout, false));
                }
                steps.step(
                    "first record",
                    StepOutcome::Failed,
                    format!("{received} bytes arrived within {t}, none decoded as {name}"),
                );
                return fail(format!(
                    "{what}; {received} bytes arrived, but none decoded as {name} within {t}: {}",
                    advice(&sample, site.protocol)
                ));
            }
            Ok(r) => r,
        };
        let n = match read {
            Ok(0) => {
                skipped.report(site.protocol, steps);
                if received == 0 {
                    steps.step(
                        "first bytes",
                        StepOutcome::Failed,
                        "the connection was closed",
                    );
                } else {
                    steps.step(
                        "first record",
                        StepOutcome::Failed,
                        format!("the connection was closed after {received} bytes"),
                    );
                }
                let mut verdict = closed_words(site.protocol, what, since.elapsed(), received == 0);
                if received > 0 && skipped.total + undecodable > 0 {
                    verdict.push_str(&format!("; {}", advice(&sample, site.protocol)));
                }
                return fail(verdict);
            }
            Ok(n) => n,
            Err(e) => {
                skipped.report(site.protocol, steps);
                let why = read_error(&e);
                steps.step("first bytes", StepOutcome::Failed, why.clone());
                return fail(format!("{what}, then {why}"));
            }
        };
        if received == 0 {
            steps.step("first bytes", StepOutcome::Ok, hex_preview(&buf[..n], 32));
        }
        received += n;
        let keep = n.min(SAMPLE.saturating_sub(sample.len()));
        sample.extend_from_slice(&buf[..keep]);
        codec.push(&buf[..n]);
        while let Some(chunk) = codec.next_chunk() {
            match chunk {
                Chunk::Garbage { bytes, reason } => skipped.add(bytes.len(), reason),
                Chunk::Record(text) => {
                    skipped.report(site.protocol, steps);
                    let text = decoder.text(text);
                    let d = decoder.decode(&text, None);
                    if let Body::Unparsed(why) = &d.body {
                        // One bad line may be noise; several in a row mean the wrong protocol.
                        undecodable += 1;
                        steps.step(
                            "undecodable line",
                            StepOutcome::Failed,
                            format!("{why}: {text}"),
                        );
                        if undecodable >= MAX_UNDECODABLE {
                            return fail(format!(
                                "{what} and receiving, but {undecodable} lines in a row are not {name} ({why}): {}",
                                advice(&sample, site.protocol)
                            ));
                        }
                        continue;
                    }
                    steps.step(
                        "first record",
                        StepOutcome::Ok,
                        format!("{}: {text}", d.kind().as_str()),
                    );
                    return ProbeVerdict {
                        success: true,
                        verdict: format!("{what}, receiving {name}: the first record decoded"),
                    };
                }
            }
        }
    }
}

/// Runs of bytes that were not records: told as one step with a count (a stream of another
/// protocol makes dozens), before the next step or the verdict.
#[derive(Default)]
struct Skipped {
    /// Since the last report.
    runs: u32,
    bytes: usize,
    first: Option<String>,
    /// Since the test began.
    total: u32,
}

impl Skipped {
    fn add(&mut self, bytes: usize, reason: String) {
        self.runs += 1;
        self.total += 1;
        self.bytes += bytes;
        self.first.get_or_insert(reason);
    }

    fn report(&mut self, protocol: Protocol, steps: &mut Steps<'_>) {
        if self.runs == 0 {
            return;
        }
        let (one, many) = match protocol {
            Protocol::Mitel5000 => ("frame was", "frames were"),
            _ => ("line was", "lines were"),
        };
        let count = if self.runs == 1 {
            format!("1 {one} not a record")
        } else {
            format!("{} {many} not records", self.runs)
        };
        let first = self.first.take().unwrap_or_default();
        steps.step(
            "not a record",
            StepOutcome::Failed,
            format!("{count}, {} bytes skipped (first: {first})", self.bytes),
        );
        self.runs = 0;
        self.bytes = 0;
    }
}

/// A format's name with "SMDR" once ("App Suite IP SMDR" already has it).
fn smdr_name(format: Format) -> String {
    let label = format.label();
    if label.ends_with("SMDR") {
        label.to_string()
    } else {
        format!("{label} SMDR")
    }
}

/// What to do about bytes that are not the site's protocol: the protocol they look like, when
/// the detector recognises another, else to check the protocol and port.
fn advice(sample: &[u8], expected: Protocol) -> String {
    let protocol = match likely_format(sample).filter(|f| *f != expected.format()) {
        Some(Format::Mitel5000) => Protocol::Mitel5000,
        Some(Format::AppSuite) => Protocol::Appsuite,
        Some(Format::Mivb) => Protocol::Mivb,
        _ => return "check the site's protocol and port".into(),
    };
    format!(
        "the bytes look like {} — set the site's protocol to {}; in a URL, {}://",
        smdr_name(protocol.format()),
        protocol.label(),
        protocol.scheme()
    )
}

/// The format most lines of `sample` have, or 5000 when it starts with a whole frame (a 5000
/// stream's frames hold line ends too, so frames are tried first).
fn likely_format(sample: &[u8]) -> Option<Format> {
    if whole_frame_at(sample, DEFAULT_MAX_FRAME).is_some() {
        return Some(Format::Mitel5000);
    }
    let mut counts: BTreeMap<Format, u32> = BTreeMap::new();
    for line in sample.split(|&b| b == b'\n') {
        let text = lossy(line);
        if let Some(format) = detect(clean_line(&text)).filter(|f| *f != Format::Unknown) {
            *counts.entry(format).or_default() += 1;
        }
    }
    // A tie goes to the later format in `Format`'s order (`max_by_key` keeps the last).
    counts.into_iter().max_by_key(|&(_, n)| n).map(|(f, _)| f)
}

fn nothing_words(protocol: Protocol, what: &str, timeout: Duration, no_bytes: bool) -> String {
    let t = duration::words(timeout);
    if !no_bytes {
        return format!(
            "{what}, but no whole record arrived within {t}: the stream is not SMDR of this kind, or it stalled"
        );
    }
    match protocol {
        Protocol::Mitel5000 => format!(
            "{what}, but nothing within {t}: wrong SMDR password, SMDR output or the SMDR socket disabled on the PBX, or another collector holds the feed"
        ),
        Protocol::Appsuite | Protocol::AppsuitePush => format!(
            "{what}, but no events within {t}: the App Suite sends events only when calls happen — make a test call; if still nothing, check that IP SMDR is on and that no other program holds the feed"
        ),
        Protocol::Mivb => format!(
            "{what}, but no SMDR within {t}: the controller sends a record when a call ends — make a test call; if still nothing, check that SMDR is enabled for this port and that no other collector holds the feed"
        ),
    }
}

fn closed_words(protocol: Protocol, what: &str, after: Duration, no_bytes: bool) -> String {
    let after = duration::words(after);
    match (protocol, no_bytes) {
        (Protocol::Mitel5000, true) => format!(
            "{what}, but the PBX closed the connection {after} later without sending anything: most likely a wrong SMDR password (or another collector holds the feed)"
        ),
        (_, true) => format!(
            "{what}, but the other side closed the connection {after} later without sending anything: another collector may hold the feed"
        ),
        (_, false) => {
            format!("{what}, but the connection closed {after} later before a whole record arrived")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_lines(path: &str) -> Vec<String> {
        let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        text.lines().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn the_likely_format_is_the_one_most_lines_have() {
        let mivb = fixture_lines("mivb/standard-90-synthetic.txt");
        let appsuite = fixture_lines("appsuite/manual-examples-162.txt");
        let sample = |lines: &[&String]| lines.iter().map(|l| l.as_str()).collect::<String>();
        let two_to_one = sample(&[&appsuite[0], &mivb[0], &appsuite[1]]);
        assert_eq!(likely_format(two_to_one.as_bytes()), Some(Format::AppSuite));
        let one_to_two = sample(&[&mivb[0], &appsuite[0], &mivb[1]]);
        assert_eq!(likely_format(one_to_two.as_bytes()), Some(Format::Mivb));
        assert_eq!(likely_format(b"hello\nworld\n"), None);
    }
}
