//! Synthetic DVID blocks.

use braid_core::boundary::synth as b;
use wasm_bindgen::prelude::*;

use crate::error::OrJs;
use crate::object::{object, u8s, u64s};

#[wasm_bindgen(js_name = synthDvidRecord)]
pub fn synth_dvid_record(params: &[f64], chunk: &[i32], zstd_level: i32) -> Result<JsValue, JsError> {
    let r = b::record(params, chunk, zstd_level).or_js()?;
    object(&[
        ("block", u8s(&r.block)),
        ("uncompressedSize", JsValue::from_f64(f64::from(r.uncompressed_size))),
        ("supervoxels", u64s(&r.supervoxels)),
        ("labels", u64s(&r.labels)),
    ])
}
