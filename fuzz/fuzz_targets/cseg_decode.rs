//! Arbitrary bytes as compressed_segmentation of a small shape and block size taken from the
//! input, decoded as uint64 and as uint32: never a panic, and whatever decodes re-encodes to
//! a buffer that decodes to the same volume.
//!
//! Input: `[flags, sx, sy, sz, bx, by, bz] ++ data`; shape axes are `% 17`, block axes `% 9`
//! (0 is reachable on purpose: it must be refused), flags bit 0 selects two channels.
#![no_main]

use braid_core::label::Label;
use braid_core::precomputed::compressed_segmentation as cseg;
use braid_core::volume::Shape;
use libfuzzer_sys::fuzz_target;

fn check<T: Label>(data: &[u8], shape: Shape, channels: usize, block: Shape) {
    let decoded = cseg::decode::<T>(data, shape, channels, block);
    let voxels = shape.iter().product::<usize>() * channels;
    let mut into = vec![T::default(); voxels];
    let decoded_into = cseg::decode_into(data, shape, channels, block, &mut into);
    let Ok(volume) = decoded else {
        assert!(decoded_into.is_err(), "decode_into accepted what decode refused");
        return;
    };
    assert!(!block.contains(&0), "a zero block axis was accepted");
    assert!(decoded_into.is_ok(), "decode_into refused what decode accepted");
    assert_eq!(volume.len(), voxels);
    assert_eq!(volume, into);

    let words = cseg::encode(&volume, shape, channels, block).expect("a decoded volume re-encodes");
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let again = cseg::decode::<T>(&bytes, shape, channels, block).expect("the encoder's output decodes");
    assert_eq!(again, volume, "decode(encode(decode(x))) != decode(x)");
}

fuzz_target!(|input: &[u8]| {
    let Some((header, data)) = input.split_first_chunk::<7>() else { return };
    let channels = 1 + usize::from(header[0] & 1);
    let shape = [header[1], header[2], header[3]].map(|b| usize::from(b % 17));
    let block = [header[4], header[5], header[6]].map(|b| usize::from(b % 9));
    check::<u64>(data, shape, channels, block);
    check::<u32>(data, shape, channels, block);
});
