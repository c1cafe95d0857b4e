use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::*;
use crate::protocol::summary::note;
use crate::protocol::{DecodeOptions, StreamDecoder};

const LINES: &[&str] = &[
    "Station Message Detailed Recording                          00:00:04 07-03-2012",
    "    ***** 94129 RG 612-804-4082         8907 00:29      S=5                    *",
    "TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              ",
    "IN  110   94129 525530894016            0061 08:48      S=1 $00.00             *",
    "2012-03-09 01:20:40 |IN | 2012030901204052070264 0092108 0001843 0000000 0000079XXXXXXXX |CHRIS R MOBILE| 00044161XXXXXXX |CHRIS DID | 000000000000 |RINGING     |",
    "+11/21 09:02  00:41:07 T009  012                             2301T 2305 4455         000  ",
    "garbage \u{1} here",
];

fn record(decoder: &mut StreamDecoder, site: &str, line: u64, text: &str) -> Record {
    let site: Arc<str> = site.into();
    decoder.record(
        &site,
        Source {
            origin: "test.log".into(),
            line,
        },
        text.as_bytes(),
        None,
    )
}

fn store() -> Store {
    let mut decoder = StreamDecoder::new(DecodeOptions {
        today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        ..Default::default()
    });
    let mut s = Store::new();
    for (i, l) in LINES.iter().enumerate() {
        let site = if i < 4 { "hq" } else { "branch" };
        s.push(record(&mut decoder, site, i as u64 + 1, l));
    }
    s
}

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

#[test]
fn records_round_trip_through_the_store() {
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let original = record(&mut decoder, "hq", 7, LINES[2]);
    let mut s = Store::new();
    let id = s.push(original.clone());
    let r = s.get(id).unwrap();
    assert_eq!(r.to_record(), original);
    assert_eq!(r.text(), LINES[2]);
    assert_eq!(r.source().to_string(), "test.log:7");
    assert_eq!(r.decode().kind(), Kind::Call);
}

#[test]
fn receipt_times_and_odd_bytes_survive() {
    let site: Arc<str> = "hq".into();
    let received = DateTime::parse_from_rfc3339("2026-11-22T00:10:00+01:00").unwrap();
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let src = |line| Source {
        origin: "x".into(),
        line,
    };
    let with_time = decoder.record(&site, src(1), LINES[2].as_bytes(), Some(received));
    let bad = decoder.record(&site, src(2), b"ab\xffcd", None);
    let garbage = Record::garbage(
        site.clone(),
        src(3),
        Format::Mitel5000,
        b"\xff\xff\xff\xff",
        "length prefix too large".into(),
    );
    let long = decoder.record(&site, src(4), "x".repeat(40_000).as_bytes(), None);
    let mut s = Store::new();
    for r in [&with_time, &bad, &garbage, &long] {
        let id = s.push(r.clone());
        assert_eq!(&s.get(id).unwrap().to_record(), r);
    }
    let r = s.get(0).unwrap();
    assert_eq!(r.received(), Some(received));
    // Started 08:52 but received 00:10: the day before (receipt rule).
    assert_eq!(r.date().date, NaiveDate::from_ymd_opt(2026, 11, 21));
    assert_eq!(s.get(1).unwrap().raw_bytes(), b"ab\xffcd");
    assert_eq!(s.get(2).unwrap().problem(), Some("length prefix too large"));
    assert!(matches!(s.get(2).unwrap().decode().body, Body::Unparsed(_)));
    assert_eq!(s.get(3).unwrap().text().len(), 40_000);
}

#[test]
fn summaries_map_every_format_onto_shared_columns() {
    let s = store();
    let sum = |id| {
        let r = s.get(id).unwrap();
        let d = r.decode();
        let x = summary(&d);
        (
            x.direction.to_string(),
            x.what.to_string(),
            x.extension.to_string(),
            x.trunk.to_string(),
            x.number.to_string(),
            x.duration_s,
            x.unanswered,
        )
    };
    let own = |v: [&str; 5]| v.map(String::from);
    let check = |id, v: [&str; 5], dur, unanswered| {
        let [a, b, c, d, e] = own(v);
        assert_eq!(sum(id), (a, b, c, d, e, dur, unanswered), "row {id}");
    };
    check(
        1,
        ["IN", "RING", "*****", "94129", "612-804-4082"],
        Some(5),
        true,
    );
    check(
        2,
        ["OUT", "TLC", "104", "94151", "952-474-1742"],
        Some(226),
        false,
    );
    check(
        3,
        ["IN", "IN", "110", "94129", "525530894016"],
        Some(1),
        false,
    );
    check(
        4,
        ["IN", "RINGING", "1843", "92108", "79XXXXXXXX"],
        None,
        false,
    );
    check(5, ["IN", "call", "2301", "T009", ""], Some(2467), false);
    assert_eq!(s.get(2).unwrap().when(), Some(dt("2012-07-03 08:52")));
    assert_eq!(s.get(6).unwrap().kind(), Kind::Unparsed);
    assert_eq!(&**s.sites().first().unwrap(), "hq");
    assert_eq!(s.sites().len(), 2);
}

#[test]
fn filters_narrow_the_view() {
    let s = store();
    let count = |f: Filter| {
        let mut v = View::default();
        let settings = ViewSettings {
            filter: f,
            ..Default::default()
        };
        s.refresh(&mut v, &settings);
        v.ids().collect::<Vec<_>>()
    };
    assert_eq!(count(Filter::default()).len(), LINES.len());
    let site = Filter {
        site: Some("branch".into()),
        ..Default::default()
    };
    assert_eq!(count(site), vec![4, 5, 6]);
    let ext = Filter {
        extension: "10".into(),
        ..Default::default()
    };
    // "10" is in row 2's extension (104); row 3 has 110. Other rows print "10" elsewhere or not.
    assert_eq!(count(ext), vec![2, 3]);
    let number = Filter {
        number: "612".into(),
        ..Default::default()
    };
    assert_eq!(count(number), vec![1]);
    let text = Filter {
        text: "chris r".into(),
        ..Default::default()
    };
    assert_eq!(count(text), vec![4]);
    let what = Filter {
        what: "call".into(),
        ..Default::default()
    };
    assert_eq!(count(what), vec![5]);
    let unanswered = Filter {
        outcome: OutcomeFilter::Unanswered,
        ..Default::default()
    };
    assert_eq!(count(unanswered), vec![1]);
    let unparsed = Filter {
        outcome: OutcomeFilter::Unparsed,
        ..Default::default()
    };
    assert_eq!(count(unparsed), vec![6]);
    let long = Filter {
        min_duration_s: Some(200),
        ..Default::default()
    };
    assert_eq!(count(long), vec![2, 5]);
    let range = Filter {
        from: Some(dt("2012-07-03 08:50")),
        to: Some(dt("2012-07-03 09:00")),
        ..Default::default()
    };
    assert_eq!(count(range), vec![2]);
}

#[test]
fn views_sort_and_follow_new_records() {
    let mut s = store();
    let mut v = View::default();
    let mut settings = ViewSettings {
        sort: SortColumn::Duration,
        ..Default::default()
    };
    assert!(s.refresh(&mut v, &settings));
    let order: Vec<_> = v.ids().collect();
    // Durations 1, 5, 226, 2467, then rows without one in arrival order.
    assert_eq!(order[..4], [3, 1, 2, 5]);
    settings.toggle_sort(SortColumn::Duration);
    assert!(settings.descending);
    assert!(
        !s.refresh(&mut v, &settings),
        "flipping the direction needs no recompute"
    );
    assert_eq!(v.ids().last(), Some(3));

    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let id = s.push(record(
        &mut decoder,
        "hq",
        99,
        "TLC 104   94151 952-474-1742                 08:52    S=100 $00.00              ",
    ));
    assert!(s.refresh(&mut v, &settings));
    settings.descending = false;
    s.refresh(&mut v, &settings);
    let order: Vec<_> = v.ids().collect();
    assert_eq!(order[..5], [3, 1, id, 2, 5]);
    assert_eq!(v.position(id), Some(2));
    assert!(!s.refresh(&mut v, &settings));
}

#[test]
fn appending_a_batch_keeps_every_record() {
    let mut a = store();
    let b = store();
    let before: Vec<String> = b.iter().map(|r| r.text().to_string()).collect();
    a.append(b);
    assert_eq!(a.len(), 2 * LINES.len());
    let after: Vec<String> = a
        .iter()
        .skip(LINES.len())
        .map(|r| r.text().to_string())
        .collect();
    assert_eq!(before, after);
    assert_eq!(a.sites().len(), 2);
    let day = a.day_of_site("hq", NaiveDate::from_ymd_opt(2012, 7, 3).unwrap());
    assert_eq!(day.len(), 8, "header and three calls, twice");
}

#[test]
fn a_day_of_a_site_holds_its_unparsed_lines() {
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    let site: Arc<str> = "hq".into();
    let received = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    let mut s = Store::new();
    for (line, (text, at)) in [
        (LINES[2], "2012-07-03T08:56:00+01:00"),
        (LINES[6], "2012-07-03T08:57:00+01:00"),
        (LINES[6], "2012-07-04T00:01:00+01:00"),
    ]
    .into_iter()
    .enumerate()
    {
        let source = Source {
            origin: "test.log".into(),
            line: line as u64 + 1,
        };
        s.push(decoder.record(&site, source, text.as_bytes(), received(at)));
    }
    let day = s.day_of_site("hq", NaiveDate::from_ymd_opt(2012, 7, 3).unwrap());
    assert_eq!(day, [0, 1], "the call and the garbage of that day");
}

#[test]
fn snapshots_share_text_and_stay_unchanged() {
    let mut s = store();
    let snap = s.snapshot([6, 2, 4]);
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    s.push(record(&mut decoder, "hq", 50, LINES[3]));
    let texts: Vec<&str> = snap.iter().map(|r| r.text()).collect();
    assert_eq!(texts, [LINES[6], LINES[2], LINES[4]]);
    assert_eq!(snap.get(0).unwrap().kind(), Kind::Unparsed);
    assert_eq!(s.get(7).unwrap().text(), LINES[3]);
    assert_eq!(s.len(), LINES.len() + 1);
}

#[test]
fn the_number_filter_ignores_punctuation_both_ways() {
    let s = store();
    let by_number = |n: &str| {
        let mut v = View::default();
        let mut settings = ViewSettings::default();
        settings.filter.number = n.into();
        s.refresh(&mut v, &settings);
        v.ids().collect::<Vec<_>>()
    };
    // Row 1 prints 612-804-4082, row 2 952-474-1742, row 3 525530894016.
    assert_eq!(by_number("6128044082"), vec![1]);
    assert_eq!(by_number("(612) 804 4082"), vec![1]);
    assert_eq!(by_number("804.40"), vec![1]);
    assert_eq!(by_number("4741742"), vec![2]);
    assert_eq!(by_number("525-530-8940"), vec![3]);
    assert_eq!(by_number("+52 553"), vec![3]);
    // The raw text runs 4082 into the DID 8907 across spaces: the number alone does not.
    assert_eq!(by_number("40828907"), Vec::<RowId>::new());
    assert_eq!(by_number("79xx"), vec![4], "masked digits, any case");
    assert_eq!(
        by_number("-").len(),
        LINES.len(),
        "punctuation alone: no filter"
    );
}

#[test]
fn the_text_filter_searches_the_note_column() {
    let s = store();
    let by_text = |t: &str| {
        let mut v = View::default();
        let mut settings = ViewSettings::default();
        settings.filter.text = t.into();
        s.refresh(&mut v, &settings);
        v.ids().collect::<Vec<_>>()
    };
    let notes: Vec<String> = s
        .iter()
        .map(|r| note(&r.decode().body).to_string())
        .collect();
    assert_eq!(
        notes,
        [
            "",
            "DID 8907",
            "",
            "DID 0061",
            "CHRIS R MOBILE",
            "T 2305",
            "date (columns 1-5) is \"arbag\", not mm/dd",
        ]
    );
    // "DID" is a word of the 5000 rows' notes only (their raw texts do not print it); row 4
    // prints it in its DDI name.
    assert_eq!(by_text("did"), vec![1, 3, 4]);
    assert_eq!(by_text("DID 0061"), vec![3]);
    assert_eq!(by_text("d 89"), vec![1], "across the note's two parts");
    assert_eq!(by_text("mm/dd"), vec![6], "an unparsed line's reason");
    assert_eq!(by_text("t 2305"), vec![5]);
    // Still the raw text too, and combined with the other boxes.
    assert_eq!(by_text("S=226"), vec![2]);
    let mut v = View::default();
    let mut settings = ViewSettings::default();
    settings.filter.text = "did".into();
    settings.filter.extension = "110".into();
    s.refresh(&mut v, &settings);
    assert_eq!(v.ids().collect::<Vec<_>>(), vec![3]);
}

#[test]
fn extensions_and_trunks_sort_as_numbers() {
    let mut decoder = StreamDecoder::new(DecodeOptions {
        today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        ..Default::default()
    });
    let mut s = Store::new();
    for (i, line) in [
        "TLC 104   94151 952-474-1742                 08:52    S=226 $00.00              ",
        "TLC 99    P10   952-474-1742                 08:52    S=226 $00.00              ",
        "Station Message Detailed Recording                          00:00:04 07-03-2012",
        "TLC 2001  P2    952-474-1742                 08:52    S=226 $00.00              ",
        "TLC 1002  P0001 952-474-1742                 08:52    S=226 $00.00              ",
        "    ***** 94129 RG 612-804-4082         8907 00:29      S=5                    *",
        "TLC 104   9415  952-474-1742                 08:52    S=226 $00.00              ",
    ]
    .into_iter()
    .enumerate()
    {
        s.push(record(&mut decoder, "hq", i as u64 + 1, line));
    }
    let column = |id: RowId, c: SortColumn| {
        let r = s.get(id).unwrap();
        let d = r.decode();
        let x = summary(&d);
        match c {
            SortColumn::Extension => x.extension.to_string(),
            _ => x.trunk.to_string(),
        }
    };
    let sorted = |c: SortColumn, descending: bool| {
        let mut v = View::default();
        let settings = ViewSettings {
            filter: Filter::default(),
            sort: c,
            descending,
        };
        s.refresh(&mut v, &settings);
        v.ids().map(|id| column(id, c)).collect::<Vec<_>>()
    };
    // Numbers by value (ties in arrival order), then others, blanks last.
    assert_eq!(
        sorted(SortColumn::Extension, false),
        ["99", "104", "104", "1002", "2001", "*****", ""]
    );
    assert_eq!(
        sorted(SortColumn::Trunk, false),
        ["9415", "94129", "94151", "P0001", "P2", "P10", ""]
    );
    assert_eq!(
        sorted(SortColumn::Trunk, true),
        ["", "P10", "P2", "P0001", "94151", "94129", "9415"]
    );
    // Equal keys keep arrival order: the two 104s are rows 0 and 6.
    let mut v = View::default();
    let settings = ViewSettings {
        filter: Filter::default(),
        sort: SortColumn::Extension,
        descending: false,
    };
    s.refresh(&mut v, &settings);
    assert_eq!(v.ids().take(3).collect::<Vec<_>>(), [1, 0, 6]);
}

#[test]
fn a_views_generation_says_when_rows_may_have_moved() {
    let mut s = store();
    let mut v = View::default();
    let mut settings = ViewSettings {
        filter: Filter::default(),
        sort: SortColumn::Duration,
        descending: false,
    };
    s.refresh(&mut v, &settings);
    let first = v.generation();
    assert!(!s.refresh(&mut v, &settings));
    assert_eq!(v.generation(), first, "nothing new");
    settings.toggle_sort(SortColumn::Duration);
    s.refresh(&mut v, &settings);
    assert_eq!(
        v.generation(),
        first,
        "a flipped direction moves no row in the sorted list"
    );
    let mut decoder = StreamDecoder::new(DecodeOptions::default());
    s.push(record(&mut decoder, "hq", 9, LINES[2]));
    s.refresh(&mut v, &settings);
    assert_eq!(v.generation(), first + 1);
    settings.filter.site = Some("branch".into());
    s.refresh(&mut v, &settings);
    assert_eq!(v.generation(), first + 2);
}

#[test]
fn a_filtered_store_keeps_only_the_rows_asked_for_with_their_texts() {
    let s = store();
    let kept = s.filtered(0, |r| &**r.site() == "branch");
    assert_eq!(kept.len(), LINES.len() - 4);
    let texts: Vec<&str> = kept.iter().map(|r| r.text()).collect();
    assert_eq!(texts, LINES[4..]);
    assert_eq!(
        kept.sites().iter().map(|s| &**s).collect::<Vec<_>>(),
        ["branch"]
    );
    let originals: Vec<_> = s.iter().skip(4).map(|r| r.to_record()).collect();
    let copies: Vec<_> = kept.iter().map(|r| r.to_record()).collect();
    assert_eq!(copies, originals, "every field survives the rebuild");
    let tail = s.filtered(5, |_| true);
    assert_eq!(tail.len(), LINES.len() - 5);
    assert_eq!(tail.get(0).unwrap().text(), LINES[5]);
}
