//! The History tab's browsing (ids in time order, pages read by id) gives the same lines in the
//! same order from SQLite and PostgreSQL, and the same as `history query` for the same days.

use smdr_monitor::history::browse::{Browse, find_ids, read_lines};
use smdr_monitor::store::{Filter, OutcomeFilter};

use super::cluster::Cluster;
use super::*;

/// Every line `b` finds, read back a page (`step` ids) at a time, as site, origin and line.
fn browsed(store: &mut dyn HistoryStore, b: &Browse, step: usize) -> Vec<(String, String, i64)> {
    let ids = find_ids(store, b, &mut |_| {}).unwrap();
    let mut out = Vec::new();
    for chunk in ids.chunks(step) {
        let lines = read_lines(store, chunk).unwrap();
        assert_eq!(lines.len(), chunk.len());
        out.extend(lines.into_iter().map(|l| (l.site, l.origin, l.line)));
    }
    out
}

#[test]
fn browsing_pages_gives_the_same_lines_in_both_engines() {
    let cluster = Cluster::shared();
    let url = cluster.database("browse");
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    three_sites(&logs, 400);
    let mut pg = history::open(&Target::parse(&url).unwrap()).unwrap();
    let mut lite = history::open(&Target::Embedded(dir.path().join("h.sqlite3"))).unwrap();
    for store in [pg.as_mut(), lite.as_mut()] {
        rebuild(store, &logs, &sites(), AGE_OUT, &mut |_| {}).unwrap();
    }
    assert_eq!(pg.sites().unwrap(), lite.sites().unwrap());
    assert_eq!(lite.sites().unwrap().len(), 3);

    // No filter: exactly what `history query` prints, in its order.
    let all = Browse::default();
    let mut queried = Vec::new();
    lite.records(&RecordQuery::default(), &mut |l| {
        queried.push((l.site.clone(), l.origin.clone(), l.line));
        Ok(())
    })
    .unwrap();
    assert_eq!(queried.len(), 1200);
    assert_eq!(browsed(lite.as_mut(), &all, 7), queried);
    assert_eq!(browsed(pg.as_mut(), &all, 200), queried);

    let filters = [
        Filter {
            number: "1".into(),
            ..Default::default()
        },
        Filter {
            text: "in".into(),
            ..Default::default()
        },
        Filter {
            outcome: OutcomeFilter::Answered,
            ..Default::default()
        },
        Filter {
            outcome: OutcomeFilter::Unanswered,
            ..Default::default()
        },
    ];
    for (i, filter) in filters.into_iter().enumerate() {
        // Two of the three sites, then all.
        let take = if i < 2 { 2 } else { 0 };
        let b = Browse {
            sites: lite.sites().unwrap().into_iter().take(take).collect(),
            filter,
            ..Default::default()
        };
        let from_lite = browsed(lite.as_mut(), &b, 50);
        assert!(!from_lite.is_empty() && from_lite.len() < 1200, "{b:?}");
        assert_eq!(browsed(pg.as_mut(), &b, 50), from_lite, "{b:?}");
    }
}
