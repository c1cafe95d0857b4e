//! Decode throughput, one core: the whole road an imported or logged record takes — line split
//! or 5000 framing, format detection, field parsing and the date decision — over ~10 MB of
//! seeded traffic per format (the simulator's, the same bytes `benches/decode.py` decodes). Target: ≥ 500 MB/s.

mod common;

use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use smdr_monitor::import;
use smdr_monitor::protocol::{Kind, StreamDecoder};

use common::{SAMPLES, options, sample_records, traffic};

fn main() {
    divan::main();
}

/// The sample of `SAMPLES[i]`.
fn sample(i: usize) -> Vec<u8> {
    let (format, _, seed) = SAMPLES[i];
    traffic(format, sample_records(), seed)
}

static MITEL5000: LazyLock<Vec<u8>> = LazyLock::new(|| sample(0));
static APPSUITE: LazyLock<Vec<u8>> = LazyLock::new(|| sample(1));
static MIVB: LazyLock<Vec<u8>> = LazyLock::new(|| sample(2));

fn decode_all(bencher: Bencher, data: &[u8]) {
    // The generated traffic must be what the decoder reads: every line a record.
    let (mut lines, mut unparsed) = (0, 0);
    import::decode_each(data, &mut StreamDecoder::new(options()), |_, d| {
        lines += 1;
        unparsed += usize::from(d.kind() == Kind::Unparsed);
    });
    assert_eq!(lines, sample_records(), "records decoded");
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
