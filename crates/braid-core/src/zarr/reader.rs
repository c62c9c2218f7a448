//! A whole shard file in memory, its index decoded and checked against the file up front.
//! Readers that fetch byte ranges instead use [`super::index_byte_range`],
//! [`super::decode_shard_index`] and [`super::decode_chunk`] directly.

use super::chunk_codec::decode_chunk;
use super::index::{ShardIndex, decode_shard_index, index_byte_range};
use super::{ShardSpec, ZarrError};

/// A shard file held in memory.
#[derive(Debug, Clone)]
pub struct ZarrShard<'a> {
    bytes: &'a [u8],
    spec: ShardSpec,
    index: ShardIndex,
}

impl<'a> ZarrShard<'a> {
    /// Parses `bytes` as a shard written with `spec` (index at its start or end).
    ///
    /// Fails on a file shorter than the index, a checksum mismatch, a malformed entry or a
    /// chunk reaching past the end of the file. A missing shard is all fill; an empty file is
    /// not a shard.
    pub fn new(bytes: &'a [u8], spec: &ShardSpec) -> Result<Self, ZarrError> {
        spec.validate()?;
        let file_len = bytes.len() as u64;
        let at = index_byte_range(spec, file_len)?;
        // index_byte_range keeps the range within `bytes`.
        let index = decode_shard_index(&bytes[at.start as usize..at.end as usize], spec)?;
        index.check_within(file_len)?;
        Ok(ZarrShard { bytes, spec: *spec, index })
    }

    /// The decoded index.
    pub fn index(&self) -> &ShardIndex {
        &self.index
    }

    /// Stored bytes of inner chunk `position` (`[x, y, z]`), `None` when not stored.
    pub fn encoded_chunk(&self, position: [u32; 3]) -> Result<Option<&'a [u8]>, ZarrError> {
        // new() checked every stored range against the file.
        Ok(self.index.chunk_range(position)?.map(|r| &self.bytes[r.start as usize..r.end as usize]))
    }

    /// Decoded inner chunk `position`: [`ShardSpec::chunk_bytes`] little-endian voxel bytes,
    /// x fastest, full size even at the array edge. `None` when not stored (all fill).
    pub fn read_chunk(&self, position: [u32; 3]) -> Result<Option<Vec<u8>>, ZarrError> {
        self.encoded_chunk(position)?.map(|encoded| decode_chunk(&self.spec, position, encoded)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::{Compression, IndexLocation, LabelType, ZarrShardWriter};

    fn written(spec: ShardSpec) -> Vec<u8> {
        let mut w = ZarrShardWriter::new(spec, spec.shard_shape()).unwrap();
        let chunk: Vec<u8> = (0..spec.chunk_bytes()).map(|i| (i % 7) as u8 + 1).collect();
        w.add_chunk([1, 0, 0], &chunk).unwrap();
        let drained = w.take_pending();
        let done = w.finish();
        [done.head, drained, done.tail].concat()
    }

    fn spec() -> ShardSpec {
        ShardSpec {
            compression: Compression::Gzip { level: 6 },
            ..ShardSpec::new([2, 2, 2], [2, 1, 1], LabelType::U16)
        }
    }

    #[test]
    fn reads_back_what_the_writer_wrote_with_the_index_at_either_end() {
        for location in [IndexLocation::End, IndexLocation::Start] {
            let spec = ShardSpec { index_location: location, ..spec() };
            let file = written(spec);
            let shard = ZarrShard::new(&file, &spec).unwrap();
            assert_eq!(shard.index().stored_count(), 1);
            assert_eq!(shard.read_chunk([0, 0, 0]).unwrap(), None);
            let chunk = shard.read_chunk([1, 0, 0]).unwrap().unwrap();
            assert_eq!(chunk, (0..16).map(|i| (i % 7) as u8 + 1).collect::<Vec<_>>());
            assert_eq!(shard.read_chunk([0, 1, 0]).unwrap_err().code(), "INVALID_ARGUMENT");
        }
    }

    #[test]
    fn corruption_is_a_typed_error_naming_the_fault() {
        let spec = spec();
        let file = written(spec);
        let mut flipped = file.clone();
        let n = flipped.len();
        flipped[n - 10] ^= 1;
        let err = ZarrShard::new(&flipped, &spec).unwrap_err();
        assert!(matches!(err, ZarrError::IndexChecksum { .. }), "{err}");
        let err = ZarrShard::new(&file[..20], &spec).unwrap_err();
        assert!(matches!(err, ZarrError::IndexTruncated { expected: 36, actual: 20 }), "{err}");
        assert!(ZarrShard::new(&[], &spec).is_err());

        // Damage the gzip stream but not the index.
        let mut damaged = file.clone();
        damaged[12] ^= 0x55;
        let shard = ZarrShard::new(&damaged, &spec).unwrap();
        let err = shard.read_chunk([1, 0, 0]).unwrap_err();
        assert!(matches!(err, ZarrError::ChunkCorrupt { chunk: [1, 0, 0], .. }), "{err}");
        assert_eq!(err.code(), "ZARR_CORRUPT");

        // A valid index whose chunk runs past the end of the file.
        let mut entries = file[file.len() - 36..file.len() - 4].to_vec();
        entries[24..32].copy_from_slice(&1000u64.to_le_bytes());
        let crc = crate::zarr::crc32c(&entries);
        let long = [&file[..file.len() - 36], &entries[..], &crc.to_le_bytes()].concat();
        let err = ZarrShard::new(&long, &spec).unwrap_err();
        assert!(
            matches!(err, ZarrError::ChunkPastEnd { chunk: [1, 0, 0], start: 0, end: 1000, .. }),
            "{err}"
        );
    }
}
