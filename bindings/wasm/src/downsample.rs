//! Mode downsampling.

use braid_core::boundary::downsample as b;
use wasm_bindgen::prelude::*;

use crate::error::OrJs;
use crate::object::{f64s, object, u32s, u64s};

#[wasm_bindgen(js_name = downsampleU64)]
pub fn downsample_u64(
    input: &[u64],
    origin: &[f64],
    shape: &[u32],
    factors: &[u32],
    method: u32,
) -> Result<JsValue, JsError> {
    let p = b::run(input, origin, shape, factors, method).or_js()?;
    object(&[("data", u64s(&p.data)), ("origin", f64s(&p.origin)), ("shape", u32s(&p.shape))])
}

#[wasm_bindgen(js_name = downsampleU32)]
pub fn downsample_u32(
    input: &[u32],
    origin: &[f64],
    shape: &[u32],
    factors: &[u32],
    method: u32,
) -> Result<JsValue, JsError> {
    let p = b::run(input, origin, shape, factors, method).or_js()?;
    object(&[("data", u32s(&p.data)), ("origin", f64s(&p.origin)), ("shape", u32s(&p.shape))])
}

#[wasm_bindgen(js_name = downresChunk)]
#[allow(clippy::too_many_arguments)]
pub fn downres_chunk(
    payloads: &[u8],
    lengths: &[u32],
    boxes: &[f64],
    source_domain: &[f64],
    output: &[f64],
    encodings: &[u32],
    label_bits: u32,
    factors: &[u32],
    method: u32,
    source_gzip: bool,
    output_gzip: Option<i32>,
) -> Result<Option<Vec<u8>>, JsError> {
    b::chunk(
        payloads,
        lengths,
        boxes,
        source_domain,
        output,
        encodings,
        label_bits,
        factors,
        method,
        source_gzip,
        output_gzip,
    )
    .or_js()
}
