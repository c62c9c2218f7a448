//! Codec throughput on the real DVID export shard: DVID decode, compressed_segmentation
//! encode/decode and the fused transcode (+gzip), reported per chunk and per decoded byte.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use braid_core::compress::{DEFAULT_GZIP_LEVEL, zstd_decompress};
use braid_core::dvid::block::{DvidBlock, decode_block_into};
use braid_core::precomputed::compressed_segmentation as cseg;
use braid_core::transcode::{TranscodeOptions, transcode_dvid_block};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CHUNK_BYTES: u64 = 64 * 64 * 64 * 8;

struct Row {
    block: Vec<u8>,
    raw: Vec<u8>,
    labels: Vec<u64>,
}

fn rows() -> Vec<Row> {
    let bytes = common::read_dvid_data("30720_24576_28672.arrow");
    braid_core::dvid::export::read_stream(&bytes)
        .expect("real shard parses")
        .into_iter()
        .map(|r| Row {
            raw: zstd_decompress(&r.block, Some(r.uncompressed_size as usize), usize::MAX).unwrap(),
            block: r.block,
            labels: r.labels,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let rows = rows();
    let n = rows.len() as u64;
    let volumes: Vec<Vec<u64>> = rows
        .iter()
        .map(|r| braid_core::dvid::block::decode_block(&r.raw, Some(&r.labels)).unwrap().0)
        .collect();
    let encoded: Vec<Vec<u8>> = volumes
        .iter()
        .map(|v| cseg::encode(v, [64; 3], 1, [8; 3]).unwrap().iter().flat_map(|w| w.to_le_bytes()).collect())
        .collect();

    for (unit, throughput) in
        [("chunks", Throughput::Elements(n)), ("bytes", Throughput::Bytes(n * CHUNK_BYTES))]
    {
        let mut g = c.benchmark_group(format!("codecs/{unit}"));
        g.throughput(throughput).sample_size(10).measurement_time(Duration::from_secs(3));
        let mut out = vec![0u64; 64 * 64 * 64];
        g.bench_function("dvid_decode", |b| {
            b.iter(|| {
                for r in &rows {
                    decode_block_into(&DvidBlock::parse(&r.raw).unwrap(), Some(&r.labels), &mut out).unwrap();
                }
            })
        });
        g.bench_function("dvid_decode_with_zstd", |b| {
            b.iter(|| {
                for r in &rows {
                    let raw = zstd_decompress(&r.block, None, usize::MAX).unwrap();
                    decode_block_into(&DvidBlock::parse(&raw).unwrap(), Some(&r.labels), &mut out).unwrap();
                }
            })
        });
        g.bench_function("cseg_encode", |b| {
            b.iter(|| {
                volumes.iter().map(|v| cseg::encode(v, [64; 3], 1, [8; 3]).unwrap().len()).sum::<usize>()
            })
        });
        // Encoding right after the volume was produced (downsampling, decode) finds it in cache.
        g.bench_function("cseg_encode_warm", |b| {
            b.iter(|| {
                volumes
                    .iter()
                    .take(8)
                    .cycle()
                    .take(volumes.len())
                    .map(|v| cseg::encode(v, [64; 3], 1, [8; 3]).unwrap().len())
                    .sum::<usize>()
            })
        });
        g.bench_function("cseg_decode", |b| {
            let mut out = vec![0u64; 64 * 64 * 64];
            b.iter(|| {
                for e in &encoded {
                    cseg::decode_into(e, [64; 3], 1, [8; 3], &mut out).unwrap();
                }
            })
        });
        for (name, gzip) in [("transcode", None), ("transcode_gzip", Some(DEFAULT_GZIP_LEVEL))] {
            g.bench_function(name, |b| {
                b.iter(|| {
                    rows.iter()
                        .map(|r| {
                            let opts = TranscodeOptions {
                                mapping: Some(&r.labels),
                                gzip_level: gzip,
                                ..Default::default()
                            };
                            transcode_dvid_block(&r.block, &opts).unwrap().map_or(0, |p| p.len())
                        })
                        .sum::<usize>()
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
