//! WebAssembly build of braid-core. Same raw surface as the Node addon (the TS `Backend`
//! interface checks both): one copy into linear memory per input, one copy out per result,
//! errors as `[CODE] message`.
// The JS surface is documented once, on the hand-written TypeScript `Backend` interface.
#![allow(missing_docs)]

pub mod codec;
pub mod downsample;
pub mod dvid_export;
pub mod error;
mod object;
pub mod sharded;
pub mod synth;
pub mod zarr;
