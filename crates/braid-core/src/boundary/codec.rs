//! Codecs over flat arguments: DVID blocks, compressed_segmentation, the fused DVID block →
//! compressed_segmentation transcode, gzip and zstd.
//!
//! Decodes whose output size is known before any voxel is written also come in two steps
//! (size, then fill: [`with_dvid_block`], [`CsegLayout::decoded_len`]) so a binding can
//! decode straight into memory its JavaScript engine owns. Argument checks happen when the
//! arguments are read ([`CsegLayout::new`], [`TranscodeSettings::new`]), so a binding that
//! runs the work on another thread still rejects bad arguments before it starts.

use super::args::{byte_limit, gzip_level, shape3, shape4};
use crate::Error;
use crate::compress;
use crate::dvid::block::{self as dvid, DvidBlock};
use crate::label::Label;
use crate::precomputed::compressed_segmentation as cseg;
use crate::transcode::{TranscodeOptions, transcode_dvid_block as transcode};
use crate::volume::Shape;

/// Decodes a stored (raw or zstd-wrapped) DVID block to an x-fastest volume and its shape;
/// `labels`, when given, replaces the block's label list positionally.
pub fn decode_dvid_block(block: &[u8], labels: Option<&[u64]>) -> Result<(Vec<u64>, Shape), Error> {
    dvid::decode_block(block, labels)
}

/// A parsed DVID block whose voxels are not decoded yet.
#[derive(Debug, Clone, Copy)]
pub struct DvidBlockDecode<'a, 'b> {
    block: &'a DvidBlock<'b>,
    labels: Option<&'a [u64]>,
}

impl DvidBlockDecode<'_, '_> {
    /// Shape of the decoded volume.
    pub fn shape(&self) -> [u32; 3] {
        // At most MAX_BLOCK_VOXELS voxels, so every axis fits.
        self.block.shape().map(|d| d as u32)
    }

    /// Voxels of the decoded volume: the length `decode_into` needs.
    pub fn voxel_count(&self) -> usize {
        self.block.shape().iter().product()
    }

    /// Decodes into `out` (exactly [`voxel_count`](Self::voxel_count) voxels).
    pub fn decode_into(&self, out: &mut [u64]) -> Result<(), Error> {
        dvid::decode_block_into(self.block, self.labels, out)
    }
}

/// Parses a stored DVID block and runs `f` on it before any voxel is decoded (the zstd frame,
/// if any, is unwrapped into a per-thread buffer that lives only during `f`).
pub fn with_dvid_block<R>(
    block: &[u8],
    labels: Option<&[u64]>,
    f: impl FnOnce(&DvidBlockDecode<'_, '_>) -> R,
) -> Result<R, Error> {
    dvid::with_block(block, |parsed| f(&DvidBlockDecode { block: parsed, labels }))
}

/// Encodes an x-fastest volume of `shape` (multiples of 8) as a DVID block.
pub fn encode_dvid_block(volume: &[u64], shape: &[u32]) -> Result<Vec<u8>, Error> {
    dvid::encode_block(volume, shape3(shape, "shape")?)
}

/// The geometry of a compressed_segmentation buffer: shape `[x, y, z]` or
/// `[x, y, z, channels]` and block size `[bx, by, bz]`.
#[derive(Debug, Clone, Copy)]
pub struct CsegLayout {
    size: Shape,
    channels: usize,
    block: Shape,
}

impl CsegLayout {
    /// Reads the shape and block size.
    pub fn new(shape: &[u32], block_size: &[u32]) -> Result<Self, Error> {
        let (size, channels) = shape4(shape, "shape")?;
        Ok(CsegLayout { size, channels, block: shape3(block_size, "blockSize")? })
    }

    /// Encodes an x-fastest volume (channels outermost) to compressed_segmentation words.
    pub fn encode<T: Label>(&self, volume: &[T]) -> Result<Vec<u32>, Error> {
        cseg::encode(volume, self.size, self.channels, self.block)
    }

    /// Labels `data` decodes to, after checking its header against the layout.
    pub fn decoded_len(&self, data: &[u8]) -> Result<usize, Error> {
        cseg::decoded_len(data, self.size, self.channels, self.block)
    }

    /// Decodes `data` into `out` ([`decoded_len`](Self::decoded_len) labels).
    pub fn decode_into<T: Label>(&self, data: &[u8], out: &mut [T]) -> Result<(), Error> {
        cseg::decode_into(data, self.size, self.channels, self.block, out)
    }

    /// Decodes `data` to a new volume.
    pub fn decode<T: Label>(&self, data: &[u8]) -> Result<Vec<T>, Error> {
        cseg::decode(data, self.size, self.channels, self.block)
    }
}

/// Encodes `volume` as compressed_segmentation (see [`CsegLayout`] for the arguments).
pub fn encode_compressed_segmentation<T: Label>(
    volume: &[T],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u32>, Error> {
    CsegLayout::new(shape, block_size)?.encode(volume)
}

/// Decodes a compressed_segmentation buffer (see [`CsegLayout`] for the arguments).
pub fn decode_compressed_segmentation<T: Label>(
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<T>, Error> {
    CsegLayout::new(shape, block_size)?.decode(data)
}

/// Everything a transcode needs except the block and its label mapping, checked.
#[derive(Debug, Clone)]
pub struct TranscodeSettings(TranscodeOptions<'static>);

impl TranscodeSettings {
    /// `extent` crops the chunk (default: the whole block), `block_size` is the
    /// compressed_segmentation block (default 8³), `gzip` a level or -1/absent for none,
    /// `uncompressed_size` the zstd-wrapped block's promised size.
    pub fn new(
        extent: Option<&[u32]>,
        block_size: Option<&[u32]>,
        gzip: Option<i32>,
        uncompressed_size: Option<u32>,
    ) -> Result<Self, Error> {
        Ok(TranscodeSettings(TranscodeOptions {
            mapping: None,
            extent: extent.map(|e| shape3(e, "extent")).transpose()?,
            block_size: block_size.map(|b| shape3(b, "blockSize")).transpose()?.unwrap_or([8, 8, 8]),
            gzip_level: gzip_level(gzip)?,
            uncompressed_size: uncompressed_size.map(|s| s as usize),
        }))
    }

    /// Transcodes `block` with its label list replaced by `labels`; `None` when the chunk is
    /// all 0.
    pub fn run(&self, block: &[u8], labels: Option<&[u64]>) -> Result<Option<Vec<u8>>, Error> {
        transcode(block, &TranscodeOptions { mapping: labels, ..self.0.clone() })
    }
}

/// One DVID block to one chunk payload (see [`TranscodeSettings::new`] for the arguments).
pub fn transcode_dvid_block(
    block: &[u8],
    labels: Option<&[u64]>,
    extent: Option<&[u32]>,
    block_size: Option<&[u32]>,
    gzip: Option<i32>,
    uncompressed_size: Option<u32>,
) -> Result<Option<Vec<u8>>, Error> {
    TranscodeSettings::new(extent, block_size, gzip, uncompressed_size)?.run(block, labels)
}

/// gzip at `level` (default [`compress::DEFAULT_GZIP_LEVEL`]).
pub fn gzip(data: &[u8], level: Option<u32>) -> Result<Vec<u8>, Error> {
    Ok(compress::gzip(data, level.unwrap_or(compress::DEFAULT_GZIP_LEVEL))?)
}

/// gunzip, producing at most `max_bytes` (absent: unlimited).
pub fn gunzip(data: &[u8], max_bytes: Option<f64>) -> Result<Vec<u8>, Error> {
    Ok(compress::gunzip_limited(data, byte_limit(max_bytes))?)
}

/// zstd decompression, checking `expected_size` when given, producing at most `max_bytes`.
pub fn zstd_decompress(
    data: &[u8],
    expected_size: Option<f64>,
    max_bytes: Option<f64>,
) -> Result<Vec<u8>, Error> {
    let expected = expected_size.map(|s| byte_limit(Some(s)));
    Ok(compress::zstd_decompress(data, expected, byte_limit(max_bytes))?)
}

/// zstd at `level` (default [`compress::DEFAULT_ZSTD_LEVEL`]).
pub fn zstd_compress(data: &[u8], level: Option<i32>) -> Result<Vec<u8>, Error> {
    Ok(compress::zstd_compress(data, level.unwrap_or(compress::DEFAULT_ZSTD_LEVEL))?)
}
