//! Today's count and the spans not collected come from the site's logs: they survive a
//! restart of the program and a pause, and the time the program was closed is a span too.

use std::fs;
use std::time::Duration;

use chrono::{DateTime, Local, TimeDelta};
use smdr_monitor::collect::{CollectorEvent, GapCause, SiteState};
use smdr_monitor::sim::Faults;

use super::harness::*;

fn stamp(t: DateTime<Local>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

#[test]
fn todays_count_and_spans_come_from_the_logs_and_survive_a_pause() {
    // An earlier run today: three records, a span without a connection, then the program was
    // closed. Times spread over what has passed of today.
    let now = Local::now();
    let midnight = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(Local)
        .earliest()
        .unwrap();
    // Whole milliseconds, as the logs write them.
    let step = TimeDelta::milliseconds((now - midnight).num_milliseconds() / 10);
    let t = |n: i32| midnight + step * n;
    let day = now.format("%Y%m%d");
    let dir = tempfile::tempdir().unwrap();
    let site_dir = dir.path().join("Back");
    fs::create_dir_all(&site_dir).unwrap();
    let records = [
        "TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              ",
        "IN  110   94129 525530894016            0061 08:48      S=1 $00.00             *",
        "O/I 104   94151 011-49618296260              09:00    S=193 $00.00             *",
    ];
    let raw: String = [t(1), t(3), t(5)]
        .iter()
        .zip(records)
        .map(|(at, r)| format!("{}\t{r}\n", stamp(*at)))
        .collect();
    fs::write(site_dir.join(format!("Back.{day}.1.log")), raw).unwrap();
    let hms = |t: DateTime<Local>| t.format("%H:%M:%S").to_string();
    let conn = format!(
        "{}\tconnected\n{}\tno connection {}–{}, records may be missing\n{}\tcollection stopped: program closed\n",
        stamp(t(1)),
        stamp(t(3)),
        hms(t(2)),
        hms(t(3)),
        stamp(t(6)),
    );
    fs::write(site_dir.join(format!("Back.{day}.connection.log")), conn).unwrap();

    // The program starts again: five more records (header and column titles included).
    let rt = sim_runtime();
    let sim = sim(&rt, "mitel5000://127.0.0.1:0", 5, Faults::default());
    let config = site("Back", &url_of(&sim, "mitel5000"));
    let mut h = Harness::new(dir.path());
    h.collector().set_sites(vec![config.clone()]);
    assert!(h.wait(|h| h.raw_count("Back") >= 8));
    assert!(h.wait(|h| h.last_status("Back").is_some_and(|s| s.records_today == 8)));
    let status = h.last_status("Back").unwrap().clone();
    assert_eq!(status.last_record.map(|t| t >= now), Some(true));
    let spans: Vec<(GapCause, String)> = status
        .gaps
        .iter()
        .map(|g| (g.cause, g.describe()))
        .collect();
    let hm = |t: DateTime<Local>| t.format("%H:%M").to_string();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert_eq!(
        spans[0],
        (
            GapCause::NoConnection,
            format!("records may be missing {}–{}", hm(t(2)), hm(t(3)))
        )
    );
    // From the earlier run's last line until this start.
    let closed = status.gaps[1];
    assert_eq!(closed.cause, GapCause::ProgramClosed);
    assert_eq!(closed.from, t(6));
    assert!(closed.to >= now && closed.to - now < TimeDelta::seconds(20));
    assert_eq!(
        spans[1].1,
        format!(
            "not collecting {}–{}: program closed",
            hm(t(6)),
            hm(closed.to)
        )
    );
    assert!(
        h.logs()
            .iter()
            .any(|l| l.starts_with("not collecting ") && l.contains(": program closed, "))
    );

    // Paused and resumed: the count goes on from the logs, and the pause is a span.
    h.collector().set_sites(vec![]);
    assert!(h.wait(|h| h.states().last() == Some(&&SiteState::Stopped)));
    std::thread::sleep(Duration::from_millis(1300));
    let before = h.seen.len();
    h.collector().set_sites(vec![config]);
    assert!(h.wait(|h| {
        h.seen[before..].iter().any(|e| {
            matches!(e, CollectorEvent::Status { status, .. }
                if status.gaps.iter().any(|g| g.cause == GapCause::Paused))
        })
    }));
    // A record and the status that counts it are two events: wait until the two agree.
    assert!(h.wait(|h| {
        h.last_status("Back")
            .is_some_and(|s| s.records_today == h.raw_count("Back") as u64)
    }));
    let status = h.last_status("Back").unwrap();
    assert!(status.records_today >= 8);
    assert_eq!(
        status.gaps.iter().map(|g| g.cause).collect::<Vec<_>>(),
        [
            GapCause::NoConnection,
            GapCause::ProgramClosed,
            GapCause::Paused
        ]
    );
    assert!(status.gaps[2].describe().ends_with(": paused"));
    h.shutdown();
    // The connection log says why collection stopped each time, for the next start to read.
    let log = connection_logs(&site_dir);
    assert!(log.contains("\tcollection paused\n"), "{log}");
    assert!(
        log.ends_with("\tcollection stopped: program closed\n"),
        "{log}"
    );
    sim.stop();
}
