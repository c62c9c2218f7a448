//! Arbitrary bytes and options through the fused DVID → compressed_segmentation (+gzip)
//! transcode: never a panic, and for every block the plain decoder accepts, the same result
//! as decode → crop → `cseg::encode` (→ gzip), including the all-zero `None` case. Invalid
//! options (extent, block size, gzip level, zstd size) must be refused, even for a chunk that
//! would be `None`.
//!
//! Input: `[flags, ex, ey, ez, bx, by, bz, level] ++ block`; eight zero bytes in front of a
//! real block mean default options. flags bits 0–1: mapping none / positional relabel / wrong
//! length; bit 2: clip to the extent (`e % (shape + 2)`, so 0 and shape + 1 are reachable);
//! bit 3: pass `uncompressed_size` (bit 4: off by one); bit 5: block size `b % 9` instead of
//! 8³; `level % 12`: 0 = no gzip, 1..=10 = gzip levels 0..=9, 11 = the invalid level 10.
#![no_main]

use braid_core::Result;
use braid_core::compress::{gunzip, is_zstd_frame, zstd_decompress};
use braid_core::dvid::block::{DvidBlock, MAX_BLOCK_BYTES, decode_block};
use braid_core::precomputed::compressed_segmentation as cseg;
use braid_core::transcode::{TranscodeOptions, transcode_dvid_block};
use braid_core::volume::crop;
use libfuzzer_sys::fuzz_target;

/// Past this the reference decode alone would dominate the run; real DVID blocks are 64³.
const REFERENCE_VOXELS: usize = 1 << 21;

/// What decode → crop → encode (→ gzip) gives, as the uncompressed cseg bytes.
fn reference(
    block: &[u8],
    mapping: Option<&[u64]>,
    extent: [usize; 3],
    cseg_block: [usize; 3],
) -> Result<Option<Vec<u8>>> {
    let (volume, shape) = decode_block(block, mapping)?;
    let cropped = crop(&volume, shape, extent)?;
    if cropped.iter().all(|&v| v == 0) {
        return Ok(None);
    }
    let words = cseg::encode(&cropped, extent, 1, cseg_block)?;
    Ok(Some(words.iter().flat_map(|w| w.to_le_bytes()).collect()))
}

fuzz_target!(|input: &[u8]| {
    let Some((header, block)) = input.split_first_chunk::<8>() else { return };
    let flags = header[0];
    let raw = if is_zstd_frame(block) { zstd_decompress(block, None, MAX_BLOCK_BYTES).ok() } else { None };
    let parsed = DvidBlock::parse(raw.as_deref().unwrap_or(block)).ok();

    let mapping: Option<Vec<u64>> = match (flags & 3, &parsed) {
        (1, Some(b)) => Some(b.labels().map(|l| l.rotate_left(17) ^ 0x5555).collect()),
        (2, Some(b)) => Some(vec![7; b.label_count() + 1]),
        _ => None,
    };
    let shape = parsed.as_ref().map_or([64; 3], |b| b.shape());
    let extent = (flags & 4 != 0).then(|| [0, 1, 2].map(|d| usize::from(header[1 + d]) % (shape[d] + 2)));
    let block_size = if flags & 0x20 != 0 {
        [header[4], header[5], header[6]].map(|b| usize::from(b % 9))
    } else {
        [8; 3]
    };
    let level = header[7] % 12;
    let gzip_level = (level > 0).then(|| u32::from(level - 1));
    let stored_size = raw.as_ref().map_or(block.len(), Vec::len);
    let uncompressed_size = (flags & 8 != 0).then(|| stored_size + usize::from(flags & 0x10 != 0));

    let opts =
        TranscodeOptions { mapping: mapping.as_deref(), extent, block_size, gzip_level, uncompressed_size };
    let got = transcode_dvid_block(block, &opts);

    let Some(parsed) = parsed else {
        assert!(got.is_err(), "transcoded a block that does not parse");
        return;
    };
    let extent = extent.unwrap_or(shape);
    let extent_ok = extent.iter().zip(&shape).all(|(&e, &s)| e > 0 && e <= s);
    let size_ok = raw.is_none() || uncompressed_size.is_none_or(|s| s == stored_size);
    let level_ok = gzip_level.is_none_or(|l| l <= 9);
    // Options are refused whatever the block holds, all-background chunks included.
    let options_ok = extent_ok && size_ok && level_ok && !block_size.contains(&0);
    if !options_ok {
        assert!(
            got.is_err(),
            "invalid options accepted: extent {extent:?} of {shape:?}, block {block_size:?}, gzip {gzip_level:?}, size ok {size_ok}"
        );
        return;
    }
    if parsed.shape().iter().product::<usize>() > REFERENCE_VOXELS {
        return;
    }
    match (got, reference(block, mapping.as_deref(), extent, block_size)) {
        (Ok(None), Ok(None)) => {}
        (Ok(Some(payload)), Ok(Some(want))) => {
            let payload =
                if gzip_level.is_some() { gunzip(&payload).expect("own gzip decodes") } else { payload };
            assert!(
                payload == want,
                "transcode differs from decode → crop → encode ({} vs {} bytes)",
                payload.len(),
                want.len()
            );
        }
        (Err(_), Err(_)) => {}
        (got, want) => panic!(
            "transcode {:?} but reference {:?}",
            got.map(|p| p.map(|b| b.len())),
            want.map(|p| p.map(|b| b.len()))
        ),
    }
});
