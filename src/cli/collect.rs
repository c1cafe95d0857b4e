//! `smdr-monitor collect`: the collectors without a window. Raw day logs are written as records
//! arrive; a status line per state change; at the end, an optional export of every record.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::cli::common::parse_duration;
use crate::cli::signals::Control;
use smdr_monitor::alarm::config::load as load_alarms;
use smdr_monitor::alarm::default_alarms_path;
use smdr_monitor::collect::daylog::same_folder;
use smdr_monitor::collect::{
    CollectOptions, CollectorEvent, Secret, SiteConfig, load_named_sites, load_sites,
};
use smdr_monitor::engine::history::HistoryStage;
use smdr_monitor::engine::{AlarmControl, AlarmStage, Engine, EngineEvent, Stage};
use smdr_monitor::export::{RecordWriter, TextFormat};
use smdr_monitor::health::Health;
use smdr_monitor::health::server::HealthServer;
use smdr_monitor::history::target::{EMBEDDED_FILE, default_settings_path, target_from_settings};
use smdr_monitor::history::{HistoryStatus, Target};
use smdr_monitor::paths::{default_config_path, default_log_dir};
use smdr_monitor::protocol::Kind;
use smdr_monitor::rawlog::file_name_for;
use smdr_monitor::timeline::DEFAULT_AGE_OUT_MIN;

#[derive(clap::Args)]
pub struct Args {
    /// A site to collect from, NAME=URL, e.g. HQ=mitel5000://10.0.0.5 (repeat for more).
    #[arg(long = "site", value_name = "NAME=URL")]
    sites: Vec<String>,
    /// Also collect the sites of this sites.toml (default: the app's own when no --site is given).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where raw day logs go (default: the OS data dir).
    #[arg(long, value_name = "DIR")]
    log_dir: Option<PathBuf>,
    /// Stop after this long, e.g. 30s, 5m, 8h (default: until Ctrl-C).
    #[arg(long = "for", value_parser = parse_duration, value_name = "DURATION")]
    duration: Option<Duration>,
    /// At the end, every decoded record in this file (.csv or .jsonl).
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// The 5000 SMDR password for --site sites (default: SMDR_PASSWORD).
    #[arg(long)]
    password: Option<String>,
    /// Push mode: an App Suite server allowed to connect to --site listeners (repeatable).
    #[arg(long, value_name = "ADDRESS")]
    allow: Vec<String>,
    /// The alarm rules and delivery (default: alarms.toml beside --config's file when there is
    /// one, else the config folder's; the defaults when there is none).
    #[arg(long, value_name = "FILE")]
    alarms: Option<PathBuf>,
    /// Print every connection-log line, alarm delivery and history status change, not only
    /// state changes.
    #[arg(long, short)]
    verbose: bool,
    /// Serve GET /status (JSON) and GET /metrics (Prometheus text) here, e.g. 127.0.0.1:9750
    /// (a port alone: on loopback).
    #[arg(long = "status", value_name = "ADDRESS:PORT", value_parser = parse_status_address)]
    status_address: Option<SocketAddr>,
    /// Also write every record to this history database: postgres://user:password@host/db or
    /// an SQLite file (default: `history = "…"` in the settings.toml beside the sites file, else
    /// the embedded database: in the OS data folder, or in --log-dir when one is given).
    #[arg(long, value_name = "URL", conflicts_with = "no_history")]
    history: Option<String>,
    /// Collect without writing a history database (the raw day logs are still written).
    #[arg(long)]
    no_history: bool,
}

/// The history database collect writes to, if any: `--history`, else the settings file beside
/// the sites file, else the embedded database (beside the default raw log folder, or inside the
/// one given, so a collector with its own folder keeps its own history).
fn history_target(args: &Args) -> anyhow::Result<Option<Target>> {
    if args.no_history {
        return Ok(None);
    }
    if let Some(h) = &args.history {
        return Ok(Some(Target::parse(h)?));
    }
    let settings = match &args.config {
        Some(config) => config.with_file_name("settings.toml"),
        None => default_settings_path(),
    };
    if let Some(t) = target_from_settings(&settings)? {
        return Ok(Some(t));
    }
    Ok(Some(match &args.log_dir {
        Some(dir) => Target::Embedded(dir.join(EMBEDDED_FILE)),
        None => Target::default_embedded(),
    }))
}

/// `--status`: ADDRESS:PORT, or a port alone (on loopback, the safe default).
fn parse_status_address(s: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    s.to_socket_addrs()
        .map_err(|e| format!("{e}"))?
        .next()
        .ok_or_else(|| format!("{s:?} names no address"))
}

fn sites(args: &Args) -> anyhow::Result<Vec<SiteConfig>> {
    let mut sites = Vec::new();
    // A --config the user named must exist; the app's own may not yet (no sites yet).
    let list = match (&args.config, args.sites.is_empty()) {
        (Some(path), _) => {
            sites.extend(load_named_sites(path)?.into_iter().filter(|s| s.enabled));
            Some(path.clone())
        }
        (None, true) => {
            let path = default_config_path();
            sites.extend(load_sites(&path)?.into_iter().filter(|s| s.enabled));
            Some(path)
        }
        (None, false) => None,
    };
    for spec in &args.sites {
        let Some((name, url)) = spec.split_once('=') else {
            bail!("--site {spec:?}: expected NAME=URL, e.g. HQ=mitel5000://10.0.0.5");
        };
        let mut site = SiteConfig::from_url(name.trim(), url.trim())
            .with_context(|| format!("--site {spec:?}"))?;
        if let Some(p) = &args.password {
            site.password = Secret::new(p.clone());
        }
        site.allowed_peers = args.allow.clone();
        sites.push(site);
    }
    if let Some((first, second)) = same_folder(sites.iter().map(|s| s.name.as_str())) {
        if first == second {
            bail!(
                "two sites are named {first:?}: each site needs its own name (it names its log folder)"
            );
        }
        bail!(
            "sites {first:?} and {second:?} would share one log folder ({:?}) and connection log: give them names that differ in more than spaces, punctuation or case",
            file_name_for(first)
        );
    }
    if sites.is_empty() {
        bail!(
            "no sites to collect from: give --site NAME=URL, or add sites to {}",
            list.unwrap_or_else(default_config_path).display()
        );
    }
    Ok(sites)
}

/// The alarm rules `collect` judges by: --alarms (which must exist), else alarms.toml beside
/// --config's file, else the config folder's (missing: the defaults).
fn alarms_path(args: &Args) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.alarms {
        if !path.exists() {
            bail!("--alarms {}: no such file", path.display());
        }
        return Ok(path.clone());
    }
    if let Some(config) = &args.config {
        let beside = config.with_file_name("alarms.toml");
        if beside.exists() {
            return Ok(beside);
        }
    }
    Ok(default_alarms_path())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    run_with(args, Control::from_signals())
}

/// `collect` until `control` says stop (or `--for` ends), re-reading the sites at each reload.
pub fn run_with(args: Args, control: Control) -> anyhow::Result<ExitCode> {
    let sites = sites(&args)?;
    let alarms_path = alarms_path(&args)?;
    let alarms = load_alarms(&alarms_path)?;
    let mut export = match &args.export {
        Some(path) => {
            let format = TextFormat::from_path(path).with_context(|| {
                format!("--export {}: name the file .csv or .jsonl", path.display())
            })?;
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            Some(RecordWriter::new(BufWriter::new(file), format))
        }
        None => None,
    };
    let log_dir = args.log_dir.clone().unwrap_or_else(default_log_dir);
    let history = history_target(&args)?;
    let (alarm_stage, alarm_control) = AlarmStage::new(&alarms, &log_dir, None)
        .map_err(|e| anyhow::anyhow!("the alarm rules {}: {e}", alarms_path.display()))?;
    let health = Health::new();
    health.alarms_on();
    let mut stages: Vec<Box<dyn Stage>> = vec![health.stage(), Box::new(alarm_stage)];
    if let Some(target) = &history {
        let age_out = chrono::Duration::minutes(DEFAULT_AGE_OUT_MIN.into());
        let stage = HistoryStage::start(target.clone(), log_dir.clone(), &sites, age_out)
            .context("cannot start the history writer")?;
        stages.push(Box::new(stage));
    }
    let (engine, events) = Engine::start(
        CollectOptions {
            log_dir: log_dir.clone(),
            wake: Arc::new(|| {}),
        },
        stages,
    )
    .context("cannot start the collectors")?;
    eprintln!(
        "collecting from {} site(s); raw logs in {}",
        sites.len(),
        log_dir.display()
    );
    let enabled = alarms.rules.iter().filter(|r| r.enabled).count();
    eprintln!(
        "{enabled} alarm rule(s) on, from {}{}",
        alarms_path.display(),
        if alarms_path.exists() {
            ""
        } else {
            " (not there: the defaults)"
        }
    );
    match &history {
        Some(target) => eprintln!("history: written to {target}"),
        None => eprintln!("history: not written (--no-history)"),
    }
    let mut current = sites.clone();
    engine.set_sites(sites);
    let _server = match args.status_address {
        Some(addr) => Some(serve_health(addr, &health)?),
        None => None,
    };

    let until = args.duration.map(|d| Instant::now() + d);
    let mut report = Report::new(args.verbose);
    let mut reloads = control.reload.load(Ordering::SeqCst);
    while !control.stopping() && until.is_none_or(|u| Instant::now() < u) {
        if let Ok(event) = events.recv_timeout(Duration::from_millis(100)) {
            health.engine_event(&event);
            report.event(event, export.as_mut())?;
        }
        let asked = control.reload.load(Ordering::SeqCst);
        if asked != reloads {
            reloads = asked;
            reload(&args, &mut current, &engine);
        }
        report.delivery(&alarm_control);
    }
    // Everything received is in the raw logs already; shutting down writes the last lines.
    engine.shutdown();
    for event in events.try_iter() {
        report.event(event, export.as_mut())?;
    }
    if let (Some(writer), Some(path)) = (export, &args.export) {
        writer
            .finish()
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("{} records exported to {}", report.total(), path.display());
    }
    report.summary();
    report.delivery_summary(&alarm_control);
    let unsaved = report.unsaved();
    if unsaved > 0 {
        bail!(
            "{unsaved} record{} could not be written to the raw day logs in {} and {} NOT saved there{}",
            if unsaved == 1 { "" } else { "s" },
            log_dir.display(),
            if unsaved == 1 { "is" } else { "are" },
            if args.export.is_some() {
                " (the export has them)"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

struct Report {
    verbose: bool,
    /// The last history status printed, and when.
    history: Option<(HistoryStatus, Instant)>,
    states: HashMap<Arc<str>, String>,
    /// Records and unparsed records per site.
    counts: BTreeMap<Arc<str>, (u64, u64)>,
    /// Per site: records not written to the raw day log, and whether that is happening now.
    unsaved: HashMap<Arc<str>, (u64, bool)>,
    alarms: u64,
    /// Each alarm channel's status in words, as last printed (-v).
    delivery: Vec<String>,
}

impl Report {
    fn new(verbose: bool) -> Self {
        Self {
            verbose,
            history: None,
            states: HashMap::new(),
            counts: BTreeMap::new(),
            unsaved: HashMap::new(),
            alarms: 0,
            delivery: Vec::new(),
        }
    }

    /// With -v, each alarm channel's status when it changes.
    fn delivery(&mut self, control: &AlarmControl) {
        if !self.verbose || self.alarms == 0 {
            return;
        }
        let now_words = control.describe();
        for (i, words) in now_words.iter().enumerate() {
            if self.delivery.get(i) != Some(words) {
                eprintln!("{}  alarm {words}", now());
            }
        }
        self.delivery = now_words;
    }

    /// At the end: how many alarms, and how each channel delivered them.
    fn delivery_summary(&self, control: &AlarmControl) {
        if self.alarms == 0 {
            eprintln!("no alarm raised");
            return;
        }
        eprintln!(
            "{} alarm{} raised",
            self.alarms,
            if self.alarms == 1 { "" } else { "s" }
        );
        let status = control.status();
        for (s, words) in status.iter().zip(control.describe()) {
            eprintln!(
                "alarm {words} ({} delivered, {} failed, to {})",
                s.delivered, s.failed, s.target
            );
        }
        let pending = control.pending();
        if pending > 0 {
            eprintln!("{pending} alarm deliveries were still waiting at the end");
        }
    }

    fn event(
        &mut self,
        event: EngineEvent,
        export: Option<&mut RecordWriter<BufWriter<File>>>,
    ) -> anyhow::Result<()> {
        let event = match event {
            EngineEvent::Collector(e) => e,
            EngineEvent::Alarm(alarm) => {
                self.alarms += 1;
                eprintln!("{}  {}: ALARM {}", now(), alarm.site, alarm.text);
                return Ok(());
            }
            EngineEvent::History(status) => {
                self.history(status);
                return Ok(());
            }
            EngineEvent::Notice { at, message } => {
                eprintln!("{}  {message}", at.format("%H:%M:%S"));
                return Ok(());
            }
        };
        match event {
            CollectorEvent::Record(r) => {
                let c = self.counts.entry(r.site.clone()).or_default();
                c.0 += 1;
                c.1 += u64::from(r.kind == Kind::Unparsed);
                if let Some(w) = export {
                    w.write(&r.decode(), &r.source)
                        .context("cannot write the export")?;
                }
            }
            CollectorEvent::Status { site, status } => {
                // Loud without -v: once when saving stops (the connection log beside the raw
                // log is likely failing too).
                let failing = status.raw_log_error.is_some();
                let was = self.unsaved.insert(site.clone(), (status.unsaved, failing));
                if let Some(why) = &status.raw_log_error
                    && !was.is_some_and(|(_, failing)| failing)
                {
                    eprintln!("{}  {site}: WARNING: records are NOT saved — {why}", now());
                }
                let words = status.state.describe();
                if self.states.get(&site) != Some(&words) {
                    eprintln!("{}  {site}: {words}", now());
                    self.states.insert(site, words);
                }
            }
            CollectorEvent::Log { site, at, message } if self.verbose => {
                eprintln!("{}  {site}: {message}", at.format("%H:%M:%S"));
            }
            CollectorEvent::Log { .. } | CollectorEvent::Raw { .. } => {}
        }
        Ok(())
    }

    /// A history status: with -v each change (while behind, every 5 s at most); without, only
    /// when the database becomes unreachable or is reached again.
    fn history(&mut self, status: HistoryStatus) {
        let kind = std::mem::discriminant(&status);
        let (same_kind, since) = match &self.history {
            Some((last, at)) => (std::mem::discriminant(last) == kind, at.elapsed()),
            None => (false, Duration::MAX),
        };
        let was_unreachable = matches!(self.history, Some((HistoryStatus::Unreachable { .. }, _)));
        let show = if self.verbose {
            !same_kind
                || !matches!(status, HistoryStatus::Behind { .. })
                || since >= Duration::from_secs(5)
        } else {
            match status {
                HistoryStatus::Unreachable { .. } => !same_kind,
                _ => was_unreachable,
            }
        };
        if show {
            eprintln!("{}  {}", now(), status.describe());
            self.history = Some((status, Instant::now()));
        } else if !same_kind {
            self.history = Some((
                status,
                self.history.as_ref().map_or_else(Instant::now, |h| h.1),
            ));
        }
    }

    fn unsaved(&self) -> u64 {
        self.unsaved.values().map(|u| u.0).sum()
    }

    fn total(&self) -> u64 {
        self.counts.values().map(|c| c.0).sum()
    }

    fn summary(&self) {
        if self.counts.is_empty() {
            eprintln!("no records received");
        }
        for (site, (n, unparsed)) in &self.counts {
            let unsaved = match self.unsaved.get(site) {
                Some((u, _)) if *u > 0 => format!(", {u} NOT saved"),
                _ => String::new(),
            };
            eprintln!("{site}: {n} records, {unparsed} unparsed{unsaved}");
        }
    }
}

fn now() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

/// Starts the health endpoint; says where, and warns when other machines can reach it.
fn serve_health(addr: SocketAddr, health: &Health) -> anyhow::Result<HealthServer> {
    let server = HealthServer::start(addr, health.clone())
        .with_context(|| format!("cannot serve the health endpoint (--status) on {addr}"))?;
    let at = server.local_addr();
    if !at.ip().is_loopback() {
        eprintln!(
            "WARNING: the health endpoint on {at} can be reached from other machines: it shows site names, states and counts (never passwords); give --status 127.0.0.1:PORT to keep it on this machine"
        );
    }
    eprintln!("health: http://{at}/status and http://{at}/metrics");
    Ok(server)
}

/// Re-reads the sites (`systemctl reload`, SIGHUP): added sites start, removed ones stop,
/// changed ones restart, unchanged ones keep their connection. A sites file that cannot be read
/// changes nothing.
fn reload(args: &Args, current: &mut Vec<SiteConfig>, engine: &Engine) {
    let new = match sites(args) {
        Ok(new) => new,
        Err(e) => {
            eprintln!(
                "{}  reload: the sites were NOT changed, still collecting from the same ones — {e:#}",
                now()
            );
            return;
        }
    };
    let names = |list: &[SiteConfig], pick: &dyn Fn(&SiteConfig) -> bool| {
        let picked: Vec<&str> = list
            .iter()
            .filter(|s| pick(s))
            .map(|s| s.name.as_str())
            .collect();
        picked.join(", ")
    };
    let old_named = |s: &SiteConfig| current.iter().find(|o| o.name == s.name);
    let added = names(&new, &|s| old_named(s).is_none());
    let changed = names(&new, &|s| old_named(s).is_some_and(|o| o != s));
    let removed = names(current, &|s| new.iter().all(|n| n.name != s.name));
    let unchanged = new.iter().filter(|s| old_named(s) == Some(*s)).count();
    let mut words = Vec::new();
    for (what, list) in [("added", added), ("removed", removed), ("changed", changed)] {
        if !list.is_empty() {
            words.push(format!("{what} {list}"));
        }
    }
    words.push(format!("{unchanged} unchanged"));
    let words = words.join("; ");
    eprintln!("{}  reload: {words}", now());
    *current = new.clone();
    engine.set_sites(new);
}
