//! Sharded writer and reader throughput on one full mCNS-like shard: 32,768 chunks (32³, the
//! shard of spec p=9, m=6) of about 3.6 KB, the size of a typical cseg+gzip 64³ chunk.

use std::hint::black_box;
use std::time::Duration;

use braid_core::precomputed::sharded::{ShardFile, ShardLayout, ShardWriter, ShardingSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CHUNKS: u64 = 1 << 15;
/// Writers hand the data section to the file in pieces of about this size.
const DRAIN_BYTES: usize = 4 << 20;

/// Deterministic pseudo-random numbers (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// A pool of payloads of 3.0–4.2 KB (mean 3.6 KB); chunk `i` uses entry `i % 64`.
fn payload_pool(rng: &mut Rng) -> Vec<Vec<u8>> {
    (0..64).map(|_| (0..3000 + rng.next() % 1200).map(|_| rng.next() as u8).collect()).collect()
}

fn spec() -> ShardingSpec {
    ShardingSpec::identity(9, 6, 19)
}

/// Writes shard 0 with chunks in `order`, returning the file length (the data is discarded as
/// a file sink would).
fn write_shard(order: &[u64], pool: &[Vec<u8>], layout: ShardLayout, keep: bool) -> (u64, Vec<u8>) {
    let mut writer = ShardWriter::new(spec(), 0, layout).expect("valid spec");
    let mut kept = Vec::new();
    for &id in order {
        writer.add_chunk(id, &pool[(id % 64) as usize]).expect("chunk of shard 0");
        if writer.pending_len() >= DRAIN_BYTES {
            let piece = writer.take_pending();
            if keep {
                kept.extend_from_slice(&piece);
            }
            black_box(piece);
        }
    }
    let done = writer.finish().expect("finish");
    let len = done.index.len() as u64 + done.data_bytes;
    if keep {
        kept.extend_from_slice(&done.tail);
        kept = [done.index, kept].concat();
    }
    (len, kept)
}

fn bench_write(c: &mut Criterion) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let pool = payload_pool(&mut rng);
    let sorted: Vec<u64> = (0..CHUNKS).collect();
    let mut shuffled = sorted.clone();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    let payload_bytes: u64 = sorted.iter().map(|id| pool[(id % 64) as usize].len() as u64).sum();

    let mut group = c.benchmark_group("shard_write_32768_chunks");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Bytes(payload_bytes));
    group.bench_function("tensorstore_layout_sorted", |b| {
        b.iter(|| write_shard(&sorted, &pool, ShardLayout::TensorStore, false).0)
    });
    group.bench_function("indexes_at_end_shuffled", |b| {
        b.iter(|| write_shard(&shuffled, &pool, ShardLayout::IndexesAtEnd, false).0)
    });
    group.finish();
}

fn bench_read(c: &mut Criterion) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let pool = payload_pool(&mut rng);
    let order: Vec<u64> = (0..CHUNKS).collect();
    let (_, file) = write_shard(&order, &pool, ShardLayout::TensorStore, true);
    let spec = spec();
    const LOOKUPS: u64 = 4096;
    let ids: Vec<u64> = (0..LOOKUPS).map(|_| rng.next() % CHUNKS).collect();

    let mut group = c.benchmark_group("shard_read");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    // Parsing decodes every minishard index, so it is measured per listed chunk.
    group.throughput(Throughput::Elements(CHUNKS));
    group.bench_function("parse_32768_chunk_shard", |b| {
        b.iter(|| ShardFile::new(black_box(&file), &spec).expect("valid shard").chunk_count())
    });
    let shard = ShardFile::new(&file, &spec).expect("valid shard");
    group.throughput(Throughput::Elements(LOOKUPS));
    group.bench_function("random_read_chunk", |b| {
        b.iter(|| {
            ids.iter()
                .map(|&id| shard.read_chunk(id).expect("readable").map_or(0, |p| p.len()))
                .sum::<usize>()
        })
    });
    group.bench_function("random_encoded_chunk", |b| {
        b.iter(|| ids.iter().map(|&id| shard.encoded_chunk(id).map_or(0, <[u8]>::len)).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, bench_write, bench_read);
criterion_main!(benches);
