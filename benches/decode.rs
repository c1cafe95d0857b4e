//! Decode throughput, one core: the whole road an imported or logged record takes — line split
//! or 5000 framing, format detection, field parsing and the date decision — over ~10 MB of
//! seeded traffic per format (the same bytes `benches/decode.py` decodes). Target: ≥ 500 MB/s.

mod common;

use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use smdr_monitor::import;
use smdr_monitor::protocol::{Kind, StreamDecoder};

use common::{options, size, traffic};

fn main() {
    divan::main();
}

/// Records per format: about 10 MB each when benchmarking.
pub fn records() -> usize {
    size(100_000, 300)
}

static MITEL5000: LazyLock<Vec<u8>> = LazyLock::new(|| traffic::mitel5000_capture(records(), 5000));
static APPSUITE: LazyLock<Vec<u8>> =
    LazyLock::new(|| traffic::appsuite_day(traffic::Until::Events(records()), 2007).bytes);
static MIVB: LazyLock<Vec<u8>> = LazyLock::new(|| traffic::mivb_lines(records(), 1752));

fn decode_all(bencher: Bencher, data: &[u8]) {
    // The generated traffic must be what the decoder reads: every line a record.
    let (mut lines, mut unparsed) = (0, 0);
    import::decode_each(data, &mut StreamDecoder::new(options()), |_, d| {
        lines += 1;
        unparsed += usize::from(d.kind() == Kind::Unparsed);
    });
    assert!(lines >= records(), "{lines} records decoded");
    assert_eq!(unparsed, 0, "generated lines the decoder could not read");
    bencher
        .counter(BytesCount::of_slice(data))
        .counter(ItemsCount::new(lines))
        .bench(|| {
            let mut decoder = StreamDecoder::new(options());
            import::decode_each(black_box(data), &mut decoder, |_, d| {
                black_box(d);
            });
        });
}

#[divan::bench(sample_count = 30)]
fn mitel5000_frames(bencher: Bencher) {
    decode_all(bencher, &MITEL5000);
}

#[divan::bench(sample_count = 30)]
fn appsuite_lines(bencher: Bencher) {
    decode_all(bencher, &APPSUITE);
}

#[divan::bench(sample_count = 30)]
fn mivb_lines(bencher: Bencher) {
    decode_all(bencher, &MIVB);
}
