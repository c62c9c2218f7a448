//! Codec entry points: DVID blocks, compressed_segmentation, fused transcode, gzip/zstd.

use braid_core::boundary::args::{byte_limit, shape3, shape4, transcode_options};
use braid_core::dvid::block as dvid;
use braid_core::precomputed::compressed_segmentation as cseg;
use braid_core::{compress, transcode};
use wasm_bindgen::prelude::*;

use crate::error::OrJs;
use crate::object::{object, u32s, u64s};

/// `{ data: BigUint64Array, shape: Uint32Array }`, the same object the Node addon returns.
pub(crate) fn volume_object(data: Vec<u64>, shape: [usize; 3]) -> Result<JsValue, JsError> {
    object(&[("data", u64s(&data)), ("shape", u32s(&shape.map(|d| d as u32)))])
}

#[wasm_bindgen(js_name = decodeDvidBlock)]
pub fn decode_dvid_block(block: &[u8], labels: Option<Vec<u64>>) -> Result<JsValue, JsError> {
    let (data, shape) = dvid::decode_block(block, labels.as_deref()).or_js()?;
    volume_object(data, shape)
}

#[wasm_bindgen(js_name = encodeDvidBlock)]
pub fn encode_dvid_block(volume: &[u64], shape: &[u32]) -> Result<Vec<u8>, JsError> {
    dvid::encode_block(volume, shape3(shape, "shape").or_js()?).or_js()
}

#[wasm_bindgen(js_name = encodeCompressedSegmentationU64)]
pub fn encode_compressed_segmentation_u64(
    volume: &[u64],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u32>, JsError> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    cseg::encode(volume, size, channels, shape3(block_size, "blockSize").or_js()?).or_js()
}

#[wasm_bindgen(js_name = encodeCompressedSegmentationU32)]
pub fn encode_compressed_segmentation_u32(
    volume: &[u32],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u32>, JsError> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    cseg::encode(volume, size, channels, shape3(block_size, "blockSize").or_js()?).or_js()
}

#[wasm_bindgen(js_name = decodeCompressedSegmentationU64)]
pub fn decode_compressed_segmentation_u64(
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u64>, JsError> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    cseg::decode::<u64>(data, size, channels, shape3(block_size, "blockSize").or_js()?).or_js()
}

#[wasm_bindgen(js_name = decodeCompressedSegmentationU32)]
pub fn decode_compressed_segmentation_u32(
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u32>, JsError> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    cseg::decode::<u32>(data, size, channels, shape3(block_size, "blockSize").or_js()?).or_js()
}

#[wasm_bindgen(js_name = transcodeDvidBlock)]
pub fn transcode_dvid_block(
    block: &[u8],
    labels: Option<Vec<u64>>,
    extent: Option<Vec<u32>>,
    block_size: Option<Vec<u32>>,
    gzip_level: Option<i32>,
    uncompressed_size: Option<u32>,
) -> Result<Option<Vec<u8>>, JsError> {
    let opts = transcode_options(
        labels.as_deref(),
        extent.as_deref(),
        block_size.as_deref(),
        gzip_level,
        uncompressed_size,
    )
    .or_js()?;
    transcode::transcode_dvid_block(block, &opts).or_js()
}

#[wasm_bindgen]
pub fn gzip(data: &[u8], level: Option<u32>) -> Result<Vec<u8>, JsError> {
    compress::gzip(data, level.unwrap_or(compress::DEFAULT_GZIP_LEVEL)).or_js()
}

#[wasm_bindgen]
pub fn gunzip(data: &[u8], max_bytes: Option<f64>) -> Result<Vec<u8>, JsError> {
    compress::gunzip_limited(data, byte_limit(max_bytes)).or_js()
}

#[wasm_bindgen(js_name = zstdDecompress)]
pub fn zstd_decompress(
    data: &[u8],
    expected_size: Option<f64>,
    max_bytes: Option<f64>,
) -> Result<Vec<u8>, JsError> {
    let expected = expected_size.map(|s| byte_limit(Some(s)));
    compress::zstd_decompress(data, expected, byte_limit(max_bytes)).or_js()
}

#[wasm_bindgen(js_name = zstdCompress)]
pub fn zstd_compress(data: &[u8], level: Option<i32>) -> Result<Vec<u8>, JsError> {
    compress::zstd_compress(data, level.unwrap_or(3)).or_js()
}
