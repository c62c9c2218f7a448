//! Node.js addon over braid-core. Thin by design: argument conversion, zero-copy typed
//! arrays in and out, errors as `[CODE] message` (parsed into `BraidError` by the TS layer).
#![deny(clippy::undocumented_unsafe_blocks)]

mod arrow;
mod codec;
mod downsample;
mod error;
mod sharded;
mod synth;
mod tasks;
