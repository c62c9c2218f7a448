//! zarr v3 `sharding_indexed`: the array's geometry and metadata, inner chunk codecs, the
//! shard index, and the streaming shard writer.

use braid_core::boundary::zarr as b;
use wasm_bindgen::prelude::*;

use crate::error::OrJs;
use crate::object::{object, u8s};

#[wasm_bindgen(js_name = zarrShardGrid)]
pub fn zarr_shard_grid(shape: &[u32], spec: &[u32]) -> Result<Vec<u32>, JsError> {
    b::zarr_shard_grid(shape, spec).or_js().map(|g| g.to_vec())
}

#[wasm_bindgen(js_name = zarrShardKey)]
pub fn zarr_shard_key(shape: &[u32], spec: &[u32], shard: &[u32]) -> Result<String, JsError> {
    b::zarr_shard_key(shape, spec, shard).or_js()
}

#[wasm_bindgen(js_name = zarrArrayMetadata)]
pub fn zarr_array_metadata(shape: &[u32], spec: &[u32]) -> Result<String, JsError> {
    b::zarr_array_metadata(shape, spec).or_js()
}

#[wasm_bindgen(js_name = decodeZarrShardIndex)]
pub fn decode_zarr_shard_index(spec: &[u32], bytes: &[u8]) -> Result<Vec<u64>, JsError> {
    b::decode_zarr_shard_index(spec, bytes).or_js()
}

#[wasm_bindgen(js_name = decodeZarrChunk)]
pub fn decode_zarr_chunk(spec: &[u32], position: &[u32], encoded: &[u8]) -> Result<Vec<u8>, JsError> {
    b::decode_zarr_chunk(spec, position, encoded).or_js()
}

#[wasm_bindgen(js_name = encodeZarrChunk)]
pub fn encode_zarr_chunk(spec: &[u32], voxels: &[u8]) -> Result<Vec<u8>, JsError> {
    b::encode_zarr_chunk(spec, voxels).or_js()
}

/// Streaming writer of one zarr shard.
#[wasm_bindgen]
pub struct ZarrShardWriter {
    inner: b::ZarrShardWriterHandle,
}

#[wasm_bindgen]
impl ZarrShardWriter {
    #[wasm_bindgen(constructor)]
    pub fn new(spec: &[u32], extent: &[u32]) -> Result<ZarrShardWriter, JsError> {
        Ok(ZarrShardWriter { inner: b::ZarrShardWriterHandle::new(spec, extent).or_js()? })
    }

    #[wasm_bindgen(js_name = addClippedChunk)]
    pub fn add_clipped_chunk(&mut self, position: &[u32], voxels: &[u8]) -> Result<bool, JsError> {
        self.inner.add_clipped_chunk(position, voxels).or_js()
    }

    #[wasm_bindgen(js_name = addEncodedChunk)]
    pub fn add_encoded_chunk(&mut self, position: &[u32], encoded: &[u8]) -> Result<(), JsError> {
        self.inner.add_encoded_chunk(position, encoded).or_js()
    }

    #[wasm_bindgen(js_name = chunkCount)]
    pub fn chunk_count(&self) -> f64 {
        self.inner.chunk_count() as f64
    }

    #[wasm_bindgen(js_name = takePending)]
    pub fn take_pending(&mut self) -> Result<Vec<u8>, JsError> {
        self.inner.take_pending().or_js()
    }

    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let f = self.inner.finish().or_js()?;
        object(&[
            ("head", u8s(&f.head)),
            ("tail", u8s(&f.tail)),
            ("chunkCount", JsValue::from_f64(f.chunk_count as f64)),
            ("fileLen", JsValue::from_f64(f.file_len as f64)),
        ])
    }
}
