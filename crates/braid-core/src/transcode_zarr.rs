//! DVID block → remap → fill outside the array → one zarr inner chunk (`bytes` + zstd/gzip),
//! optionally with the precomputed payload of the same block from the same decode, so
//! `braid export --format both` decodes each block once (docs/formats/zarr.md §5.8).
//!
//! Zarr inner chunks are full-size and padded with the fill value (0) past the array's edge;
//! precomputed chunks are clipped there. Both come from one 64³ decode.

use std::borrow::Cow;
use std::cell::RefCell;

use crate::Error;
use crate::dvid::block::{DvidBlock, decode_block_into};
use crate::precomputed::compressed_segmentation;
use crate::transcode::{chunk_words, payload};
use crate::volume::Shape;
use crate::zarr::{LabelType, ShardSpec, encode_chunk};

/// The precomputed payload wanted beside the zarr chunk.
#[derive(Debug, Clone, Copy)]
pub struct PrecomputedPayload {
    /// compressed_segmentation block size.
    pub block_size: Shape,
    /// gzip level, `None` for a raw payload.
    pub gzip_level: Option<u32>,
}

/// One block's outputs; both `None` when the (mapped, clipped) chunk is all 0, as neither
/// format stores such a chunk.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ZarrTranscoded {
    /// The encoded zarr inner chunk.
    pub zarr: Option<Vec<u8>>,
    /// The precomputed chunk payload, when asked for.
    pub precomputed: Option<Vec<u8>>,
}

/// Transcodes one (optionally zstd-wrapped) DVID block. `extent` is the part of the block
/// inside the volume (default: all of it); `spec` is the zarr array's shard spec, whose inner
/// chunk must be the block's shape.
pub fn transcode_dvid_block_to_zarr(
    input: &[u8],
    mapping: Option<&[u64]>,
    uncompressed_size: Option<usize>,
    extent: Option<Shape>,
    spec: &ShardSpec,
    precomputed: Option<PrecomputedPayload>,
) -> Result<ZarrTranscoded, Error> {
    spec.validate()?;
    if let Some(p) = precomputed {
        if let Some(level) = p.gzip_level {
            crate::compress::check_gzip_level(level)?;
        }
    }
    crate::dvid::block::with_raw_block(input, uncompressed_size, |raw| {
        let block = DvidBlock::parse(raw)?;
        let shape = block.shape();
        if spec.chunk_shape.map(|v| v as usize) != shape {
            return Err(Error::InvalidArgument(format!(
                "the zarr inner chunk {:?} must be the DVID block's shape {shape:?}",
                spec.chunk_shape
            )));
        }
        let extent = extent.unwrap_or(shape);
        if (0..3).any(|d| extent[d] == 0 || extent[d] > shape[d]) {
            return Err(Error::InvalidArgument(format!(
                "chunk extent {extent:?} must be non-empty and within the block shape {shape:?}"
            )));
        }
        if let Some(p) = precomputed {
            compressed_segmentation::block_grid(extent, p.block_size)?;
        }
        VOLUME.with(|cell| {
            let mut volume = cell.borrow_mut();
            // Every voxel is overwritten by the decode: the buffer is reused, not re-zeroed
            // (a fresh 2 MiB costs more in page faults than the decode).
            volume.resize(shape.iter().product(), 0);
            decode_block_into(&block, mapping, &mut volume)?;
            if extent != shape {
                zero_outside(&mut volume, shape, extent);
            }
            if volume.iter().all(|&v| v == 0) {
                return Ok(ZarrTranscoded::default());
            }
            let mut zarr = Vec::new();
            encode_chunk(spec, &voxel_bytes(&volume, spec.data_type)?, &mut zarr)?;
            // The precomputed words come straight from the block's sub-blocks (cheaper than
            // encoding the decoded volume, and the same bytes).
            let precomputed = match precomputed {
                Some(p) => match chunk_words(&block, mapping, extent, p.block_size)? {
                    Some(words) => Some(payload(&words, p.gzip_level)?),
                    None => None,
                },
                None => None,
            };
            Ok(ZarrTranscoded { zarr: Some(zarr), precomputed })
        })
    })
}

thread_local! {
    static VOLUME: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Zarr pads with the fill value: voxels of the block outside the array must be 0 whatever
/// the block holds there.
fn zero_outside(volume: &mut [u64], shape: Shape, extent: Shape) {
    let [sx, sy, sz] = shape;
    for z in 0..sz {
        for y in 0..sy {
            let row = &mut volume[sx * (y + sy * z)..][..sx];
            if z >= extent[2] || y >= extent[1] {
                row.fill(0);
            } else {
                row[extent[0]..].fill(0);
            }
        }
    }
}

/// Little-endian voxel bytes in the array's data type (the volume itself where it already is);
/// a label too large for it is an error, never a silently wrapped id.
fn voxel_bytes(volume: &[u64], data_type: LabelType) -> Result<Cow<'_, [u8]>, Error> {
    match data_type {
        LabelType::U64 if cfg!(target_endian = "little") => Ok(Cow::Borrowed(bytemuck::cast_slice(volume))),
        LabelType::U64 => Ok(Cow::Owned(volume.iter().flat_map(|v| v.to_le_bytes()).collect())),
        LabelType::U32 => {
            let mut out = Vec::with_capacity(4 * volume.len());
            for &v in volume {
                let narrow = u32::try_from(v).map_err(|_| {
                    Error::InvalidArgument(format!(
                        "label {v} does not fit the zarr array's uint32 data type"
                    ))
                })?;
                out.extend_from_slice(&narrow.to_le_bytes());
            }
            Ok(Cow::Owned(out))
        }
        other => Err(Error::InvalidArgument(format!(
            "DVID labels are 64-bit: a {} zarr array cannot hold them",
            other.as_str()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dvid::block::encode_block;
    use crate::transcode::{TranscodeOptions, transcode_dvid_block};
    use crate::zarr::{Compression, decode_chunk};

    fn spec(data_type: LabelType) -> ShardSpec {
        let mut s = ShardSpec::new([64, 64, 64], [2, 2, 2], data_type);
        s.compression = Compression::Zstd { level: 3, checksum: false };
        s
    }

    /// A block with a few labels, non-zero everywhere (so padding shows).
    fn block() -> (Vec<u8>, Vec<u64>) {
        let volume: Vec<u64> =
            (0..64u64 * 64 * 64).map(|i| 1 + (i % 64) / 16 + 10 * (i / (64 * 64 * 32))).collect();
        (encode_block(&volume, [64, 64, 64]).unwrap(), volume)
    }

    #[test]
    fn the_zarr_chunk_holds_the_mapped_voxels_padded_with_zero() {
        let (bytes, volume) = block();
        let extent = [40, 64, 20];
        let out = transcode_dvid_block_to_zarr(&bytes, None, None, Some(extent), &spec(LabelType::U64), None)
            .unwrap();
        assert_eq!(out.precomputed, None);
        let decoded = decode_chunk(&spec(LabelType::U64), [0, 0, 0], &out.zarr.unwrap()).unwrap();
        let voxels: Vec<u64> =
            decoded.chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().unwrap())).collect();
        for (i, (&got, &want)) in voxels.iter().zip(&volume).enumerate() {
            let (x, z) = (i % 64, i / (64 * 64));
            let inside = x < 40 && z < 20;
            assert_eq!(got, if inside { want } else { 0 }, "voxel {i}");
        }
    }

    #[test]
    fn both_formats_come_from_one_decode_and_match_the_precomputed_transcode() {
        let (bytes, _) = block();
        let extent = [64, 33, 64];
        let p = PrecomputedPayload { block_size: [8, 8, 8], gzip_level: Some(6) };
        let both =
            transcode_dvid_block_to_zarr(&bytes, None, None, Some(extent), &spec(LabelType::U32), Some(p))
                .unwrap();
        let alone = transcode_dvid_block(
            &bytes,
            &TranscodeOptions { extent: Some(extent), gzip_level: Some(6), ..Default::default() },
        )
        .unwrap();
        let gunzip = |b: &[u8]| crate::compress::gunzip(b).unwrap();
        assert_eq!(gunzip(&both.precomputed.unwrap()), gunzip(&alone.unwrap()));
        assert!(both.zarr.is_some());
    }

    #[test]
    fn the_reused_volume_buffer_never_leaks_a_previous_block() {
        let (bytes, _) = block();
        let zero = encode_block(&vec![0u64; 64 * 64 * 64], [64, 64, 64]).unwrap();
        let s = spec(LabelType::U64);
        let first = transcode_dvid_block_to_zarr(&bytes, None, None, Some([10, 64, 64]), &s, None).unwrap();
        assert_eq!(
            transcode_dvid_block_to_zarr(&zero, None, None, None, &s, None).unwrap(),
            ZarrTranscoded::default()
        );
        assert_eq!(
            transcode_dvid_block_to_zarr(&bytes, None, None, Some([10, 64, 64]), &s, None).unwrap(),
            first
        );
    }

    #[test]
    fn all_zero_chunks_and_bad_requests() {
        let zero = encode_block(&vec![0u64; 64 * 64 * 64], [64, 64, 64]).unwrap();
        let s = spec(LabelType::U64);
        assert_eq!(
            transcode_dvid_block_to_zarr(&zero, None, None, None, &s, None).unwrap(),
            ZarrTranscoded::default()
        );
        let (bytes, _) = block();
        let code = |r: Result<ZarrTranscoded, Error>| r.unwrap_err().code();
        let small = ShardSpec::new([32, 64, 64], [1, 1, 1], LabelType::U64);
        assert_eq!(
            code(transcode_dvid_block_to_zarr(&bytes, None, None, None, &small, None)),
            "INVALID_ARGUMENT"
        );
        assert_eq!(
            code(transcode_dvid_block_to_zarr(&bytes, None, None, Some([0, 64, 64]), &s, None)),
            "INVALID_ARGUMENT"
        );
        assert_eq!(
            code(transcode_dvid_block_to_zarr(&bytes, None, None, None, &spec(LabelType::U8), None)),
            "INVALID_ARGUMENT"
        );
        let big = vec![1u64 << 40; 64 * 64 * 64];
        let big = encode_block(&big, [64, 64, 64]).unwrap();
        assert_eq!(
            code(transcode_dvid_block_to_zarr(&big, None, None, None, &spec(LabelType::U32), None)),
            "INVALID_ARGUMENT"
        );
        assert_eq!(
            code(transcode_dvid_block_to_zarr(&bytes[..100], None, None, None, &s, None)),
            "DVID_TRUNCATED"
        );
    }
}
