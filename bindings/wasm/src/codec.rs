//! Codec entry points: DVID blocks, compressed_segmentation, fused transcode, gzip/zstd.

use braid_core::boundary::codec as b;
use wasm_bindgen::prelude::*;

use crate::error::OrJs;
use crate::object::volume_object;

#[wasm_bindgen(js_name = decodeDvidBlock)]
pub fn decode_dvid_block(block: &[u8], labels: Option<Vec<u64>>) -> Result<JsValue, JsError> {
    let (data, shape) = b::decode_dvid_block(block, labels.as_deref()).or_js()?;
    volume_object(data, shape)
}

#[wasm_bindgen(js_name = encodeDvidBlock)]
pub fn encode_dvid_block(volume: &[u64], shape: &[u32]) -> Result<Vec<u8>, JsError> {
    b::encode_dvid_block(volume, shape).or_js()
}

#[wasm_bindgen(js_name = encodeCompressedSegmentationU64)]
pub fn encode_compressed_segmentation_u64(
    volume: &[u64],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u32>, JsError> {
    b::encode_compressed_segmentation(volume, shape, block_size).or_js()
}

#[wasm_bindgen(js_name = encodeCompressedSegmentationU32)]
pub fn encode_compressed_segmentation_u32(
    volume: &[u32],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u32>, JsError> {
    b::encode_compressed_segmentation(volume, shape, block_size).or_js()
}

#[wasm_bindgen(js_name = decodeCompressedSegmentationU64)]
pub fn decode_compressed_segmentation_u64(
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u64>, JsError> {
    b::decode_compressed_segmentation(data, shape, block_size).or_js()
}

#[wasm_bindgen(js_name = decodeCompressedSegmentationU32)]
pub fn decode_compressed_segmentation_u32(
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> Result<Vec<u32>, JsError> {
    b::decode_compressed_segmentation(data, shape, block_size).or_js()
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
    let (labels, extent, block_size) = (labels.as_deref(), extent.as_deref(), block_size.as_deref());
    b::transcode_dvid_block(block, labels, extent, block_size, gzip_level, uncompressed_size).or_js()
}

#[wasm_bindgen]
pub fn gzip(data: &[u8], level: Option<u32>) -> Result<Vec<u8>, JsError> {
    b::gzip(data, level).or_js()
}

#[wasm_bindgen]
pub fn gunzip(data: &[u8], max_bytes: Option<f64>) -> Result<Vec<u8>, JsError> {
    b::gunzip(data, max_bytes).or_js()
}

#[wasm_bindgen(js_name = zstdDecompress)]
pub fn zstd_decompress(
    data: &[u8],
    expected_size: Option<f64>,
    max_bytes: Option<f64>,
) -> Result<Vec<u8>, JsError> {
    b::zstd_decompress(data, expected_size, max_bytes).or_js()
}

#[wasm_bindgen(js_name = zstdCompress)]
pub fn zstd_compress(data: &[u8], level: Option<i32>) -> Result<Vec<u8>, JsError> {
    b::zstd_compress(data, level).or_js()
}
