//! The crate-wide error: one variant per module, each with a stable machine-readable code
//! ([`ERROR_CODES`] lists them all).

mod codes;

pub use codes::ERROR_CODES;

use crate::compress::CompressError;
use crate::downsample::DownsampleError;
use crate::dvid::block::BlockError;
use crate::dvid::export::ExportError;
use crate::precomputed::GridError;
use crate::precomputed::compressed_segmentation::CsegError;
use crate::precomputed::sharded::ShardedError;
use crate::zarr::ZarrError;

/// Any failure of a braid-core operation.
///
/// [`Error::code`] gives a stable upper-snake-case code that crosses the JS boundary as
/// `BraidError.code`; the `Display` text says what was wrong.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A DVID label block could not be decoded or encoded.
    #[error(transparent)]
    DvidBlock(#[from] BlockError),
    /// A `compressed_segmentation` buffer could not be decoded or encoded.
    #[error(transparent)]
    Cseg(#[from] CsegError),
    /// gzip or zstd failed.
    #[error(transparent)]
    Compress(#[from] CompressError),
    /// A chunk grid, grid cell or chunk id is invalid.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// A sharded precomputed file or spec is invalid.
    #[error(transparent)]
    Sharded(#[from] ShardedError),
    /// A DVID export Arrow file or CSV index is invalid.
    #[error(transparent)]
    DvidExport(#[from] ExportError),
    /// Downsampling parameters are invalid.
    #[error(transparent)]
    Downsample(#[from] DownsampleError),
    /// A zarr v3 shard or shard spec is invalid.
    #[error(transparent)]
    Zarr(#[from] ZarrError),
    /// An argument is outside what the operation supports (shape, block size, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// One of several input chunks of a call failed; the code is that failure's code, and
    /// `index` lets the caller name the chunk (its file and cell are only known there).
    #[error("source chunk {index}: {source}")]
    InChunk {
        /// Position of the chunk among the call's inputs.
        index: usize,
        /// What went wrong with it.
        source: Box<Error>,
    },
}

impl Error {
    /// Ties `error` to input chunk `index` (see [`Error::InChunk`]).
    pub fn in_chunk(index: usize, error: impl Into<Error>) -> Error {
        Error::InChunk { index, source: Box::new(error.into()) }
    }

    /// Stable error code, e.g. `DVID_TRUNCATED` or `CSEG_CORRUPT`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::DvidBlock(e) => e.code(),
            Error::Cseg(e) => e.code(),
            Error::Compress(e) => e.code(),
            Error::Grid(e) => e.code(),
            Error::Sharded(e) => e.code(),
            Error::DvidExport(e) => e.code(),
            Error::Downsample(e) => e.code(),
            Error::Zarr(e) => e.code(),
            Error::InvalidArgument(_) => "INVALID_ARGUMENT",
            Error::InChunk { source, .. } => source.code(),
        }
    }
}
