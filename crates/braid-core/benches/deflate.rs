//! Deflate libraries and levels on what braid gzips: the real DVID export shard's 258 blocks as
//! compressed_segmentation chunk payloads (synthetic Voronoi chunks when the shared data is
//! absent). Each id names the library, the level and the mean gzip member size per chunk, so
//! one run of `pnpm bench` shows the size/speed trade-off that chose `DEFAULT_GZIP_LEVEL`.
//! Throughput is in chunk payload bytes in (MB/s) and chunks/s.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use braid_core::precomputed::compressed_segmentation as cseg;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn cseg_payload(volume: &[u64]) -> Vec<u8> {
    cseg::encode(volume, [64; 3], 1, [8; 3]).expect("encodes").iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Real chunks when the shared data is there, synthetic ones (as noisy as segmentation gets
/// at block boundaries) otherwise.
fn chunks() -> (Vec<Vec<u8>>, &'static str) {
    let root = std::env::var("BRAID_SHARED_DATA")
        .unwrap_or_else(|_| format!("{}/../../../shared/data", env!("CARGO_MANIFEST_DIR")));
    if std::path::Path::new(&format!("{root}/dvid/30720_24576_28672.arrow")).exists() {
        let bytes = common::read_dvid_data("30720_24576_28672.arrow");
        let records = braid_core::dvid::export::read_stream(&bytes).expect("real shard parses");
        let out = records
            .iter()
            .map(|r| {
                let (volume, _) =
                    braid_core::dvid::block::decode_block(&r.block, Some(&r.labels)).expect("decodes");
                cseg_payload(&volume)
            })
            .collect();
        return (out, "real");
    }
    let params = braid_core::synth::SynthParams::default();
    let out = (0..64i64)
        .map(|i| {
            let origin = [64 * (i % 4), 64 * (i / 4 % 4), 64 * (i / 16)];
            cseg_payload(
                &braid_core::synth::synth_block(&params, origin, [64; 3]).expect("synth").supervoxels,
            )
        })
        .collect();
    (out, "synthetic")
}

fn zlib_rs(data: &[u8], level: u32, c: &mut flate2::Compress, out: &mut Vec<u8>) -> usize {
    out.clear();
    c.reset();
    c.compress_vec(data, out, flate2::FlushCompress::Finish).expect("deflate");
    assert_eq!(c.total_in() as usize, data.len(), "level {level}: output buffer too small");
    out.len()
}

fn libdeflate(data: &[u8], c: &mut libdeflater::Compressor, out: &mut [u8]) -> usize {
    c.deflate_compress(data, out).expect("deflate")
}

fn bench(c: &mut Criterion) {
    let (chunks, kind) = chunks();
    let input: usize = chunks.iter().map(Vec::len).sum();
    let n = chunks.len();
    // gzip framing (10-byte header, 8-byte trailer) on top of the deflate stream.
    let per_chunk = |deflated: usize| (deflated + 18 * n) / n;
    let mut g = c.benchmark_group("deflate");
    g.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    g.throughput(Throughput::Bytes(input as u64));
    eprintln!("deflate: {n} {kind} cseg chunks, {} bytes each before gzip", input / n);
    for level in 1..=9u32 {
        let mut z = flate2::Compress::new(flate2::Compression::new(level), false);
        let mut out = Vec::with_capacity(1 << 20);
        let bytes: usize = chunks.iter().map(|p| zlib_rs(p, level, &mut z, &mut out)).sum();
        g.bench_function(format!("{kind}_zlib_rs_l{level}_{}B_per_chunk", per_chunk(bytes)), |b| {
            b.iter(|| {
                for p in &chunks {
                    black_box(zlib_rs(p, level, &mut z, &mut out));
                }
            })
        });
        let mut d =
            libdeflater::Compressor::new(libdeflater::CompressionLvl::new(level as i32).expect("level"));
        let mut buf = vec![0u8; chunks.iter().map(|p| d.deflate_compress_bound(p.len())).max().unwrap_or(0)];
        let bytes: usize = chunks.iter().map(|p| libdeflate(p, &mut d, &mut buf)).sum();
        g.bench_function(format!("{kind}_libdeflate_l{level}_{}B_per_chunk", per_chunk(bytes)), |b| {
            b.iter(|| {
                for p in &chunks {
                    black_box(libdeflate(p, &mut d, &mut buf));
                }
            })
        });
    }
    g.finish();
    // The call braid makes (libdeflate when the feature is on), in chunks/s.
    let mut g = c.benchmark_group("gzip_chunk");
    g.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    g.throughput(Throughput::Elements(n as u64));
    let level = braid_core::compress::DEFAULT_GZIP_LEVEL;
    let mut out = Vec::new();
    g.bench_function(format!("{kind}_default_level_{level}_chunks_per_s"), |b| {
        b.iter(|| {
            for p in &chunks {
                out.clear();
                braid_core::compress::gzip_into(p, level, &mut out).expect("gzip");
                black_box(out.len());
            }
        })
    });
    g.finish();
    // Inflate of the same chunks gzip'd at the default level: what a pyramid step reads.
    let members: Vec<Vec<u8>> =
        chunks.iter().map(|p| braid_core::compress::gzip(p, level).expect("gzip")).collect();
    let mut g = c.benchmark_group("gunzip_chunk");
    g.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("{kind}_braid_gunzip_chunks_per_s"), |b| {
        b.iter(|| {
            for m in &members {
                black_box(braid_core::compress::gunzip(m).expect("gunzip").len());
            }
        })
    });
    let mut d = libdeflater::Decompressor::new();
    let mut buf = vec![0u8; chunks.iter().map(Vec::len).max().unwrap_or(0)];
    g.bench_function(format!("{kind}_libdeflate_gzip_decompress_chunks_per_s"), |b| {
        b.iter(|| {
            for m in &members {
                black_box(d.gzip_decompress(m, &mut buf).expect("gunzip"));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
