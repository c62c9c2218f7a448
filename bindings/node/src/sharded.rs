//! Sharded precomputed: chunk ids, shard placement and geometry, index decoding, writer.

use braid_core::boundary::sharded as b;
use napi::bindgen_prelude::{BigInt, BigUint64Array, Uint8Array, Uint32Array};
use napi_derive::napi;

use crate::error::OrJs;

fn u64_of(v: BigInt) -> napi::Result<u64> {
    let (signed, value, lossless) = v.get_u64();
    if signed || !lossless {
        return Err(napi::Error::new(
            napi::Status::InvalidArg,
            "[INVALID_ARGUMENT] expected an unsigned 64-bit bigint",
        ));
    }
    Ok(value)
}

#[napi]
pub fn chunk_ids(size: &[u32], chunk: &[u32], cells: &[u32]) -> napi::Result<BigUint64Array> {
    b::chunk_ids(size, chunk, cells).or_js().map(BigUint64Array::new)
}

#[napi]
pub fn chunk_cells(size: &[u32], chunk: &[u32], ids: &[u64]) -> napi::Result<Uint32Array> {
    b::chunk_cells(size, chunk, ids).or_js().map(Uint32Array::new)
}

#[napi]
pub fn locate_chunks(spec: &[u32], ids: &[u64]) -> napi::Result<BigUint64Array> {
    b::locate_chunks(spec, ids).or_js().map(BigUint64Array::new)
}

#[napi]
pub fn shard_file_name(spec: &[u32], shard: BigInt) -> napi::Result<String> {
    b::shard_file_name(spec, u64_of(shard)?).or_js()
}

/// Shard layout of a scale.
#[napi(object)]
pub struct ShardGeometry {
    pub minishard_shape: Uint32Array,
    pub shard_shape: Uint32Array,
    pub shards: BigUint64Array,
}

#[napi]
pub fn shard_geometry(spec: &[u32], size: &[u32], chunk: &[u32]) -> napi::Result<Option<ShardGeometry>> {
    Ok(b::shard_geometry(spec, size, chunk).or_js()?.map(|g| ShardGeometry {
        minishard_shape: Uint32Array::new(g.minishard_shape.to_vec()),
        shard_shape: Uint32Array::new(g.shard_shape.to_vec()),
        shards: BigUint64Array::new(g.shards),
    }))
}

#[napi]
pub fn shard_origin(
    spec: &[u32],
    size: &[u32],
    chunk: &[u32],
    shard: BigInt,
) -> napi::Result<Option<Uint32Array>> {
    Ok(b::shard_origin(spec, size, chunk, u64_of(shard)?).or_js()?.map(|o| Uint32Array::new(o.to_vec())))
}

#[napi]
pub fn chunk_ids_in_shard(
    spec: &[u32],
    size: &[u32],
    chunk: &[u32],
    shard: BigInt,
) -> napi::Result<BigUint64Array> {
    b::chunk_ids_in_shard(spec, size, chunk, u64_of(shard)?).or_js().map(BigUint64Array::new)
}

#[napi]
pub fn decode_shard_index(spec: &[u32], bytes: &[u8]) -> napi::Result<BigUint64Array> {
    b::decode_shard_index(spec, bytes).or_js().map(BigUint64Array::new)
}

#[napi]
pub fn decode_minishard_index(spec: &[u32], bytes: &[u8], minishard: BigInt) -> napi::Result<BigUint64Array> {
    b::decode_minishard_index(spec, bytes, u64_of(minishard)?).or_js().map(BigUint64Array::new)
}

/// Closing bytes of a shard.
#[napi(object)]
pub struct FinishedShard {
    pub index: Uint8Array,
    pub tail: Uint8Array,
    pub chunk_count: f64,
    pub data_bytes: f64,
}

/// Streaming writer of one shard file.
#[napi]
pub struct ShardWriter(b::ShardWriterHandle);

#[napi]
impl ShardWriter {
    #[napi(constructor)]
    pub fn new(spec: &[u32], shard: BigInt, layout: u32, gzip_level: Option<u32>) -> napi::Result<Self> {
        b::ShardWriterHandle::new(spec, u64_of(shard)?, layout, gzip_level).or_js().map(ShardWriter)
    }

    #[napi]
    pub fn add_chunk(&mut self, chunk_id: BigInt, payload: &[u8]) -> napi::Result<()> {
        self.0.add_chunk(u64_of(chunk_id)?, payload).or_js()
    }

    #[napi]
    pub fn add_encoded_chunk(&mut self, chunk_id: BigInt, encoded: &[u8]) -> napi::Result<()> {
        self.0.add_encoded_chunk(u64_of(chunk_id)?, encoded).or_js()
    }

    #[napi]
    pub fn pending_length(&self) -> u32 {
        self.0.pending_len() as u32
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
    pub fn finish(&mut self) -> napi::Result<FinishedShard> {
        let f = self.0.finish().or_js()?;
        Ok(FinishedShard {
            index: Uint8Array::new(f.index),
            tail: Uint8Array::new(f.tail),
            chunk_count: f.chunk_count as f64,
            data_bytes: f.data_bytes as f64,
        })
    }
}
