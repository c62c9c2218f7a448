//! Arbitrary bytes as the 16-voxel-aligned compressed_segmentation source chunks of the common
//! 2×2×2 pyramid step, which braid computes on table indices (downsampling.md §4.6): never a
//! panic, and the same answer as decoding, downsampling and encoding — refusing exactly the
//! payloads the decoder refuses.
//!
//! Input: `[flags, cut (u16 LE)] ++ data`: two 16³ chunks side by side along x (a 32×16×16
//! source box), payloads split at `cut`; flags bit 0 votes mode-nonzero, bit 1 leaves the second chunk out.
#![no_main]

use braid_core::downres::{ChunkEncoding, DownresStep, SourceChunk, VoxelBox, downres_chunk};
use braid_core::downsample::{Method, downsample};
use braid_core::precomputed::compressed_segmentation as cseg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&[flags, lo, hi], data)) = input.split_first_chunk::<3>() else { return };
    let (a, b) = data.split_at(usize::from(u16::from_le_bytes([lo, hi])).min(data.len()));
    let boxes = [0, 16].map(|x| VoxelBox { origin: [x, 0, 0], shape: [16; 3] });
    let present = if flags & 2 != 0 { 1 } else { 2 };
    let sources = [SourceChunk { payload: a, bounds: boxes[0] }, SourceChunk { payload: b, bounds: boxes[1] }];
    let sources = &sources[..present];
    let method = if flags & 1 != 0 { Method::ModeNonzero } else { Method::Mode };
    let cseg8 = ChunkEncoding::CompressedSegmentation([8; 3]);
    let step = DownresStep {
        source_domain: VoxelBox { origin: [0; 3], shape: [32, 16, 16] },
        source_encoding: cseg8,
        output_encoding: cseg8,
        factors: [2; 3],
        method,
    };
    let output = VoxelBox { origin: [0; 3], shape: [16, 8, 8] };
    let got = downres_chunk::<u64>(sources, output, &step);
    // The reference: the whole 32×16×16 region decoded (absent chunk 0), mode, encode.
    let decoded: Result<Vec<Vec<u64>>, _> =
        sources.iter().map(|s| cseg::decode::<u64>(s.payload, [16; 3], 1, [8; 3])).collect();
    let Ok(decoded) = decoded else {
        assert!(got.is_err(), "a payload the decoder refuses was accepted");
        return;
    };
    let mut region = vec![0u64; 32 * 16 * 16];
    for (c, v) in decoded.iter().enumerate() {
        for (r, row) in v.chunks_exact(16).enumerate() {
            let at = 16 * c + 32 * r;
            region[at..at + 16].copy_from_slice(row);
        }
    }
    let d = downsample(&region, [0; 3], [32, 16, 16], [2; 3], method).expect("valid step");
    let want = d.data.iter().any(|&l| l != 0).then(|| {
        cseg::encode(&d.data, d.shape, 1, [8; 3]).expect("encodable").iter().flat_map(|w| w.to_le_bytes()).collect()
    });
    assert_eq!(got.expect("a payload the decoder accepts was refused"), want, "differs from decode → mode → encode");
});
