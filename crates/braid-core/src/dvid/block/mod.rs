//! DVID compressed label blocks (`datatype/common/labels/compressed.go`, docs/formats/dvid.md
//! §6.1): a block-level label list, per-8³-sub-block palettes into it, and MSB-first packed
//! palette indices of `ceil(log2 n)` bits. Export records store blocks zstd-wrapped; every
//! entry point here takes a block either way.

mod decode;
mod encode;
mod packing;
mod parse;
mod stored;

pub(crate) use decode::label_resolver;
pub use decode::{decode_block, decode_block_into, with_block};
pub use encode::encode_block;
pub(crate) use packing::for_each_row;
pub use parse::{DvidBlock, SUB_BLOCK_EDGE, SUB_BLOCK_VOXELS, SubBlock};
pub(crate) use stored::with_raw_block;
pub use stored::{MAX_BLOCK_BYTES, block_shape};

/// A DVID block that cannot be decoded (or a volume that cannot be encoded as one).
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// The buffer ends before a section the header announces.
    #[error(
        "DVID block truncated: {section} needs {needed} bytes at offset {offset}, only {available} remain"
    )]
    Truncated {
        /// Which part of the block was being read.
        section: &'static str,
        /// Offset of that section.
        offset: usize,
        /// Bytes the section needs.
        needed: usize,
        /// Bytes left in the buffer.
        available: usize,
    },
    /// A header or palette field is inconsistent.
    #[error("corrupt DVID block: {0}")]
    Corrupt(String),
    /// A packed voxel value points past its sub-block palette.
    #[error(
        "corrupt DVID block: sub-block {sub_block} has a voxel value {value} but only {palette_len} palette entries"
    )]
    ValueOutOfRange {
        /// Sub-block number (x-fastest order).
        sub_block: usize,
        /// The offending packed value.
        value: u16,
        /// Palette length of the sub-block.
        palette_len: usize,
    },
    /// The label mapping does not have one entry per block label.
    #[error("label mapping has {actual} entries but the block lists {expected} labels")]
    MappingLength {
        /// Number of labels in the block.
        expected: usize,
        /// Number of entries given.
        actual: usize,
    },
    /// The volume cannot be encoded as a DVID block.
    #[error("cannot encode DVID block: {0}")]
    Unencodable(String),
}

impl BlockError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            BlockError::Truncated { .. } => "DVID_TRUNCATED",
            BlockError::Corrupt(_) | BlockError::ValueOutOfRange { .. } => "DVID_CORRUPT",
            BlockError::MappingLength { .. } => "DVID_MAPPING_MISMATCH",
            BlockError::Unencodable(_) => "INVALID_ARGUMENT",
        }
    }
}
