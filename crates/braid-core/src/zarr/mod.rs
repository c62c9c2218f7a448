//! zarr v3 `sharding_indexed` shards of label arrays: a streaming shard writer, the matching
//! readers, the inner codec chain (`bytes` little-endian, then `zstd`, `gzip` or nothing) and
//! the shard index (`bytes` + `crc32c`, at the end or, for reading, also at the start).
//!
//! # Axes
//! braid volumes are x-fastest `[x, y, z]`; a zarr array is C order, last axis fastest. braid
//! therefore stores a volume as the zarr array of shape `[z, y, x]` with `dimension_names`
//! `["z", "y", "x"]`: the same bytes in memory, every shape and coordinate listed reversed in
//! the metadata. This module's API takes `[x, y, z]` throughout; [`metadata`] and
//! [`ZarrGrid::shard_key`] do the reversal. In particular an inner chunk's bytes are an
//! x-fastest sub-volume, and the index lists chunks in C order over `[z, y, x]`, i.e. with the
//! chunk's x position fastest ([`ShardSpec::chunk_index`]).
//!
//! # Edges and fill
//! Zarr shards and inner chunks are always full size: an inner chunk reaching past the array
//! is stored padded with the fill value (0), and an inner chunk whose voxels are all fill is
//! not stored (its index entry is `offset = nbytes = 2^64 - 1`), as zarr-python does with its
//! default `write_empty_chunks=False`; it writes no shard at all when every inner chunk is
//! empty. Precomputed chunks, by contrast, are clipped at the edge.
//!
//! # Not supported
//! `blosc`: its maintained Rust crates bind the C library, which does not build for
//! `wasm32-unknown-unknown` without a C toolchain; zstd covers WebAssembly.

mod chunk_codec;
mod crc32c;
mod grid;
mod index;
pub mod metadata;
mod order;
mod reader;
mod spec;
mod voxels;
mod writer;

pub use chunk_codec::{decode_chunk, encode_chunk};
pub use crc32c::crc32c;
pub use grid::ZarrGrid;
pub use index::{EMPTY_ENTRY, ShardIndex, decode_shard_index, index_byte_range};
pub use order::zarr_python_chunk_order;
pub use reader::ZarrShard;
pub use spec::{
    Compression, DEFAULT_CHUNK_SHAPE, DEFAULT_ZSTD_LEVEL, IndexLocation, LabelType, MAX_CHUNK_BYTES,
    MAX_CHUNKS_PER_SHARD, ShardSpec,
};
pub use writer::{FinishedZarrShard, ZarrShardWriter};

use crate::compress::CompressError;

/// A zarr shard failure. Every corruption variant has the code `ZARR_CORRUPT` and names the
/// inner chunk (`[x, y, z]` within the shard) or index field at fault.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ZarrError {
    /// The shard (or the bytes given as its index) is shorter than the index.
    #[error("corrupt zarr shard: the shard index needs {expected} bytes but only {actual} are present")]
    IndexTruncated {
        /// Encoded index size the spec implies.
        expected: u64,
        /// Bytes available.
        actual: u64,
    },
    /// The index's crc32c does not match its entries.
    #[error("corrupt zarr shard: index crc32c is {stored:#010x} but the entries hash to {computed:#010x}")]
    IndexChecksum {
        /// Checksum stored after the entries.
        stored: u32,
        /// Checksum of the entries.
        computed: u32,
    },
    /// An index entry is half empty (one word `2^64 - 1`) or its range overflows 2^64.
    #[error(
        "corrupt zarr shard: inner chunk {chunk:?} has the invalid index entry offset {offset}, nbytes {nbytes}"
    )]
    InvalidIndexEntry {
        /// Inner chunk whose entry is bad.
        chunk: [u32; 3],
        /// Stored offset.
        offset: u64,
        /// Stored length.
        nbytes: u64,
    },
    /// An inner chunk's byte range extends past the end of the shard file.
    #[error(
        "corrupt zarr shard: inner chunk {chunk:?} at [{start}, {end}) extends past the file end ({file_len} bytes)"
    )]
    ChunkPastEnd {
        /// The inner chunk.
        chunk: [u32; 3],
        /// Start offset.
        start: u64,
        /// End offset.
        end: u64,
        /// Length of the shard file.
        file_len: u64,
    },
    /// An inner chunk does not decompress (or would decompress past its size).
    #[error("corrupt zarr shard: inner chunk {chunk:?}: {source}")]
    ChunkCorrupt {
        /// The inner chunk.
        chunk: [u32; 3],
        /// The zstd or gzip failure.
        #[source]
        source: CompressError,
    },
    /// An inner chunk decodes to the wrong number of bytes.
    #[error("corrupt zarr shard: inner chunk {chunk:?} decodes to {actual} bytes, not {expected}")]
    ChunkLength {
        /// The inner chunk.
        chunk: [u32; 3],
        /// [`ShardSpec::chunk_bytes`].
        expected: usize,
        /// Bytes the chain produced.
        actual: usize,
    },
    /// An inner chunk was given to a writer twice.
    #[error("inner chunk {chunk:?} was already written to this shard")]
    DuplicateChunk {
        /// The repeated position.
        chunk: [u32; 3],
    },
    /// A data type or codec braid does not implement.
    #[error("unsupported zarr feature: {0}")]
    Unsupported(String),
    /// Encoding an inner chunk failed, or a compression level is invalid.
    #[error(transparent)]
    Compress(#[from] CompressError),
    /// An argument is outside what the operation supports.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl ZarrError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ZarrError::IndexTruncated { .. }
            | ZarrError::IndexChecksum { .. }
            | ZarrError::InvalidIndexEntry { .. }
            | ZarrError::ChunkPastEnd { .. }
            | ZarrError::ChunkCorrupt { .. }
            | ZarrError::ChunkLength { .. } => "ZARR_CORRUPT",
            ZarrError::DuplicateChunk { .. } => "DUPLICATE_CHUNK",
            ZarrError::Unsupported(_) => "ZARR_UNSUPPORTED",
            ZarrError::Compress(e) => e.code(),
            ZarrError::InvalidArgument(_) => "INVALID_ARGUMENT",
        }
    }
}
