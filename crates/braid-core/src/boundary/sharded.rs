//! Sharded-format operations over flat arguments: chunk ids, shard placement, shard
//! geometry, index decoding and a streaming writer handle.

use super::args::shape3;
use crate::Error;
use crate::precomputed::ChunkGrid;
use crate::precomputed::sharded::{
    Encoding, HashFunction, MinishardIndex, ShardGeometry, ShardLayout, ShardWriter, ShardingSpec,
    decode_shard_index as decode_index,
};

/// Reads a sharding spec from six words: `[preshift_bits, hash (0 identity, 1 murmurhash3_x86_128),
/// minishard_bits, shard_bits, minishard_index_encoding (0 raw, 1 gzip), data_encoding (0 raw, 1 gzip)]`.
pub fn spec_from_words(words: &[u32]) -> Result<ShardingSpec, Error> {
    let [preshift_bits, hash, minishard_bits, shard_bits, index_enc, data_enc] = words else {
        return Err(Error::InvalidArgument(format!("sharding spec needs 6 words, got {}", words.len())));
    };
    let encoding = |w: u32, what: &str| match w {
        0 => Ok(Encoding::Raw),
        1 => Ok(Encoding::Gzip),
        _ => Err(Error::InvalidArgument(format!("{what} encoding code {w} is not 0 (raw) or 1 (gzip)"))),
    };
    let spec = ShardingSpec {
        preshift_bits: *preshift_bits,
        hash: match hash {
            0 => HashFunction::Identity,
            1 => HashFunction::MurmurHash3X86_128,
            h => return Err(Error::InvalidArgument(format!("hash code {h} is not 0 or 1"))),
        },
        minishard_bits: *minishard_bits,
        shard_bits: *shard_bits,
        minishard_index_encoding: encoding(*index_enc, "minishard index")?,
        data_encoding: encoding(*data_enc, "data")?,
    };
    spec.validate()?;
    Ok(spec)
}

fn grid(size: &[u32], chunk: &[u32]) -> Result<ChunkGrid, Error> {
    let (s, c) = (shape3(size, "size")?, shape3(chunk, "chunk size")?);
    Ok(ChunkGrid::new(s.map(|v| v as u64), c.map(|v| v as u64))?)
}

/// Compressed Morton ids of grid cells given as `[x0, y0, z0, x1, ...]`.
pub fn chunk_ids(size: &[u32], chunk: &[u32], cells: &[u32]) -> Result<Vec<u64>, Error> {
    if cells.len() % 3 != 0 {
        return Err(Error::InvalidArgument(format!("{} cell coordinates are not triples", cells.len())));
    }
    let g = grid(size, chunk)?;
    cells.chunks_exact(3).map(|c| Ok(g.chunk_id([c[0], c[1], c[2]].map(u64::from))?)).collect()
}

/// Grid cells `[x, y, z, ...]` of chunk ids (the inverse of [`chunk_ids`]).
pub fn chunk_cells(size: &[u32], chunk: &[u32], ids: &[u64]) -> Result<Vec<u32>, Error> {
    let g = grid(size, chunk)?;
    let mut out = Vec::with_capacity(3 * ids.len());
    for &id in ids {
        out.extend(g.chunk_coords(id)?.map(|v| v as u32));
    }
    Ok(out)
}

/// `[shard, minishard, ...]` of each chunk id.
pub fn locate_chunks(spec: &[u32], ids: &[u64]) -> Result<Vec<u64>, Error> {
    let spec = spec_from_words(spec)?;
    Ok(ids
        .iter()
        .flat_map(|&id| {
            let l = spec.locate(id);
            [l.shard, l.minishard]
        })
        .collect())
}

/// File name of a shard, e.g. `0fe9.shard`.
pub fn shard_file_name(spec: &[u32], shard: u64) -> Result<String, Error> {
    Ok(spec_from_words(spec)?.shard_file_name(shard))
}

/// Spatial layout of the shards of a scale (identity hash, bits covering the grid).
#[derive(Debug, Clone)]
pub struct GeometryInfo {
    /// Minishard box in chunks.
    pub minishard_shape: [u32; 3],
    /// Shard box in chunks.
    pub shard_shape: [u32; 3],
    /// Every shard number that holds part of the grid, ascending.
    pub shards: Vec<u64>,
}

fn geometry(spec: &[u32], size: &[u32], chunk: &[u32]) -> Result<Option<ShardGeometry>, Error> {
    Ok(ShardGeometry::new(&spec_from_words(spec)?, &grid(size, chunk)?))
}

/// The shard layout of a scale, or `None` when shards are not boxes (murmur hash, or more
/// chunk-id bits than the spec consumes).
pub fn shard_geometry(spec: &[u32], size: &[u32], chunk: &[u32]) -> Result<Option<GeometryInfo>, Error> {
    Ok(geometry(spec, size, chunk)?.map(|g| GeometryInfo {
        minishard_shape: g.minishard_shape().map(|v| v as u32),
        shard_shape: g.shard_shape().map(|v| v as u32),
        shards: g.shards().collect(),
    }))
}

/// Origin (in chunks) of `shard`, or `None` when it holds no part of the grid.
pub fn shard_origin(
    spec: &[u32],
    size: &[u32],
    chunk: &[u32],
    shard: u64,
) -> Result<Option<[u32; 3]>, Error> {
    Ok(geometry(spec, size, chunk)?.and_then(|g| g.shard_origin(shard)).map(|o| o.map(|v| v as u32)))
}

/// Chunk ids inside `shard` in (minishard, id) order, the order TensorStore writes them.
pub fn chunk_ids_in_shard(spec: &[u32], size: &[u32], chunk: &[u32], shard: u64) -> Result<Vec<u64>, Error> {
    let g = geometry(spec, size, chunk)?.ok_or_else(|| {
        Error::InvalidArgument(
            "shards of this spec are not boxes of chunks (murmur hash or too few bits)".into(),
        )
    })?;
    Ok(g.chunk_ids_in_shard(shard).collect())
}

/// `[start, end, ...]` of each minishard index, relative to the end of the shard index.
pub fn decode_shard_index(spec: &[u32], bytes: &[u8]) -> Result<Vec<u64>, Error> {
    let spec = spec_from_words(spec)?;
    Ok(decode_index(bytes, &spec)?.into_iter().flat_map(|r| [r.start, r.end]).collect())
}

/// `[chunk_id, start, end, ...]` (absolute file offsets) of a minishard index.
pub fn decode_minishard_index(spec: &[u32], bytes: &[u8], minishard: u64) -> Result<Vec<u64>, Error> {
    let spec = spec_from_words(spec)?;
    let index = MinishardIndex::decode(bytes, &spec, minishard)?;
    Ok(index.iter().flat_map(|e| [e.chunk_id, e.range.start, e.range.end]).collect())
}

/// A shard being written; `finish` consumes it, after which every call fails.
pub struct ShardWriterHandle(Option<ShardWriter>);

/// The closing bytes of a shard.
#[derive(Debug)]
pub struct FinishedShardParts {
    /// Shard index, written at offset 0.
    pub index: Vec<u8>,
    /// Bytes to append after everything drained so far.
    pub tail: Vec<u8>,
    /// Chunks written; 0 means write no file at all.
    pub chunk_count: u64,
    /// Length of the data section (file length minus the index).
    pub data_bytes: u64,
}

impl ShardWriterHandle {
    /// `layout` 0 puts minishard indexes at the end (any chunk order); 1 is TensorStore's
    /// layout (chunks in (minishard, id) order, each index after its chunks).
    pub fn new(spec: &[u32], shard: u64, layout: u32, gzip_level: Option<u32>) -> Result<Self, Error> {
        let layout = match layout {
            0 => ShardLayout::IndexesAtEnd,
            1 => ShardLayout::TensorStore,
            l => return Err(Error::InvalidArgument(format!("shard layout {l} is not 0 or 1"))),
        };
        let mut w = ShardWriter::new(spec_from_words(spec)?, shard, layout)?;
        if let Some(level) = gzip_level {
            w = w.with_gzip_level(level)?;
        }
        Ok(ShardWriterHandle(Some(w)))
    }

    fn writer(&mut self) -> Result<&mut ShardWriter, Error> {
        self.0.as_mut().ok_or_else(|| Error::InvalidArgument("shard writer already finished".into()))
    }

    /// Adds an unencoded chunk payload (the writer applies `data_encoding`).
    pub fn add_chunk(&mut self, chunk_id: u64, payload: &[u8]) -> Result<(), Error> {
        Ok(self.writer()?.add_chunk(chunk_id, payload)?)
    }

    /// Adds a payload already encoded with `data_encoding`.
    pub fn add_encoded_chunk(&mut self, chunk_id: u64, encoded: &[u8]) -> Result<(), Error> {
        Ok(self.writer()?.add_encoded_chunk(chunk_id, encoded)?)
    }

    /// Bytes waiting to be drained.
    pub fn pending_len(&self) -> usize {
        self.0.as_ref().map_or(0, ShardWriter::pending_len)
    }

    /// Drains the data-section bytes produced so far.
    pub fn take_pending(&mut self) -> Result<Vec<u8>, Error> {
        Ok(self.writer()?.take_pending())
    }

    /// Chunks added so far.
    pub fn chunk_count(&self) -> u64 {
        self.0.as_ref().map_or(0, ShardWriter::chunk_count)
    }

    /// Ends the shard.
    pub fn finish(&mut self) -> Result<FinishedShardParts, Error> {
        let w =
            self.0.take().ok_or_else(|| Error::InvalidArgument("shard writer already finished".into()))?;
        let f = w.finish()?;
        Ok(FinishedShardParts {
            index: f.index,
            tail: f.tail,
            chunk_count: f.chunk_count,
            data_bytes: f.data_bytes,
        })
    }
}
