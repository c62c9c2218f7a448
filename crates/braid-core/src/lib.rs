//! The codec core of braid: DVID label blocks, neuroglancer `compressed_segmentation`,
//! sharded precomputed volumes, DVID `export-shards` Arrow files and mode downsampling.
//!
//! Everything here is pure, synchronous and allocation-conscious; I/O and orchestration live in
//! the TypeScript layer. Every decoder returns a typed [`Error`] on malformed input and never
//! panics (each has a fuzz target under `fuzz/`).
//!
//! The modules, from the bottom up. Each format's error enum folds into the crate-wide
//! [`Error`] (module [`error`], with [`ERROR_CODES`]); apart from that, a module uses only
//! modules in rows above its own.
//!
//! | module | what |
//! |---|---|
//! | [`volume`], [`label`] | x-fastest shapes, the `u32`/`u64` label types |
//! | [`compress`] | gzip and zstd |
//! | [`dvid`] | DVID's formats: [`dvid::block`] (the label block codec), [`dvid::export`] (`export-shards` Arrow IPC + CSV index) |
//! | [`precomputed`] | neuroglancer precomputed: the chunk grid, [`precomputed::compressed_segmentation`], [`precomputed::sharded`] |
//! | [`downsample`] | the mode-downsampling kernel, format-neutral |
//! | [`transcode`], [`transcode_zarr`], [`downres`], [`synth`] | the jobs: DVID block → precomputed chunk or zarr inner chunk, one pyramid-step chunk, synthetic DVID data |
//! | [`boundary`] | the flat operations the Node and WebAssembly bindings wrap one-to-one |
#![forbid(unsafe_code)]

pub mod boundary;
pub mod compress;
pub mod downres;
pub mod downsample;
pub mod dvid;
pub mod error;
pub mod label;
pub mod precomputed;
pub mod synth;
pub mod transcode;
pub mod transcode_zarr;
pub mod volume;
pub mod zarr;

#[cfg(test)]
mod test_util;

pub use error::{ERROR_CODES, Error};

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
