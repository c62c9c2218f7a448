//! WebAssembly build of braid-core. Same raw surface as the Node addon (the TS `Backend`
//! interface checks both): one copy into linear memory per input, one copy out per result,
//! errors as `[CODE] message`.

mod arrow;
mod codec;
mod downsample;
mod error;
mod object;
mod sharded;
mod synth;
