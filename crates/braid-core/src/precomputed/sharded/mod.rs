//! `neuroglancer_uint64_sharded_v1` (docs/formats/sharded.md §2): the sharding spec, chunk → shard
//! assignment, shard geometry, a streaming shard writer and validating shard readers.
//!
//! A shard file is a `16 · 2^minishard_bits`-byte shard index followed by a data section of
//! chunk payloads and minishard indexes; every offset stored in the file is relative to the end
//! of the shard index (called H throughout).

mod geometry;
mod hash;
mod minishard_index;
mod reader;
mod spec;
mod writer;

pub use geometry::ShardGeometry;
pub use hash::{murmurhash3_x86_128, murmurhash3_x86_128_low64};
pub use minishard_index::{
    MAX_DECODED_MINISHARD_INDEX_BYTES, MinishardEntry, decode_minishard_index, encode_minishard_index,
};
pub use reader::{MAX_DECODED_CHUNK_BYTES, MinishardIndex, ShardFile, decode_shard_index};
pub use spec::{ChunkLocation, Encoding, HashFunction, ShardingSpec};
pub use writer::{FinishedShard, ShardLayout, ShardWriter};

use crate::compress::CompressError;

/// A sharded-format failure.
///
/// Corruption variants say which minishard or chunk was bad; they all share the code
/// `SHARD_CORRUPT`.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ShardedError {
    /// The input is shorter than the `16 · 2^minishard_bits`-byte shard index.
    #[error("corrupt shard: the shard index needs {expected} bytes but only {actual} are present")]
    ShardIndexTruncated {
        /// Shard index size the spec implies.
        expected: u64,
        /// Bytes available.
        actual: u64,
    },
    /// A shard-index entry has `start > end`, or its absolute offset overflows.
    #[error("corrupt shard: minishard {minishard} has the invalid index range [{start}, {end})")]
    InvalidIndexRange {
        /// Minishard whose entry is bad.
        minishard: u64,
        /// Stored start, relative to the end of the shard index.
        start: u64,
        /// Stored end, relative to the end of the shard index.
        end: u64,
    },
    /// A minishard index extends past the end of the shard file.
    #[error(
        "corrupt shard: minishard {minishard} index [{start}, {end}) extends past the file end ({file_len} bytes)"
    )]
    MinishardIndexPastEnd {
        /// Minishard whose index is out of bounds.
        minishard: u64,
        /// Absolute start offset.
        start: u64,
        /// Absolute end offset.
        end: u64,
        /// Length of the shard file.
        file_len: u64,
    },
    /// A decoded minishard index is not a whole number of 24-byte entries.
    #[error("corrupt shard: minishard {minishard} index is {len} bytes, not a multiple of 24")]
    MinishardIndexLength {
        /// Minishard whose index is bad.
        minishard: u64,
        /// Decoded length in bytes.
        len: u64,
    },
    /// A gzip-encoded minishard index does not decompress.
    #[error("corrupt shard: minishard {minishard} index: {source}")]
    MinishardIndexEncoding {
        /// Minishard whose index is bad.
        minishard: u64,
        /// The gzip failure.
        #[source]
        source: CompressError,
    },
    /// A minishard-index entry's byte range overflows 64 bits.
    #[error("corrupt shard: chunk {chunk_id} in minishard {minishard} has a byte range beyond 2^64")]
    InvalidChunkRange {
        /// Minishard holding the entry.
        minishard: u64,
        /// Chunk id of the entry.
        chunk_id: u64,
    },
    /// A chunk id is listed twice in one minishard index.
    #[error("corrupt shard: chunk {chunk_id} occurs more than once in minishard {minishard}")]
    DuplicateIndexEntry {
        /// Minishard holding the entries.
        minishard: u64,
        /// The repeated chunk id.
        chunk_id: u64,
    },
    /// A chunk's byte range extends past the end of the shard file.
    #[error(
        "corrupt shard: chunk {chunk_id} at [{start}, {end}) extends past the file end ({file_len} bytes)"
    )]
    ChunkPastEnd {
        /// The chunk id.
        chunk_id: u64,
        /// Absolute start offset.
        start: u64,
        /// Absolute end offset.
        end: u64,
        /// Length of the shard file.
        file_len: u64,
    },
    /// A gzip-encoded chunk payload does not decompress.
    #[error("corrupt shard: chunk {chunk_id}: {source}")]
    ChunkEncoding {
        /// The chunk id.
        chunk_id: u64,
        /// The gzip failure.
        #[source]
        source: CompressError,
    },
    /// The sharding spec is outside the ranges TensorStore accepts (sharded.md §2.1).
    #[error("invalid sharding spec: {0}")]
    InvalidSpec(String),
    /// A chunk given to a [`ShardLayout::TensorStore`] writer is not after the previous one in
    /// (minishard, chunk id) order.
    #[error(
        "chunk {chunk_id} (minishard {minishard}) arrived after chunk {previous_chunk_id} (minishard {previous_minishard}); the TensorStore layout needs (minishard, chunk id) order"
    )]
    OutOfOrder {
        /// The rejected chunk.
        chunk_id: u64,
        /// Its minishard.
        minishard: u64,
        /// The chunk written before it.
        previous_chunk_id: u64,
        /// That chunk's minishard.
        previous_minishard: u64,
    },
    /// A chunk id was given to a writer twice.
    #[error("chunk {chunk_id} was already written to this shard")]
    DuplicateChunk {
        /// The repeated chunk id.
        chunk_id: u64,
    },
    /// A chunk id given to a writer hashes to a different shard.
    #[error("chunk {chunk_id} belongs to shard {chunk_shard}, not to shard {shard}")]
    ChunkNotInShard {
        /// The rejected chunk id.
        chunk_id: u64,
        /// The shard it belongs to.
        chunk_shard: u64,
        /// The shard being written.
        shard: u64,
    },
    /// Encoding a payload or minishard index failed.
    #[error(transparent)]
    Compress(#[from] CompressError),
    /// An argument is outside what the operation supports.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl ShardedError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ShardedError::ShardIndexTruncated { .. }
            | ShardedError::InvalidIndexRange { .. }
            | ShardedError::MinishardIndexPastEnd { .. }
            | ShardedError::MinishardIndexLength { .. }
            | ShardedError::MinishardIndexEncoding { .. }
            | ShardedError::InvalidChunkRange { .. }
            | ShardedError::DuplicateIndexEntry { .. }
            | ShardedError::ChunkPastEnd { .. }
            | ShardedError::ChunkEncoding { .. } => "SHARD_CORRUPT",
            ShardedError::InvalidSpec(_) => "SHARD_SPEC_INVALID",
            ShardedError::OutOfOrder { .. } => "CHUNK_OUT_OF_ORDER",
            ShardedError::DuplicateChunk { .. } => "DUPLICATE_CHUNK",
            ShardedError::ChunkNotInShard { .. } => "CHUNK_NOT_IN_SHARD",
            ShardedError::Compress(e) => e.code(),
            ShardedError::InvalidArgument(_) => "INVALID_ARGUMENT",
        }
    }
}
