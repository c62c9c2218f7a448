//! Node.js addon over braid-core. Thin by design: argument conversion, zero-copy typed
//! arrays in and out, errors as `[CODE] message` (parsed into `BraidError` by the TS layer).
// The JS surface is documented once, on the hand-written TypeScript `Backend` interface.
#![allow(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod codec;
pub mod downsample;
pub mod dvid_export;
pub mod error;
pub mod sharded;
pub mod synth;
mod tasks;
mod v8_array;
pub mod zarr;
