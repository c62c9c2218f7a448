//! Mode downsampling.

use braid_core::boundary::downsample as b;
use napi::Env;
use napi::bindgen_prelude::{
    BigUint64Array, BigUint64ArraySlice, Float64Array, Uint8Array, Uint32Array, Uint32ArraySlice,
};
use napi_derive::napi;

use crate::error::OrJs;
use crate::v8_array::{big_u64_array_with, u32_array_with};

/// A downsampled uint64 volume with its domain.
#[napi(object)]
pub struct DownsampledU64 {
    pub data: BigUint64Array,
    pub origin: Float64Array,
    pub shape: Uint32Array,
}

/// A downsampled uint32 volume with its domain.
#[napi(object)]
pub struct DownsampledU32 {
    pub data: Uint32Array,
    pub origin: Float64Array,
    pub shape: Uint32Array,
}

/// [`DownsampledU64`] with its voxels in V8's memory (see `v8_array`).
#[napi(object, object_from_js = false)]
pub struct DownsampledU64V8<'e> {
    #[napi(ts_type = "BigUint64Array")]
    pub data: BigUint64ArraySlice<'e>,
    pub origin: Float64Array,
    pub shape: Uint32Array,
}

#[napi(ts_return_type = "DownsampledU64")]
pub fn downsample_u64<'e>(
    env: &'e Env,
    input: &[u64],
    origin: &[f64],
    shape: &[u32],
    factors: &[u32],
    method: u32,
) -> napi::Result<DownsampledU64V8<'e>> {
    let request = b::Request::new(input.len(), origin, shape, factors, method).or_js()?;
    Ok(DownsampledU64V8 {
        data: big_u64_array_with(env, request.output_len(), |out| request.run_into(input, out).or_js())?,
        origin: Float64Array::new(request.output_origin().to_vec()),
        shape: Uint32Array::new(request.output_shape().to_vec()),
    })
}

/// [`DownsampledU32`] with its voxels in V8's memory (see `v8_array`).
#[napi(object, object_from_js = false)]
pub struct DownsampledU32V8<'e> {
    #[napi(ts_type = "Uint32Array")]
    pub data: Uint32ArraySlice<'e>,
    pub origin: Float64Array,
    pub shape: Uint32Array,
}

#[napi(ts_return_type = "DownsampledU32")]
pub fn downsample_u32<'e>(
    env: &'e Env,
    input: &[u32],
    origin: &[f64],
    shape: &[u32],
    factors: &[u32],
    method: u32,
) -> napi::Result<DownsampledU32V8<'e>> {
    let request = b::Request::new(input.len(), origin, shape, factors, method).or_js()?;
    Ok(DownsampledU32V8 {
        data: u32_array_with(env, request.output_len(), |out| request.run_into(input, out).or_js())?,
        origin: Float64Array::new(request.output_origin().to_vec()),
        shape: Uint32Array::new(request.output_shape().to_vec()),
    })
}

#[napi]
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
) -> napi::Result<Option<Uint8Array>> {
    let out = b::chunk(
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
    .or_js()?;
    Ok(out.map(Uint8Array::new))
}
