//! One pyramid step per output chunk, as a downres worker runs it: the eight 64³
//! compressed_segmentation source chunks under a 64³ output chunk → decode → 2×2×2 mode →
//! compressed_segmentation. Sources are the real DVID export shard's blocks, eight at a time
//! placed as the octants of a 128³ box; reported in output chunks per second.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use braid_core::downres::{ChunkEncoding, DownresStep, SourceChunk, VoxelBox, downres_chunk};
use braid_core::downsample::Method;
use braid_core::precomputed::compressed_segmentation as cseg;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CSEG: ChunkEncoding = ChunkEncoding::CompressedSegmentation([8; 3]);

/// The real shard's blocks as compressed_segmentation chunk payloads.
fn cseg_chunks() -> Vec<Vec<u8>> {
    let bytes = common::read_dvid_data("30720_24576_28672.arrow");
    let records = braid_core::dvid::export::read_stream(&bytes).expect("real shard parses");
    records
        .iter()
        .map(|r| {
            let (volume, _) =
                braid_core::dvid::block::decode_block(&r.block, Some(&r.labels)).expect("real block decodes");
            cseg::encode(&volume, [64; 3], 1, [8; 3])
                .expect("encodes")
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let chunks = cseg_chunks();
    let groups: Vec<&[Vec<u8>]> = chunks.chunks_exact(8).collect();
    let octant = |i: usize| [i & 1, (i >> 1) & 1, i >> 2].map(|b| 64 * b as i64);
    let source_domain = VoxelBox { origin: [0; 3], shape: [128; 3] };
    let output = VoxelBox { origin: [0; 3], shape: [64; 3] };
    let mut g = c.benchmark_group("downres_chunk");
    g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(groups.len() as u64));
    for (name, method) in [("mode", Method::Mode), ("mode_nonzero", Method::ModeNonzero)] {
        let step = DownresStep {
            source_domain,
            source_encoding: CSEG,
            output_encoding: CSEG,
            factors: [2; 3],
            method,
        };
        g.bench_function(format!("cseg_8_sources_{name}_chunks_per_s"), |b| {
            b.iter(|| {
                for group in &groups {
                    let sources: Vec<SourceChunk<'_>> = group
                        .iter()
                        .enumerate()
                        .map(|(i, p)| SourceChunk {
                            payload: p,
                            bounds: VoxelBox { origin: octant(i), shape: [64; 3] },
                        })
                        .collect();
                    black_box(downres_chunk::<u64>(&sources, output, &step).expect("downres"));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
