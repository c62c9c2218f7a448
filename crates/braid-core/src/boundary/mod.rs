//! The flat, typed-array-shaped operations the Node and WebAssembly bindings expose. Every
//! binding function is a one-line wrapper over a function or handle here, so the two
//! bindings cannot drift in behaviour; they differ only in how values cross into JS.
//!
//! Conventions: shapes and coordinates are `u32` triples (`[x, y, z]`), voxel origins `f64`
//! (exact integers), sharding specs the six `u32` words of [`sharded::spec_from_words`],
//! chunk ids and shard numbers `u64`.

pub mod args;
pub mod arrow;
pub mod downsample;
pub mod sharded;
pub mod synth;
pub mod zarr;
