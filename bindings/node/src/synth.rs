//! Synthetic DVID blocks.

use braid_core::boundary::synth as b;
use napi::bindgen_prelude::{BigUint64Array, Uint8Array};
use napi_derive::napi;

use crate::error::OrJs;

/// A synthetic export record.
#[napi(object)]
pub struct SynthRecord {
    pub block: Uint8Array,
    pub uncompressed_size: u32,
    pub supervoxels: BigUint64Array,
    pub labels: BigUint64Array,
}

#[napi]
pub fn synth_dvid_record(params: &[f64], chunk: &[i32], zstd_level: i32) -> napi::Result<SynthRecord> {
    let r = b::record(params, chunk, zstd_level).or_js()?;
    Ok(SynthRecord {
        block: Uint8Array::new(r.block),
        uncompressed_size: r.uncompressed_size,
        supervoxels: BigUint64Array::new(r.supervoxels),
        labels: BigUint64Array::new(r.labels),
    })
}
