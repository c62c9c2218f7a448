//! Sharded precomputed: chunk ids, shard placement and geometry, index decoding, writer.

use braid_core::boundary::sharded as b;
use wasm_bindgen::prelude::*;

use crate::error::OrJs;
use crate::object::{object, u8s, u32s, u64s};

#[wasm_bindgen(js_name = chunkIds)]
pub fn chunk_ids(size: &[u32], chunk: &[u32], cells: &[u32]) -> Result<Vec<u64>, JsError> {
    b::chunk_ids(size, chunk, cells).or_js()
}

#[wasm_bindgen(js_name = chunkCells)]
pub fn chunk_cells(size: &[u32], chunk: &[u32], ids: &[u64]) -> Result<Vec<u32>, JsError> {
    b::chunk_cells(size, chunk, ids).or_js()
}

#[wasm_bindgen(js_name = locateChunks)]
pub fn locate_chunks(spec: &[u32], ids: &[u64]) -> Result<Vec<u64>, JsError> {
    b::locate_chunks(spec, ids).or_js()
}

#[wasm_bindgen(js_name = shardFileName)]
pub fn shard_file_name(spec: &[u32], shard: u64) -> Result<String, JsError> {
    b::shard_file_name(spec, shard).or_js()
}

#[wasm_bindgen(js_name = shardGeometry)]
pub fn shard_geometry(spec: &[u32], size: &[u32], chunk: &[u32]) -> Result<JsValue, JsError> {
    match b::shard_geometry(spec, size, chunk).or_js()? {
        None => Ok(JsValue::NULL),
        Some(g) => object(&[
            ("minishardShape", u32s(&g.minishard_shape)),
            ("shardShape", u32s(&g.shard_shape)),
            ("shards", u64s(&g.shards)),
        ]),
    }
}

#[wasm_bindgen(js_name = shardOrigin)]
pub fn shard_origin(
    spec: &[u32],
    size: &[u32],
    chunk: &[u32],
    shard: u64,
) -> Result<Option<Vec<u32>>, JsError> {
    Ok(b::shard_origin(spec, size, chunk, shard).or_js()?.map(|o| o.to_vec()))
}

#[wasm_bindgen(js_name = chunkIdsInShard)]
pub fn chunk_ids_in_shard(
    spec: &[u32],
    size: &[u32],
    chunk: &[u32],
    shard: u64,
) -> Result<Vec<u64>, JsError> {
    b::chunk_ids_in_shard(spec, size, chunk, shard).or_js()
}

#[wasm_bindgen(js_name = decodeShardIndex)]
pub fn decode_shard_index(spec: &[u32], bytes: &[u8]) -> Result<Vec<u64>, JsError> {
    b::decode_shard_index(spec, bytes).or_js()
}

#[wasm_bindgen(js_name = decodeMinishardIndex)]
pub fn decode_minishard_index(spec: &[u32], bytes: &[u8], minishard: u64) -> Result<Vec<u64>, JsError> {
    b::decode_minishard_index(spec, bytes, minishard).or_js()
}

/// Streaming writer of one shard file.
#[wasm_bindgen]
pub struct ShardWriter {
    inner: b::ShardWriterHandle,
}

#[wasm_bindgen]
impl ShardWriter {
    #[wasm_bindgen(constructor)]
    pub fn new(
        spec: &[u32],
        shard: u64,
        layout: u32,
        gzip_level: Option<u32>,
    ) -> Result<ShardWriter, JsError> {
        b::ShardWriterHandle::new(spec, shard, layout, gzip_level).or_js().map(|inner| ShardWriter { inner })
    }

    #[wasm_bindgen(js_name = addChunk)]
    pub fn add_chunk(&mut self, chunk_id: u64, payload: &[u8]) -> Result<(), JsError> {
        self.inner.add_chunk(chunk_id, payload).or_js()
    }

    #[wasm_bindgen(js_name = addEncodedChunk)]
    pub fn add_encoded_chunk(&mut self, chunk_id: u64, encoded: &[u8]) -> Result<(), JsError> {
        self.inner.add_encoded_chunk(chunk_id, encoded).or_js()
    }

    #[wasm_bindgen(js_name = pendingLength)]
    pub fn pending_length(&self) -> u32 {
        self.inner.pending_len() as u32
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
            ("index", u8s(&f.index)),
            ("tail", u8s(&f.tail)),
            ("chunkCount", JsValue::from_f64(f.chunk_count as f64)),
            ("dataBytes", JsValue::from_f64(f.data_bytes as f64)),
        ])
    }
}
