//! The flat, typed-array-shaped operations the Node and WebAssembly bindings expose. Every
//! binding function is a one-line wrapper over a function or handle here, so the two
//! bindings cannot drift in behaviour; they differ only in how values cross into JS.
//!
//! Conventions: shapes and coordinates are `u32` triples (`[x, y, z]`), voxel origins `f64`
//! (exact integers), sharding specs the six `u32` words of [`sharded::spec_from_words`],
//! chunk ids and shard numbers `u64`.

mod args;
pub mod codec;
pub mod downsample;
pub mod dvid_export;
pub mod sharded;
pub mod synth;
pub mod zarr;

/// [`crate::ERROR_CODES`] as owned strings, for the bindings' `errorCodes()`.
pub fn error_codes() -> Vec<String> {
    crate::ERROR_CODES.iter().map(|c| c.to_string()).collect()
}
