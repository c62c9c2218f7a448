//! Arbitrary bytes as a DVID block (raw or zstd-wrapped): `decode_block` must never panic,
//! with or without a label mapping, and a mapping must act on labels exactly positionally.
//! The whole input is the block, so real blocks seed the corpus verbatim; the mapping is
//! derived from a hash of the input.
#![no_main]

use braid_core::compress::{is_zstd_frame, zstd_decompress};
use braid_core::dvid::block::{DvidBlock, decode_block};
use braid_core::dvid::block::{MAX_BLOCK_BYTES, block_shape};
use libfuzzer_sys::fuzz_target;

/// A label-to-label function with f(0) = 0, so voxels of empty palettes (always 0) and
/// voxels of label 0 agree; odd multiplication keeps distinct labels distinct.
fn relabel(label: u64, salt: u64) -> u64 {
    label.wrapping_mul(salt | 1).rotate_left((salt % 64) as u32)
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fuzz_target!(|data: &[u8]| {
    let plain = decode_block(data, None);
    let salt = fnv(data);

    // The shape helper parses the same header: it must agree with the decoder.
    if let Ok((volume, shape)) = &plain {
        assert_eq!(volume.len(), shape.iter().product::<usize>());
        assert_eq!(block_shape(data).ok(), Some(*shape));
    }

    // The label list fixes the only valid mapping length; zstd-wrapped blocks are unwrapped
    // here only to read it, the decoder still gets the wrapped bytes.
    let unwrapped =
        if is_zstd_frame(data) { zstd_decompress(data, None, MAX_BLOCK_BYTES).ok() } else { None };
    let Ok(block) = DvidBlock::parse(unwrapped.as_deref().unwrap_or(data)) else {
        // Wrong-length mappings are refused, never misapplied.
        let _ = decode_block(data, Some(&[salt, 0, 1]));
        return;
    };
    let labels: Vec<u64> = block.labels().collect();
    let mapping: Vec<u64> = labels.iter().map(|&l| relabel(l, salt)).collect();
    match (&plain, decode_block(data, Some(&mapping))) {
        (Ok((volume, shape)), Ok((mapped, mapped_shape))) => {
            assert_eq!(shape, &mapped_shape);
            for (i, (&v, &m)) in volume.iter().zip(&mapped).enumerate() {
                assert_eq!(relabel(v, salt), m, "voxel {i}: mapping is not positional");
            }
        }
        (Err(_), Err(_)) => {}
        (p, m) => panic!("mapping changed success: plain {:?}, mapped {:?}", p.is_ok(), m.is_ok()),
    }
    let wrong = vec![salt; labels.len() + 1 + (salt % 3) as usize];
    assert!(decode_block(data, Some(&wrong)).is_err(), "a mapping of the wrong length was accepted");
    if !labels.is_empty() {
        assert!(decode_block(data, Some(&mapping[1..])).is_err(), "a short mapping was accepted");
    }
});
