//! zarr v3 `sharding_indexed`: the array's geometry and metadata, inner chunk codecs, the
//! shard index, and the streaming shard writer.

use braid_core::boundary::zarr as b;
use napi::bindgen_prelude::{BigUint64Array, Uint8Array, Uint32Array};
use napi_derive::napi;

use crate::error::OrJs;

#[napi]
pub fn zarr_shard_grid(shape: &[u32], spec: &[u32]) -> napi::Result<Uint32Array> {
    b::zarr_shard_grid(shape, spec).or_js().map(|g| Uint32Array::new(g.to_vec()))
}

#[napi]
pub fn zarr_shard_key(shape: &[u32], spec: &[u32], shard: &[u32]) -> napi::Result<String> {
    b::zarr_shard_key(shape, spec, shard).or_js()
}

#[napi]
pub fn zarr_array_metadata(shape: &[u32], spec: &[u32]) -> napi::Result<String> {
    b::zarr_array_metadata(shape, spec).or_js()
}

#[napi]
pub fn decode_zarr_shard_index(spec: &[u32], bytes: &[u8]) -> napi::Result<BigUint64Array> {
    b::decode_zarr_shard_index(spec, bytes).or_js().map(BigUint64Array::new)
}

#[napi]
pub fn decode_zarr_chunk(spec: &[u32], position: &[u32], encoded: &[u8]) -> napi::Result<Uint8Array> {
    b::decode_zarr_chunk(spec, position, encoded).or_js().map(Uint8Array::new)
}

#[napi]
pub fn encode_zarr_chunk(spec: &[u32], voxels: &[u8]) -> napi::Result<Uint8Array> {
    b::encode_zarr_chunk(spec, voxels).or_js().map(Uint8Array::new)
}

/// Closing bytes of a zarr shard: the file is `head ‖ drained ‖ tail`.
#[napi(object)]
pub struct FinishedZarrShard {
    pub head: Uint8Array,
    pub tail: Uint8Array,
    pub chunk_count: f64,
    pub file_len: f64,
}

/// Streaming writer of one zarr shard.
#[napi]
pub struct ZarrShardWriter(b::ZarrShardWriterHandle);

#[napi]
impl ZarrShardWriter {
    #[napi(constructor)]
    pub fn new(spec: &[u32], extent: &[u32]) -> napi::Result<Self> {
        b::ZarrShardWriterHandle::new(spec, extent).or_js().map(ZarrShardWriter)
    }

    #[napi]
    pub fn add_clipped_chunk(&mut self, position: &[u32], voxels: &[u8]) -> napi::Result<bool> {
        self.0.add_clipped_chunk(position, voxels).or_js()
    }

    #[napi]
    pub fn add_encoded_chunk(&mut self, position: &[u32], encoded: &[u8]) -> napi::Result<()> {
        self.0.add_encoded_chunk(position, encoded).or_js()
    }

    #[napi]
    pub fn chunk_count(&self) -> f64 {
        self.0.chunk_count() as f64
    }

    #[napi]
    pub fn take_pending(&mut self) -> napi::Result<Uint8Array> {
        self.0.take_pending().or_js().map(Uint8Array::new)
    }

    #[napi]
    pub fn finish(&mut self) -> napi::Result<FinishedZarrShard> {
        let f = self.0.finish().or_js()?;
        Ok(FinishedZarrShard {
            head: Uint8Array::new(f.head),
            tail: Uint8Array::new(f.tail),
            chunk_count: f.chunk_count as f64,
            file_len: f.file_len as f64,
        })
    }
}
