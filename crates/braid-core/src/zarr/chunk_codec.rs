//! The inner codec chain: `bytes` (little-endian) then optionally `zstd` or `gzip`.
//!
//! Voxels enter and leave as little-endian element bytes, so `bytes` is the identity on every
//! host. A chunk always decodes to exactly [`ShardSpec::chunk_bytes`], which doubles as the
//! decompression-bomb bound.

use super::{Compression, ShardSpec, ZarrError};
use crate::compress::{gunzip_limited, gzip_into, zstd_compress, zstd_decompress};

/// Frame header descriptor bit 2 (RFC 8878 §3.1.1.1.1): a 4-byte content checksum ends the frame.
const CONTENT_CHECKSUM_FLAG: u8 = 0x04;

/// Appends inner chunk `voxels` (exactly [`ShardSpec::chunk_bytes`] little-endian bytes, edge
/// chunks already padded) encoded with `spec`'s chain to `out`.
pub fn encode_chunk(spec: &ShardSpec, voxels: &[u8], out: &mut Vec<u8>) -> Result<(), ZarrError> {
    if voxels.len() != spec.chunk_bytes() {
        return Err(ZarrError::InvalidArgument(format!(
            "an inner chunk of {:?} {} voxels is {} bytes, got {}",
            spec.chunk_shape,
            spec.data_type.as_str(),
            spec.chunk_bytes(),
            voxels.len()
        )));
    }
    match spec.compression {
        Compression::None => out.extend_from_slice(voxels),
        Compression::Gzip { level } => gzip_into(voxels, level, out)?,
        Compression::Zstd { level, checksum } => {
            let mut frame = zstd_compress(voxels, level)?;
            if !checksum {
                drop_content_checksum(&mut frame);
            }
            out.extend_from_slice(&frame);
        }
    }
    Ok(())
}

/// Removes the content checksum from a single zstd frame, as if it had been written with
/// checksums off: the flag is a header bit and the checksum the frame's last 4 bytes, and
/// nothing else refers to either. Both backends always write one; zarr-python defaults to none.
fn drop_content_checksum(frame: &mut Vec<u8>) {
    if let Some(descriptor) = frame.get_mut(4) {
        if *descriptor & CONTENT_CHECKSUM_FLAG != 0 {
            *descriptor &= !CONTENT_CHECKSUM_FLAG;
            frame.truncate(frame.len() - 4);
        }
    }
}

/// Decodes stored inner chunk `position` (used in errors) into its
/// [`ShardSpec::chunk_bytes`] little-endian voxel bytes, never producing more.
pub fn decode_chunk(spec: &ShardSpec, position: [u32; 3], encoded: &[u8]) -> Result<Vec<u8>, ZarrError> {
    let expected = spec.chunk_bytes();
    let corrupt = |source| ZarrError::ChunkCorrupt { chunk: position, source };
    let decoded = match spec.compression {
        Compression::None => encoded.to_vec(),
        Compression::Gzip { .. } => gunzip_limited(encoded, expected).map_err(corrupt)?,
        Compression::Zstd { .. } => zstd_decompress(encoded, Some(expected), expected).map_err(corrupt)?,
    };
    if decoded.len() != expected {
        return Err(ZarrError::ChunkLength { chunk: position, expected, actual: decoded.len() });
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::LabelType;

    fn spec(compression: Compression) -> ShardSpec {
        ShardSpec { compression, ..ShardSpec::new([4, 4, 4], [1, 1, 1], LabelType::U16) }
    }

    fn voxels() -> Vec<u8> {
        (0..64u16).flat_map(|v| (v / 5).to_le_bytes()).collect()
    }

    const CHAINS: [Compression; 5] = [
        Compression::None,
        Compression::Gzip { level: 1 },
        Compression::Gzip { level: 9 },
        Compression::Zstd { level: 3, checksum: false },
        Compression::Zstd { level: 19, checksum: true },
    ];

    #[test]
    fn every_chain_round_trips() {
        for c in CHAINS {
            let mut out = vec![0xaa];
            encode_chunk(&spec(c), &voxels(), &mut out).unwrap();
            assert_eq!(out[0], 0xaa, "appends");
            assert_eq!(decode_chunk(&spec(c), [0, 0, 0], &out[1..]).unwrap(), voxels(), "{c:?}");
        }
    }

    #[test]
    fn the_bytes_chain_stores_little_endian_voxels_verbatim() {
        let mut out = Vec::new();
        encode_chunk(&spec(Compression::None), &voxels(), &mut out).unwrap();
        assert_eq!(out, voxels());
    }

    #[test]
    fn zstd_checksum_follows_the_option() {
        let data = voxels();
        let mut with = Vec::new();
        encode_chunk(&spec(Compression::Zstd { level: 3, checksum: true }), &data, &mut with).unwrap();
        let mut without = Vec::new();
        encode_chunk(&spec(Compression::Zstd { level: 3, checksum: false }), &data, &mut without).unwrap();
        assert_ne!(with[4] & CONTENT_CHECKSUM_FLAG, 0);
        assert_eq!(without[4] & CONTENT_CHECKSUM_FLAG, 0);
        assert_eq!(without.len() + 4, with.len());
        // A corrupted checksum is caught only when there is one.
        let n = with.len();
        with[n - 1] ^= 1;
        let err = decode_chunk(&spec(Compression::Zstd { level: 3, checksum: true }), [0, 0, 0], &with);
        assert_eq!(err.unwrap_err().code(), "ZARR_CORRUPT");
    }

    #[test]
    fn refuses_wrong_sizes_both_ways() {
        let mut out = Vec::new();
        let err = encode_chunk(&spec(Compression::None), &[0; 7], &mut out).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");

        let err = decode_chunk(&spec(Compression::None), [0, 0, 0], &[0; 127]).unwrap_err();
        assert!(matches!(err, ZarrError::ChunkLength { expected: 128, actual: 127, .. }), "{err}");

        // A bomb: 1 MiB of zeros claiming to be a 128-byte chunk.
        let big = vec![0u8; 1 << 20];
        for c in [Compression::Gzip { level: 6 }, Compression::Zstd { level: 3, checksum: false }] {
            let mut bomb = Vec::new();
            encode_chunk(&ShardSpec { chunk_shape: [1 << 19, 1, 1], ..spec(c) }, &big, &mut bomb).unwrap();
            let err = decode_chunk(&spec(c), [0, 1, 2], &bomb).unwrap_err();
            assert_eq!(err.code(), "ZARR_CORRUPT", "{c:?}");
            assert!(err.to_string().contains("[0, 1, 2]"), "{err}");
        }
        // Short output is as wrong as long output.
        let mut small = Vec::new();
        gzip_into(&[1, 2, 3], 6, &mut small).unwrap();
        let err = decode_chunk(&spec(Compression::Gzip { level: 6 }), [0, 0, 0], &small).unwrap_err();
        assert!(matches!(err, ZarrError::ChunkLength { expected: 128, actual: 3, .. }), "{err}");
    }
}
