//! gzip (RFC 1952, one member) and zstd, tuned for many small payloads: compressor and
//! decompressor state is kept per thread and reset between calls instead of reallocated.

mod gzip;
mod zstd;

pub use gzip::{DEFAULT_GZIP_LEVEL, check_gzip_level, gunzip, gunzip_limited, gzip, gzip_into};
pub use zstd::{DEFAULT_ZSTD_LEVEL, is_zstd_frame, zstd_compress, zstd_decompress, zstd_decompress_into};

/// Failure of gzip or zstd.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum CompressError {
    /// The gzip header, deflate stream or trailer is malformed.
    #[error("corrupt gzip data: {0}")]
    GzipCorrupt(String),
    /// The zstd frame is malformed.
    #[error("corrupt zstd data: {0}")]
    ZstdCorrupt(String),
    /// The decompressed size differs from what the caller or the frame promised.
    #[error("decompressed size {actual} differs from expected {expected}")]
    SizeMismatch {
        /// Size announced by the caller or frame header.
        expected: usize,
        /// Size actually produced.
        actual: usize,
    },
    /// Decompression would exceed the caller's output limit.
    #[error("decompressed data exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A compression level outside the codec's range.
    #[error("invalid compression level {0}")]
    InvalidLevel(i32),
}

impl CompressError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            CompressError::GzipCorrupt(_) => "GZIP_CORRUPT",
            CompressError::ZstdCorrupt(_) => "ZSTD_CORRUPT",
            CompressError::SizeMismatch { .. } => "SIZE_MISMATCH",
            CompressError::TooLarge { .. } => "TOO_LARGE",
            CompressError::InvalidLevel(_) => "INVALID_ARGUMENT",
        }
    }
}
