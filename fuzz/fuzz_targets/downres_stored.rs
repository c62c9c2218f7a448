//! Arbitrary bytes as the stored source chunks of one pyramid step: never a panic; a chunk the
//! header scan calls uniform decodes (when it decodes) to that one label; and on payloads that
//! are not gzip'd the stored path agrees with the decoded path (`downres_chunk`), uniform
//! short-circuit included.
//!
//! Input: `[flags, s, cut] ++ data`: two source chunks of `(s % 9 + 1)³` voxels side by side
//! along x, payloads split at `cut`; flags bit 0 treats the payloads as gzip members, bit 1
//! selects 4³ blocks (else 8³), bit 2 votes mode-nonzero.
#![no_main]

use braid_core::downres::{
    ChunkEncoding, DownresStep, SourceChunk, StoredStep, VoxelBox, downres_chunk, downres_stored_chunk,
};
use braid_core::downsample::Method;
use braid_core::precomputed::compressed_segmentation as cseg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&[flags, s, cut], data)) = input.split_first_chunk::<3>() else { return };
    let side = usize::from(s % 9) + 1;
    let block = if flags & 2 != 0 { [4; 3] } else { [8; 3] };
    let cut = usize::from(cut).min(data.len());
    let (a, b) = data.split_at(cut);
    let boxes = [0, side as i64].map(|x| VoxelBox { origin: [x, 0, 0], shape: [side; 3] });
    for (payload, bounds) in [(a, boxes[0]), (b, boxes[1])] {
        if let Ok(Some(label)) = cseg::uniform_label::<u64>(payload, bounds.shape, block) {
            if let Ok(v) = cseg::decode::<u64>(payload, bounds.shape, 1, block) {
                assert!(v.iter().all(|&x| x == label), "uniform_label disagrees with decode");
            }
        }
    }
    let sources =
        [SourceChunk { payload: a, bounds: boxes[0] }, SourceChunk { payload: b, bounds: boxes[1] }];
    let step = DownresStep {
        source_domain: VoxelBox { origin: [0; 3], shape: [2 * side, side, side] },
        source_encoding: ChunkEncoding::CompressedSegmentation(block),
        output_encoding: ChunkEncoding::CompressedSegmentation([8; 3]),
        factors: [2; 3],
        method: if flags & 4 != 0 { Method::ModeNonzero } else { Method::Mode },
    };
    let output = VoxelBox { origin: [0; 3], shape: [side, side.div_ceil(2), side.div_ceil(2)] };
    let gzip = flags & 1 != 0;
    let stored = downres_stored_chunk::<u64>(
        &sources,
        output,
        &StoredStep { step, source_gzip: gzip, output_gzip: None },
    );
    if !gzip {
        if let (Ok(got), Ok(want)) = (&stored, downres_chunk::<u64>(&sources, output, &step)) {
            assert_eq!(got, &want, "stored path differs from the decoded path");
        }
    }
});
