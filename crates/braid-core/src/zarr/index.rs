//! The shard index: one `(offset, nbytes)` pair of little-endian u64 per inner chunk, in C
//! order over zarr's `[z, y, x]` chunk grid, followed by its crc32c when the index codecs
//! end with `crc32c`. An inner chunk that is not stored has both words `2^64 - 1`.

use std::ops::Range;

use super::crc32c::crc32c;
use super::{ShardSpec, ZarrError};

/// Both words of an index entry for a chunk that is not stored.
pub const EMPTY_ENTRY: u64 = u64::MAX;

/// A decoded (or being built) shard index; offsets are absolute file offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardIndex {
    spec: ShardSpec,
    /// `2 · chunk_count` words: offset, nbytes, offset, nbytes, ...
    words: Vec<u64>,
}

impl ShardIndex {
    /// An index with no chunk stored. `spec` must be valid.
    pub(crate) fn empty(spec: &ShardSpec) -> Self {
        ShardIndex { spec: *spec, words: vec![EMPTY_ENTRY; 2 * spec.chunk_count()] }
    }

    pub(crate) fn set(&mut self, index: usize, range: Range<u64>) {
        self.words[2 * index] = range.start;
        self.words[2 * index + 1] = range.end - range.start;
    }

    /// Byte range of inner chunk `position` (`[x, y, z]`), `None` when it is not stored (it
    /// reads as fill value). Fails when `position` is outside the shard's chunk grid.
    pub fn chunk_range(&self, position: [u32; 3]) -> Result<Option<Range<u64>>, ZarrError> {
        let i = self.spec.chunk_index(position).ok_or_else(|| {
            ZarrError::InvalidArgument(format!(
                "inner chunk {position:?} is outside the {:?} chunks of a shard",
                self.spec.chunks_per_shard
            ))
        })?;
        Ok(self.range_at(i))
    }

    fn range_at(&self, i: usize) -> Option<Range<u64>> {
        let (offset, nbytes) = (self.words[2 * i], self.words[2 * i + 1]);
        // decode() rejected half-empty entries and overflowing ranges.
        (offset != EMPTY_ENTRY).then(|| offset..offset + nbytes)
    }

    /// Stored chunks in index (C) order, with their byte ranges.
    pub fn stored(&self) -> impl Iterator<Item = ([u32; 3], Range<u64>)> + '_ {
        (0..self.spec.chunk_count()).filter_map(|i| Some((self.spec.chunk_position(i), self.range_at(i)?)))
    }

    /// Number of stored chunks.
    pub fn stored_count(&self) -> usize {
        self.words.chunks_exact(2).filter(|e| e[0] != EMPTY_ENTRY).count()
    }

    /// Checks that every stored chunk lies within a file of `file_len` bytes.
    pub fn check_within(&self, file_len: u64) -> Result<(), ZarrError> {
        match self.stored().find(|(_, r)| r.end > file_len) {
            Some((chunk, r)) => Err(ZarrError::ChunkPastEnd { chunk, start: r.start, end: r.end, file_len }),
            None => Ok(()),
        }
    }

    /// The encoded index (`bytes` little-endian, then `crc32c` if the spec has it).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.spec.index_bytes() as usize);
        for w in &self.words {
            out.extend_from_slice(&w.to_le_bytes());
        }
        if self.spec.index_checksum {
            let crc = crc32c(&out);
            out.extend_from_slice(&crc.to_le_bytes());
        }
        out
    }
}

/// Where the index of a shard file of `file_len` bytes is (`spec` must be valid).
pub fn index_byte_range(spec: &ShardSpec, file_len: u64) -> Result<Range<u64>, ZarrError> {
    let len = spec.index_bytes();
    if file_len < len {
        return Err(ZarrError::IndexTruncated { expected: len, actual: file_len });
    }
    Ok(match spec.index_location {
        super::IndexLocation::Start => 0..len,
        super::IndexLocation::End => file_len - len..file_len,
    })
}

/// Decodes exactly the [`ShardSpec::index_bytes`] bytes of an index (see
/// [`index_byte_range`]), verifying its crc32c and every entry.
///
/// Ranges are not checked against the file length, which the index alone does not tell; see
/// [`ShardIndex::check_within`].
pub fn decode_shard_index(bytes: &[u8], spec: &ShardSpec) -> Result<ShardIndex, ZarrError> {
    spec.validate()?;
    let expected = spec.index_bytes();
    let actual = bytes.len() as u64;
    if actual < expected {
        return Err(ZarrError::IndexTruncated { expected, actual });
    }
    if actual > expected {
        return Err(ZarrError::InvalidArgument(format!(
            "a shard index of this spec is {expected} bytes, got {actual}"
        )));
    }
    let (entries, checksum) = bytes.split_at(16 * spec.chunk_count());
    if spec.index_checksum {
        let stored = u32::from_le_bytes(checksum.try_into().expect("4 checksum bytes"));
        let computed = crc32c(entries);
        if stored != computed {
            return Err(ZarrError::IndexChecksum { stored, computed });
        }
    }
    let mut words = Vec::with_capacity(entries.len() / 8);
    for (i, e) in entries.chunks_exact(16).enumerate() {
        let offset = u64::from_le_bytes(e[..8].try_into().expect("8 bytes"));
        let nbytes = u64::from_le_bytes(e[8..].try_into().expect("8 bytes"));
        let empty = (offset == EMPTY_ENTRY, nbytes == EMPTY_ENTRY);
        let valid = match empty {
            (true, true) => true,
            (false, false) => offset.checked_add(nbytes).is_some(),
            _ => false,
        };
        if !valid {
            return Err(ZarrError::InvalidIndexEntry { chunk: spec.chunk_position(i), offset, nbytes });
        }
        words.extend([offset, nbytes]);
    }
    Ok(ShardIndex { spec: *spec, words })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::{IndexLocation, LabelType};

    fn spec() -> ShardSpec {
        ShardSpec::new([2, 2, 2], [2, 1, 2], LabelType::U8)
    }

    #[test]
    fn encodes_empty_entries_as_all_ones_and_round_trips() {
        let mut index = ShardIndex::empty(&spec());
        index.set(1, 0..8);
        index.set(3, 8..11);
        let bytes = index.encode();
        assert_eq!(bytes.len(), 4 * 16 + 4);
        assert_eq!(&bytes[..16], &[0xff; 16]);
        assert_eq!(&bytes[16..32], &[0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(&bytes[64..], &crc32c(&bytes[..64]).to_le_bytes());
        let back = decode_shard_index(&bytes, &spec()).unwrap();
        assert_eq!(back, index);
        assert_eq!(back.chunk_range([1, 0, 0]).unwrap(), Some(0..8));
        assert_eq!(back.chunk_range([1, 0, 1]).unwrap(), Some(8..11));
        assert_eq!(back.chunk_range([0, 0, 1]).unwrap(), None);
        assert_eq!(back.chunk_range([0, 1, 0]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(back.stored().collect::<Vec<_>>(), vec![([1, 0, 0], 0..8), ([1, 0, 1], 8..11)]);
        assert_eq!(back.stored_count(), 2);
        back.check_within(11).unwrap();
        let err = back.check_within(10).unwrap_err();
        assert!(
            matches!(err, ZarrError::ChunkPastEnd { chunk: [1, 0, 1], start: 8, end: 11, file_len: 10 }),
            "{err}"
        );
    }

    #[test]
    fn names_what_is_wrong_with_a_bad_index() {
        let mut index = ShardIndex::empty(&spec());
        index.set(0, 0..4);
        let good = index.encode();

        let err = decode_shard_index(&good[..good.len() - 1], &spec()).unwrap_err();
        assert!(matches!(err, ZarrError::IndexTruncated { expected: 68, actual: 67 }), "{err}");
        assert_eq!(err.code(), "ZARR_CORRUPT");

        let mut flipped = good.clone();
        flipped[3] ^= 0x10;
        let err = decode_shard_index(&flipped, &spec()).unwrap_err();
        assert!(matches!(err, ZarrError::IndexChecksum { .. }), "{err}");
        assert_eq!(err.code(), "ZARR_CORRUPT");

        // A half-empty entry and an overflowing one, with valid checksums.
        for (entry, offset, nbytes) in [(2usize, u64::MAX, 5u64), (3, 7, u64::MAX - 3)] {
            let mut bad = good[..64].to_vec();
            bad[16 * entry..16 * entry + 8].copy_from_slice(&offset.to_le_bytes());
            bad[16 * entry + 8..16 * entry + 16].copy_from_slice(&nbytes.to_le_bytes());
            let crc = crc32c(&bad);
            bad.extend_from_slice(&crc.to_le_bytes());
            let err = decode_shard_index(&bad, &spec()).unwrap_err();
            let chunk = spec().chunk_position(entry);
            assert!(
                matches!(err, ZarrError::InvalidIndexEntry { chunk: c, offset: o, nbytes: n }
                    if c == chunk && o == offset && n == nbytes),
                "{err}"
            );
        }

        let longer = [good.clone(), vec![0]].concat();
        assert_eq!(decode_shard_index(&longer, &spec()).unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn reads_an_index_without_checksum() {
        let spec = ShardSpec { index_checksum: false, ..spec() };
        let mut index = ShardIndex::empty(&spec);
        index.set(2, 5..9);
        let bytes = index.encode();
        assert_eq!(bytes.len(), 64);
        assert_eq!(decode_shard_index(&bytes, &spec).unwrap().chunk_range([0, 0, 1]).unwrap(), Some(5..9));
    }

    #[test]
    fn locates_the_index_at_either_end() {
        let end = spec();
        assert_eq!(index_byte_range(&end, 100).unwrap(), 32..100);
        let start = ShardSpec { index_location: IndexLocation::Start, ..end };
        assert_eq!(index_byte_range(&start, 100).unwrap(), 0..68);
        let err = index_byte_range(&end, 67).unwrap_err();
        assert!(matches!(err, ZarrError::IndexTruncated { expected: 68, actual: 67 }), "{err}");
    }
}
