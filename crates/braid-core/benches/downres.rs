//! One pyramid step per output chunk, as a downres worker runs it: the eight 64³
//! compressed_segmentation source chunks under a 64³ output chunk → decode → 2×2×2 mode →
//! compressed_segmentation. Sources are the real DVID export shard's blocks, eight at a time
//! placed as the octants of a 128³ box; reported in output chunks per second. The `stored`
//! cases are what a downres worker calls: gzip'd sources in, the gzip'd output out (libdeflate
//! at the default level), and a uniform region that never decodes a voxel.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use braid_core::compress::{DEFAULT_GZIP_LEVEL, gzip};
use braid_core::downres::{
    ChunkEncoding, DownresStep, SourceChunk, StoredStep, VoxelBox, downres_chunk, downres_stored_chunk,
};
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
                    let sources = octants(group);
                    black_box(downres_chunk::<u64>(&sources, output, &step).expect("downres"));
                }
            })
        });
    }
    let zipped: Vec<Vec<u8>> = chunks.iter().map(|c| gzip(c, 6).expect("gzip")).collect();
    let zipped_groups: Vec<&[Vec<u8>]> = zipped.chunks_exact(8).collect();
    let uniform = gzip(
        &cseg::encode(&vec![42u64; 64 * 64 * 64], [64; 3], 1, [8; 3])
            .expect("encodes")
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect::<Vec<u8>>(),
        6,
    )
    .expect("gzip");
    let uniform_group: Vec<Vec<u8>> = vec![uniform; 8];
    let step = DownresStep {
        source_domain,
        source_encoding: CSEG,
        output_encoding: CSEG,
        factors: [2; 3],
        method: Method::Mode,
    };
    let stored = StoredStep { step, source_gzip: true, output_gzip: Some(DEFAULT_GZIP_LEVEL) };
    for (name, groups) in [
        ("stored_gzip_8_sources_mode", &zipped_groups),
        ("stored_gzip_uniform_8_sources_mode", &vec![&uniform_group[..]; groups.len()]),
    ] {
        g.bench_function(format!("{name}_chunks_per_s"), |b| {
            b.iter(|| {
                for group in groups.iter() {
                    let sources = octants(group);
                    black_box(downres_stored_chunk::<u64>(&sources, output, &stored).expect("downres"));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

/// Eight 64³ source chunks placed as the octants of a 128³ box.
fn octants(group: &[Vec<u8>]) -> Vec<SourceChunk<'_>> {
    let octant = |i: usize| [i & 1, (i >> 1) & 1, i >> 2].map(|b| 64 * b as i64);
    group
        .iter()
        .enumerate()
        .map(|(i, p)| SourceChunk { payload: p, bounds: VoxelBox { origin: octant(i), shape: [64; 3] } })
        .collect()
}
