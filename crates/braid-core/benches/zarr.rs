//! zarr `sharding_indexed` throughput on 64³ uint64 inner chunks of real labels (the two fib19
//! DVID sample volumes, alternating): shard write and inner-chunk read per chain, reported per
//! decoded byte, and shard-index decoding (crc32c) for a 16³-chunk shard.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use braid_core::compress::gunzip;
use braid_core::zarr::{
    Compression, DEFAULT_CHUNK_SHAPE, LabelType, ShardSpec, ZarrShard, ZarrShardWriter, decode_shard_index,
    zarr_python_chunk_order,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// 16 inner chunks (32 MiB decoded) per shard: large enough to amortise the index, small
/// enough for gzip to finish an iteration in well under a second.
const CHUNKS_PER_SHARD: [u32; 3] = [4, 2, 2];

fn chains() -> [(&'static str, Compression); 3] {
    [
        ("bytes", Compression::None),
        ("zstd3", Compression::Zstd { level: 3, checksum: false }),
        ("gzip6", Compression::Gzip { level: 6 }),
    ]
}

fn samples() -> [Vec<u8>; 2] {
    ["fib19-64x64x64-sample1.dat.gz", "fib19-64x64x64-sample2.dat.gz"]
        .map(|name| gunzip(&common::read_dvid_data(name)).expect("sample volume gunzips"))
}

fn spec(compression: Compression) -> ShardSpec {
    ShardSpec { compression, ..ShardSpec::new(DEFAULT_CHUNK_SHAPE, CHUNKS_PER_SHARD, LabelType::U64) }
}

/// Writes one shard, draining after every chunk into `sink` (which a file sink would write
/// out); returns the file length.
fn write_shard(spec: ShardSpec, samples: &[Vec<u8>; 2], mut sink: impl FnMut(Vec<u8>)) -> u64 {
    let mut writer = ZarrShardWriter::new(spec, spec.shard_shape()).expect("valid spec");
    for (n, position) in zarr_python_chunk_order(spec.chunks_per_shard).into_iter().enumerate() {
        writer.add_chunk(position, &samples[n % 2]).expect("chunk");
        sink(writer.take_pending());
    }
    let done = writer.finish();
    let len = done.file_len;
    sink(done.tail);
    len
}

fn shard_file(spec: ShardSpec, samples: &[Vec<u8>; 2]) -> Vec<u8> {
    let mut file = Vec::new();
    write_shard(spec, samples, |piece| file.extend(piece));
    file
}

fn bench(c: &mut Criterion) {
    let samples = samples();
    assert!(samples.iter().all(|s| s.len() == spec(Compression::None).chunk_bytes()));
    let decoded_bytes =
        (spec(Compression::None).chunk_count() * spec(Compression::None).chunk_bytes()) as u64;

    let mut write = c.benchmark_group("zarr_shard_write_16x64cube_u64");
    write.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    write.throughput(Throughput::Bytes(decoded_bytes));
    for (name, compression) in chains() {
        write.bench_function(name, |b| {
            b.iter(|| write_shard(spec(compression), &samples, |piece| drop(black_box(piece))))
        });
    }
    write.finish();

    let mut read = c.benchmark_group("zarr_inner_chunk_read_64cube_u64");
    read.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    read.throughput(Throughput::Bytes(decoded_bytes));
    for (name, compression) in chains() {
        let spec = spec(compression);
        let file = shard_file(spec, &samples);
        eprintln!("zarr bench: {name} shard is {} bytes for {decoded_bytes} decoded", file.len());
        read.bench_function(name, |b| {
            b.iter(|| {
                let shard = ZarrShard::new(&file, &spec).expect("shard parses");
                for i in 0..spec.chunk_count() {
                    black_box(shard.read_chunk(spec.chunk_position(i)).expect("chunk decodes"));
                }
            })
        });
    }
    read.finish();

    // A 1024³-voxel shard of 64³ chunks: 4096 entries, a 64 KiB index.
    let big = ShardSpec {
        compression: Compression::None,
        ..ShardSpec::new(DEFAULT_CHUNK_SHAPE, [16; 3], LabelType::U64)
    };
    let mut writer = ZarrShardWriter::new(big, big.shard_shape()).expect("valid spec");
    for i in (0..big.chunk_count()).step_by(3) {
        writer.add_encoded_chunk(big.chunk_position(i), &[1; 100]).expect("chunk");
    }
    let index = writer.finish().tail.split_off(100 * big.chunk_count().div_ceil(3));
    let mut decode = c.benchmark_group("zarr_shard_index_decode_4096_chunks");
    decode.sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    decode.throughput(Throughput::Bytes(index.len() as u64));
    decode.bench_function("bytes_crc32c", |b| {
        b.iter(|| decode_shard_index(&index, &big).expect("index decodes").stored_count())
    });
    decode.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
