//! The codec core of braid: DVID label blocks, neuroglancer `compressed_segmentation`,
//! sharded precomputed volumes, DVID `export-shards` Arrow files and mode downsampling.
//!
//! Everything here is pure, synchronous and allocation-conscious; I/O and orchestration live in
//! the TypeScript layer. Every decoder returns a typed [`Error`] on malformed input and never
//! panics (each has a fuzz target under `fuzz/`).
#![forbid(unsafe_code)]

pub mod arrow_shard;
pub mod boundary;
pub mod compress;
pub mod cseg;
pub mod downres;
pub mod downsample;
pub mod dvid;
pub mod error;
pub mod precomputed;
pub mod sharded;
pub mod synth;
pub mod transcode;
pub mod volume;
pub mod zarr;

#[cfg(test)]
mod test_util;

pub use error::Error;

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
