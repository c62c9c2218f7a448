//! Bounded property tests for the codecs (the long-running versions are the fuzz targets):
//! decoders never panic on arbitrary bytes, and encode → decode is the identity.

use braid_core::compress::{gunzip_limited, gzip, zstd_compress, zstd_decompress};
use braid_core::dvid::block::{decode_block, encode_block};
use braid_core::precomputed::compressed_segmentation as cseg;
use braid_core::transcode::{TranscodeOptions, transcode_dvid_block};
use proptest::prelude::*;

fn shape8() -> impl Strategy<Value = [usize; 3]> {
    (1usize..=3, 1usize..=3, 1usize..=2).prop_map(|(x, y, z)| [8 * x, 8 * y, 8 * z])
}

fn volume(shape: [usize; 3], labels: usize) -> impl Strategy<Value = Vec<u64>> {
    let n = shape.iter().product::<usize>();
    (proptest::collection::vec(any::<u64>(), labels), proptest::collection::vec(any::<u16>(), n))
        .prop_map(|(pool, picks)| picks.iter().map(|&p| pool[p as usize % pool.len()]).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn dvid_encode_decode_is_identity(
        (shape, v) in shape8().prop_flat_map(|s| (Just(s), (1usize..40).prop_flat_map(move |k| volume(s, k))))
    ) {
        let block = encode_block(&v, shape).unwrap();
        prop_assert_eq!(decode_block(&block, None).unwrap(), (v.clone(), shape));
        let wrapped = zstd_compress(&block, 1).unwrap();
        prop_assert_eq!(decode_block(&wrapped, None).unwrap().0, v);
    }

    #[test]
    fn cseg_encode_decode_is_identity(
        (size, block, v) in (1usize..20, 1usize..20, 1usize..6).prop_flat_map(|(x, y, z)| {
            let size = [x, y, z];
            (Just(size), (1usize..9, 1usize..9, 1usize..5).prop_map(|(a, b, c)| [a, b, c]), (1usize..300).prop_flat_map(move |k| volume(size, k)))
        })
    ) {
        let enc: Vec<u8> = cseg::encode(&v, size, 1, block).unwrap().iter().flat_map(|w| w.to_le_bytes()).collect();
        prop_assert_eq!(cseg::decode::<u64>(&enc, size, 1, block).unwrap(), v);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), header in any::<bool>()) {
        let mut b = bytes;
        if header && b.len() >= 16 {
            // Plausible headers reach deeper into the parser than random ones.
            b[..12].copy_from_slice(&[1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
            let n = u32::from(b[12]) % 8;
            b[12..16].copy_from_slice(&n.to_le_bytes());
        }
        let _ = decode_block(&b, None);
        let _ = transcode_dvid_block(&b, &TranscodeOptions { extent: Some([8, 5, 3]), ..Default::default() });
        let _ = cseg::decode::<u64>(&b[..b.len() & !3], [8, 8, 8], 1, [8, 8, 8]);
        let _ = cseg::decode::<u32>(&b[..b.len() & !3], [5, 9, 2], 2, [4, 4, 4]);
        let _ = gunzip_limited(&b, 1 << 20);
        let _ = zstd_decompress(&b, None, 1 << 20);
    }

    #[test]
    fn gzip_round_trips(data in proptest::collection::vec(any::<u8>(), 0..5000), level in 0u32..=9) {
        prop_assert_eq!(gunzip_limited(&gzip(&data, level).unwrap(), usize::MAX).unwrap(), data);
    }
}
