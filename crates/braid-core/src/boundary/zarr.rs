//! zarr v3 shard operations over flat arguments: a shard spec from ten words, a streaming
//! writer handle, index and inner-chunk decoding, chunk encoding for worker threads, and the
//! array's shard grid, keys and `zarr.json`.
//!
//! Shapes and positions are `[x, y, z]` `u32` triples like the rest of the boundary; zarr's
//! `[z, y, x]` appears only inside the metadata JSON and shard keys.

use crate::Error;
use crate::zarr::{
    Compression, IndexLocation, LabelType, ShardSpec, ZarrGrid, ZarrShardWriter, decode_chunk,
    decode_shard_index, encode_chunk, index_byte_range, metadata, zarr_python_chunk_order,
};

/// `options` bit: zstd frames carry a content checksum.
pub const OPTION_ZSTD_CHECKSUM: u32 = 1;
/// `options` bit: the index is at the start of the shard.
pub const OPTION_INDEX_AT_START: u32 = 2;
/// `options` bit: the index has no crc32c.
pub const OPTION_INDEX_WITHOUT_CRC32C: u32 = 4;

fn triple(v: &[u32], what: &str) -> Result<[u32; 3], Error> {
    match v {
        [x, y, z] => Ok([*x, *y, *z]),
        _ => Err(Error::InvalidArgument(format!("{what} must have 3 entries, got {}", v.len()))),
    }
}

/// Reads a shard spec from ten words: `[chunk x, chunk y, chunk z, chunks per shard x, y, z,
/// bytes per voxel (1, 2, 4, 8), compression (0 none, 1 zstd, 2 gzip), level, options]`, with
/// the `OPTION_*` bits in `options`. zstd levels through here are 0..=22.
pub fn zarr_spec_from_words(words: &[u32]) -> Result<ShardSpec, Error> {
    let [cx, cy, cz, nx, ny, nz, voxel_bytes, compression, level, options] = *words else {
        return Err(Error::InvalidArgument(format!("zarr shard spec needs 10 words, got {}", words.len())));
    };
    let data_type = match voxel_bytes {
        1 => LabelType::U8,
        2 => LabelType::U16,
        4 => LabelType::U32,
        8 => LabelType::U64,
        b => return Err(Error::InvalidArgument(format!("{b} bytes per voxel is not 1, 2, 4 or 8"))),
    };
    let name = match compression {
        0 => "none",
        1 => "zstd",
        2 => "gzip",
        c => return Err(Error::InvalidArgument(format!("compression code {c} is not 0, 1 or 2"))),
    };
    let level =
        i32::try_from(level).map_err(|_| Error::InvalidArgument(format!("level {level} is too large")))?;
    if options & !(OPTION_ZSTD_CHECKSUM | OPTION_INDEX_AT_START | OPTION_INDEX_WITHOUT_CRC32C) != 0 {
        return Err(Error::InvalidArgument(format!("unknown zarr shard options {options:#x}")));
    }
    let spec = ShardSpec {
        chunk_shape: [cx, cy, cz],
        chunks_per_shard: [nx, ny, nz],
        data_type,
        compression: Compression::from_name(name, level, options & OPTION_ZSTD_CHECKSUM != 0)?,
        index_location: if options & OPTION_INDEX_AT_START != 0 {
            IndexLocation::Start
        } else {
            IndexLocation::End
        },
        index_checksum: options & OPTION_INDEX_WITHOUT_CRC32C == 0,
    };
    spec.validate()?;
    Ok(spec)
}

fn grid(shape: &[u32], spec: &[u32]) -> Result<ZarrGrid, Error> {
    Ok(ZarrGrid::new(triple(shape, "array shape")?.map(u64::from), zarr_spec_from_words(spec)?)?)
}

/// Shards per axis of an array of `shape` voxels.
pub fn zarr_shard_grid(shape: &[u32], spec: &[u32]) -> Result<[u32; 3], Error> {
    // A shard axis is at least one voxel and the shape is u32, so the count fits.
    Ok(grid(shape, spec)?.shards().map(|n| n as u32))
}

/// Voxels of shard `shard` inside the array: the extent for [`ZarrShardWriterHandle::new`].
pub fn zarr_shard_extent(shape: &[u32], spec: &[u32], shard: &[u32]) -> Result<[u32; 3], Error> {
    Ok(grid(shape, spec)?.shard_extent(triple(shard, "shard")?.map(u64::from))?)
}

/// Key of shard `shard` under the array, `c/<z>/<y>/<x>`.
pub fn zarr_shard_key(shape: &[u32], spec: &[u32], shard: &[u32]) -> Result<String, Error> {
    Ok(grid(shape, spec)?.shard_key(triple(shard, "shard")?.map(u64::from)))
}

/// The array's `zarr.json`.
pub fn zarr_array_metadata(shape: &[u32], spec: &[u32]) -> Result<String, Error> {
    Ok(metadata::array_metadata_json(&grid(shape, spec)?))
}

/// Inner chunk positions `[x0, y0, z0, x1, ...]` in zarr-python's write order.
pub fn zarr_chunk_order(spec: &[u32]) -> Result<Vec<u32>, Error> {
    let spec = zarr_spec_from_words(spec)?;
    Ok(zarr_python_chunk_order(spec.chunks_per_shard).into_iter().flatten().collect())
}

/// `[start, end]` of the index in a shard file of `file_len` bytes.
pub fn zarr_index_range(spec: &[u32], file_len: u64) -> Result<[u64; 2], Error> {
    let r = index_byte_range(&zarr_spec_from_words(spec)?, file_len)?;
    Ok([r.start, r.end])
}

/// `[offset, nbytes, ...]` per inner chunk in index (C, x-fastest) order; both are `2^64 - 1`
/// for a chunk that is not stored. `bytes` is exactly the index (see [`zarr_index_range`]).
pub fn decode_zarr_shard_index(spec: &[u32], bytes: &[u8]) -> Result<Vec<u64>, Error> {
    let spec = zarr_spec_from_words(spec)?;
    let index = decode_shard_index(bytes, &spec)?;
    let mut words = Vec::with_capacity(2 * spec.chunk_count());
    for i in 0..spec.chunk_count() {
        words.extend(match index.chunk_range(spec.chunk_position(i))? {
            Some(r) => [r.start, r.end - r.start],
            None => [u64::MAX; 2],
        });
    }
    Ok(words)
}

/// Decodes stored inner chunk `position` to its full-size little-endian voxel bytes.
pub fn decode_zarr_chunk(spec: &[u32], position: &[u32], encoded: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(decode_chunk(&zarr_spec_from_words(spec)?, triple(position, "chunk position")?, encoded)?)
}

/// Encodes full-size inner chunk voxels with the spec's chain (for
/// [`ZarrShardWriterHandle::add_encoded_chunk`]).
pub fn encode_zarr_chunk(spec: &[u32], voxels: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    encode_chunk(&zarr_spec_from_words(spec)?, voxels, &mut out)?;
    Ok(out)
}

/// The closing bytes of a zarr shard: the file is `head ‖ drained ‖ tail`.
#[derive(Debug)]
pub struct FinishedZarrShardParts {
    /// The index when it goes at the start, else empty.
    pub head: Vec<u8>,
    /// The last chunk bytes, then the index when it goes at the end.
    pub tail: Vec<u8>,
    /// Inner chunks stored; 0 means write no file (zarr-python writes none).
    pub chunk_count: u64,
    /// Total file length.
    pub file_len: u64,
}

/// A zarr shard being written; `finish` consumes it, after which every call fails.
pub struct ZarrShardWriterHandle(Option<ZarrShardWriter>);

impl ZarrShardWriterHandle {
    /// Starts a shard whose first `extent` voxels lie inside the array ([`zarr_shard_extent`]).
    pub fn new(spec: &[u32], extent: &[u32]) -> Result<Self, Error> {
        Ok(ZarrShardWriterHandle(Some(ZarrShardWriter::new(
            zarr_spec_from_words(spec)?,
            triple(extent, "shard extent")?,
        )?)))
    }

    fn writer(&mut self) -> Result<&mut ZarrShardWriter, Error> {
        self.0.as_mut().ok_or_else(|| Error::InvalidArgument("zarr shard writer already finished".into()))
    }

    /// Voxels of inner chunk `position` inside the array.
    pub fn chunk_extent(&mut self, position: &[u32]) -> Result<[u32; 3], Error> {
        let position = triple(position, "chunk position")?;
        Ok(self.writer()?.chunk_extent(position)?)
    }

    /// Adds full-size inner chunk voxels; `false` when they were all fill and not stored.
    pub fn add_chunk(&mut self, position: &[u32], voxels: &[u8]) -> Result<bool, Error> {
        let position = triple(position, "chunk position")?;
        Ok(self.writer()?.add_chunk(position, voxels)?)
    }

    /// Adds the in-array part of an inner chunk, padded by the writer.
    pub fn add_clipped_chunk(&mut self, position: &[u32], voxels: &[u8]) -> Result<bool, Error> {
        let position = triple(position, "chunk position")?;
        Ok(self.writer()?.add_clipped_chunk(position, voxels)?)
    }

    /// Adds an inner chunk already encoded with [`encode_zarr_chunk`].
    pub fn add_encoded_chunk(&mut self, position: &[u32], encoded: &[u8]) -> Result<(), Error> {
        let position = triple(position, "chunk position")?;
        Ok(self.writer()?.add_encoded_chunk(position, encoded)?)
    }

    /// Bytes waiting to be drained.
    pub fn pending_len(&self) -> usize {
        self.0.as_ref().map_or(0, ZarrShardWriter::pending_len)
    }

    /// Drains the bytes produced so far.
    pub fn take_pending(&mut self) -> Result<Vec<u8>, Error> {
        Ok(self.writer()?.take_pending())
    }

    /// Inner chunks stored so far.
    pub fn chunk_count(&self) -> u64 {
        self.0.as_ref().map_or(0, ZarrShardWriter::chunk_count)
    }

    /// Ends the shard.
    pub fn finish(&mut self) -> Result<FinishedZarrShardParts, Error> {
        let w = self
            .0
            .take()
            .ok_or_else(|| Error::InvalidArgument("zarr shard writer already finished".into()))?;
        let f = w.finish();
        Ok(FinishedZarrShardParts {
            head: f.head,
            tail: f.tail,
            chunk_count: f.chunk_count,
            file_len: f.file_len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2x2x2 uint16 chunks, 2x1x1 per shard, zstd level 3.
    const SPEC: [u32; 10] = [2, 2, 2, 2, 1, 1, 2, 1, 3, 0];

    #[test]
    fn spec_words_cover_every_field_and_refuse_the_rest() {
        let spec = zarr_spec_from_words(&SPEC).unwrap();
        assert_eq!(spec.data_type, LabelType::U16);
        assert_eq!(spec.compression, Compression::Zstd { level: 3, checksum: false });
        assert_eq!(spec.index_location, IndexLocation::End);
        assert!(spec.index_checksum);
        let all = zarr_spec_from_words(&[1, 2, 3, 4, 5, 6, 8, 2, 9, 6]).unwrap();
        assert_eq!(all.chunk_shape, [1, 2, 3]);
        assert_eq!(all.chunks_per_shard, [4, 5, 6]);
        assert_eq!(all.compression, Compression::Gzip { level: 9 });
        assert_eq!(all.index_location, IndexLocation::Start);
        assert!(!all.index_checksum);
        let code = |w: &[u32]| zarr_spec_from_words(w).unwrap_err().code();
        assert_eq!(code(&SPEC[..9]), "INVALID_ARGUMENT");
        assert_eq!(code(&[2, 2, 2, 2, 1, 1, 3, 1, 3, 0]), "INVALID_ARGUMENT");
        assert_eq!(code(&[2, 2, 2, 2, 1, 1, 2, 3, 3, 0]), "INVALID_ARGUMENT");
        assert_eq!(code(&[2, 2, 2, 2, 1, 1, 2, 1, 23, 0]), "INVALID_ARGUMENT");
        assert_eq!(code(&[2, 2, 2, 2, 1, 1, 2, 2, 10, 0]), "INVALID_ARGUMENT");
        assert_eq!(code(&[2, 2, 2, 2, 1, 1, 2, 1, 3, 8]), "INVALID_ARGUMENT");
        assert_eq!(code(&[0, 2, 2, 2, 1, 1, 2, 1, 3, 0]), "INVALID_ARGUMENT");
    }

    #[test]
    fn a_written_shard_decodes_through_the_flat_functions() {
        let mut w = ZarrShardWriterHandle::new(&SPEC, &[3, 2, 2]).unwrap();
        assert_eq!(w.chunk_extent(&[1, 0, 0]).unwrap(), [1, 2, 2]);
        let voxels: Vec<u8> = (1..=8u16).flat_map(|v| v.to_le_bytes()).collect();
        assert!(w.add_chunk(&[0, 0, 0], &voxels).unwrap());
        assert!(!w.add_clipped_chunk(&[1, 0, 0], &[0; 8]).unwrap());
        assert_eq!(w.chunk_count(), 1);
        assert_eq!(w.add_chunk(&[0, 0], &voxels).unwrap_err().code(), "INVALID_ARGUMENT");
        let drained = w.take_pending().unwrap();
        let done = w.finish().unwrap();
        assert_eq!(w.finish().unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(w.take_pending().unwrap_err().code(), "INVALID_ARGUMENT");
        let file = [done.head, drained, done.tail].concat();
        assert_eq!(file.len() as u64, done.file_len);

        let [start, end] = zarr_index_range(&SPEC, file.len() as u64).unwrap();
        let words = decode_zarr_shard_index(&SPEC, &file[start as usize..end as usize]).unwrap();
        assert_eq!(words[2..], [u64::MAX, u64::MAX]);
        let (offset, nbytes) = (words[0] as usize, words[1] as usize);
        assert_eq!(decode_zarr_chunk(&SPEC, &[0, 0, 0], &file[offset..offset + nbytes]).unwrap(), voxels);
        let err = decode_zarr_chunk(&SPEC, &[0, 0, 0], &file[offset..offset + nbytes - 1]).unwrap_err();
        assert_eq!(err.code(), "ZARR_CORRUPT");
        let mut flipped = file.clone();
        flipped[end as usize - 1] ^= 1;
        let err = decode_zarr_shard_index(&SPEC, &flipped[start as usize..end as usize]).unwrap_err();
        assert_eq!(err.code(), "ZARR_CORRUPT");
    }

    #[test]
    fn encoded_chunks_from_another_thread_land_verbatim() {
        let voxels = vec![7u8; 16];
        let encoded = encode_zarr_chunk(&SPEC, &voxels).unwrap();
        let mut w = ZarrShardWriterHandle::new(&SPEC, &[4, 2, 2]).unwrap();
        w.add_encoded_chunk(&[1, 0, 0], &encoded).unwrap();
        let drained = w.take_pending().unwrap();
        assert_eq!(drained, encoded);
        assert_eq!(encode_zarr_chunk(&SPEC, &voxels[1..]).unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn array_geometry_keys_and_metadata() {
        let shape = [5, 2, 3];
        assert_eq!(zarr_shard_grid(&shape, &SPEC).unwrap(), [2, 1, 2]);
        assert_eq!(zarr_shard_extent(&shape, &SPEC, &[1, 0, 1]).unwrap(), [1, 2, 1]);
        assert_eq!(zarr_shard_extent(&shape, &SPEC, &[2, 0, 0]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(zarr_shard_key(&shape, &SPEC, &[1, 0, 1]).unwrap(), "c/1/0/1");
        let json = zarr_array_metadata(&shape, &SPEC).unwrap();
        assert!(json.contains(r#""shape":[3,2,5],"data_type":"uint16""#), "{json}");
        assert_eq!(zarr_chunk_order(&SPEC).unwrap(), [0, 0, 0, 1, 0, 0]);
    }
}
