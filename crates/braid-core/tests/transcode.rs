//! The fused DVID → compressed_segmentation transcode must produce exactly the bytes of
//! decode → crop → encode, on every real block and on synthetic blocks with DVID's quirks.

mod common;

use braid_core::compress::{gunzip, zstd_compress};
use braid_core::dvid::block::{decode_block, encode_block};
use braid_core::dvid::export::read_stream;
use braid_core::precomputed::compressed_segmentation as cseg;
use braid_core::transcode::{TranscodeOptions, transcode_dvid_block};
use braid_core::volume::{Shape, crop};

fn reference(block: &[u8], mapping: Option<&[u64]>, extent: Shape, block_size: Shape) -> Option<Vec<u8>> {
    let (volume, shape) = decode_block(block, mapping).unwrap();
    let cropped = crop(&volume, shape, extent).unwrap();
    if cropped.iter().all(|&v| v == 0) {
        return None;
    }
    Some(
        cseg::encode(&cropped, extent, 1, block_size).unwrap().iter().flat_map(|w| w.to_le_bytes()).collect(),
    )
}

const EXTENTS: [Shape; 5] = [[64, 64, 64], [64, 45, 64], [61, 62, 63], [1, 64, 8], [8, 8, 1]];

#[test]
fn fused_equals_reference_on_every_real_block() {
    let records = read_stream(&common::read_dvid_data("30720_24576_28672.arrow")).unwrap();
    assert_eq!(records.len(), 258);
    for r in &records {
        for mapping in [Some(&r.labels[..]), None] {
            for extent in EXTENTS {
                let opts = TranscodeOptions { mapping, extent: Some(extent), ..Default::default() };
                let fused = transcode_dvid_block(&r.block, &opts).unwrap();
                assert_eq!(
                    fused,
                    reference(&r.block, mapping, extent, [8; 3]),
                    "chunk {:?} extent {extent:?}",
                    r.chunk
                );
            }
        }
        let opts =
            TranscodeOptions { mapping: Some(&r.labels), block_size: [16, 4, 8], ..Default::default() };
        assert_eq!(
            transcode_dvid_block(&r.block, &opts).unwrap(),
            reference(&r.block, Some(&r.labels), [64; 3], [16, 4, 8])
        );
        let gz = TranscodeOptions { mapping: Some(&r.labels), gzip_level: Some(1), ..Default::default() };
        let raw = TranscodeOptions { mapping: Some(&r.labels), ..Default::default() };
        if let Some(z) = transcode_dvid_block(&r.block, &gz).unwrap() {
            assert_eq!(Some(gunzip(&z).unwrap()), transcode_dvid_block(&r.block, &raw).unwrap());
        }
    }
}

/// Rewrites a block's label list in place the way DVID merges do: merged labels become 0 or
/// duplicates, and palette entries keep pointing at them.
fn with_label_list(block: &[u8], labels: &[u64]) -> Vec<u8> {
    let mut b = block.to_vec();
    for (i, l) in labels.iter().enumerate() {
        b[16 + 8 * i..24 + 8 * i].copy_from_slice(&l.to_le_bytes());
    }
    b
}

#[test]
fn fused_handles_merged_duplicate_and_zero_labels() {
    let mut seed = 42u64;
    let mut rand = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed >> 33
    };
    for case in 0..60 {
        let shape = [64, 64, 64];
        let distinct = 1 + case % 7;
        let volume: Vec<u64> = (0..64 * 64 * 64)
            .map(|i: usize| {
                let (x, y, z) = (i % 64, i / 64 % 64, i / 4096);
                ((x / (3 + case % 5) + y / 7 + z / (2 + case % 3)) % distinct) as u64 + 100
            })
            .collect();
        let block = encode_block(&volume, shape).unwrap();
        let n = u32::from_le_bytes(block[12..16].try_into().unwrap()) as usize;
        // Merge: some labels collapse onto others or onto background.
        let merged: Vec<u64> = (0..n)
            .map(|i| match rand() % 4 {
                0 => 0,
                1 => 100,
                _ => 100 + i as u64,
            })
            .collect();
        let merged_block = with_label_list(&block, &merged);
        let mapping: Vec<u64> = (0..n).map(|_| rand() % 3).collect();
        for (bytes, map) in [(&block, None), (&merged_block, None), (&merged_block, Some(&mapping[..]))] {
            let wrapped = zstd_compress(bytes, 3).unwrap();
            for extent in EXTENTS {
                let opts = TranscodeOptions { mapping: map, extent: Some(extent), ..Default::default() };
                assert_eq!(
                    transcode_dvid_block(&wrapped, &opts).unwrap(),
                    reference(bytes, map, extent, [8; 3]),
                    "case {case} extent {extent:?}"
                );
            }
        }
    }
}

#[test]
fn bad_options_are_refused_even_for_an_all_zero_chunk() {
    let zeros = encode_block(&vec![0u64; 64 * 64 * 64], [64, 64, 64]).unwrap();
    let ok = TranscodeOptions::default();
    assert_eq!(transcode_dvid_block(&zeros, &ok).unwrap(), None);
    for bad in [
        TranscodeOptions { block_size: [8, 0, 8], ..Default::default() },
        TranscodeOptions { gzip_level: Some(10), ..Default::default() },
        TranscodeOptions { extent: Some([64, 64, 65]), ..Default::default() },
    ] {
        assert!(transcode_dvid_block(&zeros, &bad).is_err(), "{bad:?}");
    }
}
