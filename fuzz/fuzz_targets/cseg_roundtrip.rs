//! Small random volumes through compressed_segmentation: encode → decode gives the volume
//! back for every shape, block size, channel count and label type, and every block uses the
//! narrowest bit width its distinct labels allow.
//!
//! Input: `[flags, sx, sy, sz, bx, by, bz, k] ++ body`; shape axes `% 20`, block axes
//! `% 8 + 1`. flags bit 0: two channels; bit 1: uint32 labels; bit 2: labels are raw 8-byte
//! words of the body (many distinct values) instead of a `k % 8 + 1`-label alphabet.
#![no_main]

use std::collections::BTreeSet;

use braid_core::label::Label;
use braid_core::precomputed::compressed_segmentation::{self as cseg, encoding_bits};
use braid_core::volume::Shape;
use libfuzzer_sys::fuzz_target;

fn check<T: Label>(volume: &[T], shape: Shape, channels: usize, block: Shape) {
    let words = cseg::encode(volume, shape, channels, block).expect("a valid small volume encodes");
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let decoded = cseg::decode::<T>(&bytes, shape, channels, block).expect("the encoder's output decodes");
    assert_eq!(decoded, volume, "decode(encode(v)) != v");
    assert_eq!(
        words,
        cseg::encode(&decoded, shape, channels, block).expect("re-encode"),
        "encode is not deterministic"
    );
    check_bit_widths(&words, volume, shape, channels, block);
}

/// Each block header's bit width (word 0, bits 24..32) must be `encoding_bits` of the
/// number of distinct labels among the block's in-bounds voxels.
fn check_bit_widths<T: Label>(words: &[u32], volume: &[T], shape: Shape, channels: usize, block: Shape) {
    let grid = [0, 1, 2].map(|d| shape[d].div_ceil(block[d]));
    let voxels: usize = shape.iter().product();
    for c in 0..channels {
        let base = words[c] as usize;
        let channel = &volume[c * voxels..(c + 1) * voxels];
        for (k, header) in words[base..].chunks_exact(2).take(grid.iter().product()).enumerate() {
            let at = [k % grid[0], k / grid[0] % grid[1], k / (grid[0] * grid[1])];
            let lo = [0, 1, 2].map(|d| at[d] * block[d]);
            let hi = [0, 1, 2].map(|d| (lo[d] + block[d]).min(shape[d]));
            let mut distinct = BTreeSet::new();
            for z in lo[2]..hi[2] {
                for y in lo[1]..hi[1] {
                    for x in lo[0]..hi[0] {
                        distinct.insert(channel[x + shape[0] * (y + shape[1] * z)]);
                    }
                }
            }
            assert_eq!(header[0] >> 24, encoding_bits(distinct.len()), "channel {c} block {k}: bit width");
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((header, body)) = input.split_first_chunk::<8>() else { return };
    let flags = header[0];
    let channels = 1 + usize::from(flags & 1);
    let shape = [header[1], header[2], header[3]].map(|b| usize::from(b % 20));
    let block = [header[4], header[5], header[6]].map(|b| usize::from(b % 8) + 1);
    let alphabet = u64::from(header[7] % 8) + 1;
    let n = shape.iter().product::<usize>() * channels;
    let byte = |i: usize| body.get(i % body.len().max(1)).copied().unwrap_or(0);
    let value = |i: usize| -> u64 {
        if flags & 4 != 0 {
            u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7].map(|j| byte(8 * i + j)))
        } else {
            // Spread the alphabet over high bits so both table words of uint64 labels matter.
            (u64::from(byte(i)) % alphabet).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        }
    };
    let volume: Vec<u64> = (0..n).map(value).collect();
    if flags & 2 == 0 {
        check(&volume, shape, channels, block);
    } else {
        let narrow: Vec<u32> = volume.iter().map(|&v| (v >> 32) as u32 ^ v as u32).collect();
        check(&narrow, shape, channels, block);
    }
});
