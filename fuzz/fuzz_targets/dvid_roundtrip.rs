//! Small random volumes through the DVID block encoder: `encode_block` → `decode_block`
//! gives the volume back (raw and zstd-wrapped), the block lists each distinct label once,
//! and shapes that are not positive multiples of 8 are refused.
//!
//! Input: `[flags, sx, sy, sz, k] ++ body`. Axes are `8 * (s % 3 + 1)`, or with flags bit 3
//! any `s % 25` (then refused unless aligned). flags bit 2: labels are raw 8-byte words of
//! the body (up to 512 labels per sub-block, 9-bit packing) instead of a `k`-label alphabet.
#![no_main]

use std::collections::HashSet;

use braid_core::compress::zstd_compress;
use braid_core::dvid::block::{DvidBlock, decode_block, encode_block};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((header, body)) = input.split_first_chunk::<5>() else { return };
    let flags = header[0];
    let shape = [header[1], header[2], header[3]]
        .map(|s| if flags & 8 != 0 { usize::from(s % 25) } else { 8 * (usize::from(s % 3) + 1) });
    let alphabet = u64::from(header[4]) + 1;
    let n: usize = shape.iter().product();
    let byte = |i: usize| body.get(i % body.len().max(1)).copied().unwrap_or(0);
    let volume: Vec<u64> = (0..n)
        .map(|i| {
            if flags & 4 != 0 {
                u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7].map(|j| byte(8 * i + j)))
            } else {
                (u64::from(byte(i)) % alphabet).wrapping_mul(0xff51_afd7_ed55_8ccd)
            }
        })
        .collect();

    let encoded = encode_block(&volume, shape);
    let aligned = shape.iter().all(|&d| d > 0 && d % 8 == 0);
    let Ok(encoded) = encoded else {
        assert!(!aligned, "an aligned {shape:?} volume was refused");
        return;
    };
    assert!(aligned, "unaligned shape {shape:?} was accepted");

    let block = DvidBlock::parse(&encoded).expect("the encoder's output parses");
    let listed: Vec<u64> = block.labels().collect();
    let distinct: HashSet<u64> = volume.iter().copied().collect();
    assert_eq!(listed.len(), distinct.len(), "block label list is not the distinct labels");
    assert_eq!(listed.iter().copied().collect::<HashSet<_>>(), distinct);

    assert_eq!(decode_block(&encoded, None).expect("decodes"), (volume.clone(), shape));
    let level = i32::from(flags >> 4) % 4 + 1;
    let wrapped = zstd_compress(&encoded, level).expect("zstd level 1..=4 is valid");
    assert_eq!(decode_block(&wrapped, None).expect("zstd-wrapped decodes"), (volume, shape));
});
