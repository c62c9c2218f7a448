//! Validating readers: the shard index, decoded minishard indexes and an in-memory shard file.
//!
//! Every check is done before indexing, all offset arithmetic is checked, and each error names
//! the minishard or chunk at fault, so arbitrary bytes yield a typed error and never a panic.

use std::ops::Range;

use super::minishard_index::{MinishardEntry, decode_minishard_index, le64};
use super::{Encoding, ShardedError, ShardingSpec};
use crate::compress::gunzip_limited;

/// Largest decoded chunk [`ShardFile::read_chunk`] produces (1 GiB): a guard against gzip
/// bombs well above any precomputed chunk.
pub const MAX_DECODED_CHUNK_BYTES: usize = 1 << 30;

/// Parses the `16 · 2^minishard_bits`-byte shard index at the start of `bytes` into one byte
/// range per minishard, relative to the end of the shard index. An empty range means the
/// minishard is empty.
///
/// Bytes after the index (the data section, when a whole file is passed) are ignored, so
/// ranges are not checked against the file length here; [`ShardFile`] does that.
pub fn decode_shard_index(bytes: &[u8], spec: &ShardingSpec) -> Result<Vec<Range<u64>>, ShardedError> {
    spec.validate()?;
    let index_len = spec.shard_index_bytes();
    let index = usize::try_from(index_len)
        .ok()
        .and_then(|n| bytes.get(..n))
        .ok_or(ShardedError::ShardIndexTruncated { expected: index_len, actual: bytes.len() as u64 })?;
    let mut ranges = Vec::with_capacity(index.len() / 16);
    for (minishard, entry) in (0u64..).zip(index.chunks_exact(16)) {
        let start = le64(&entry[..8]);
        let end = le64(&entry[8..]);
        // The absolute end must be representable too, so readers can add H without overflow.
        if start > end || end.checked_add(index_len).is_none() {
            return Err(ShardedError::InvalidIndexRange { minishard, start, end });
        }
        ranges.push(start..end);
    }
    Ok(ranges)
}

/// A decoded minishard index: entries sorted by chunk id, ranges as absolute file offsets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MinishardIndex {
    entries: Vec<MinishardEntry>,
}

impl MinishardIndex {
    /// Decodes the stored (raw or gzip, per `spec.minishard_index_encoding`) index of
    /// `minishard`, converting offsets to absolute file offsets.
    ///
    /// Fails on gzip errors, a length that is not a multiple of 24, ranges overflowing 2^64 and
    /// chunk ids listed twice. Ranges are not checked against a file length; see
    /// [`MinishardIndex::check_within`].
    pub fn decode(encoded: &[u8], spec: &ShardingSpec, minishard: u64) -> Result<Self, ShardedError> {
        let header = spec.shard_index_bytes();
        let mut entries = decode_minishard_index(encoded, spec.minishard_index_encoding, minishard)?;
        for e in &mut entries {
            let chunk_id = e.chunk_id;
            let shifted = e.range.start.checked_add(header).zip(e.range.end.checked_add(header));
            let (start, end) = shifted.ok_or(ShardedError::InvalidChunkRange { minishard, chunk_id })?;
            e.range = start..end;
        }
        entries.sort_unstable_by_key(|e| e.chunk_id);
        if let Some(pair) = entries.windows(2).find(|p| p[0].chunk_id == p[1].chunk_id) {
            return Err(ShardedError::DuplicateIndexEntry { minishard, chunk_id: pair[0].chunk_id });
        }
        Ok(MinishardIndex { entries })
    }

    /// Absolute file byte range of `chunk_id`'s encoded payload, if listed.
    pub fn find(&self, chunk_id: u64) -> Option<Range<u64>> {
        let i = self.entries.binary_search_by_key(&chunk_id, |e| e.chunk_id).ok()?;
        self.entries.get(i).map(|e| e.range.clone())
    }

    /// Entries in ascending chunk-id order.
    pub fn iter(&self) -> std::slice::Iter<'_, MinishardEntry> {
        self.entries.iter()
    }

    /// Number of chunks listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no chunk is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks that every payload lies within a file of `file_len` bytes.
    pub fn check_within(&self, file_len: u64) -> Result<(), ShardedError> {
        match self.entries.iter().find(|e| e.range.end > file_len) {
            Some(e) => Err(ShardedError::ChunkPastEnd {
                chunk_id: e.chunk_id,
                start: e.range.start,
                end: e.range.end,
                file_len,
            }),
            None => Ok(()),
        }
    }
}

impl<'i> IntoIterator for &'i MinishardIndex {
    type Item = &'i MinishardEntry;
    type IntoIter = std::slice::Iter<'i, MinishardEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A whole shard file held in memory, with every index decoded and validated up front.
///
/// Lookups follow the reader rules of docs/formats/sharded.md §2.7: a chunk is found only in the minishard
/// its id hashes to.
#[derive(Debug, Clone)]
pub struct ShardFile<'a> {
    bytes: &'a [u8],
    spec: ShardingSpec,
    minishards: Vec<MinishardIndex>,
}

impl<'a> ShardFile<'a> {
    /// Parses `bytes` as a shard written with `spec`.
    ///
    /// Empty input is a shard with no chunks, as in TensorStore. Otherwise fails on a
    /// truncated shard index, a minishard index or payload range outside the file and any
    /// minishard index [`MinishardIndex::decode`] rejects.
    pub fn new(bytes: &'a [u8], spec: &ShardingSpec) -> Result<Self, ShardedError> {
        spec.validate()?;
        let mut file = ShardFile { bytes, spec: *spec, minishards: Vec::new() };
        if bytes.is_empty() {
            return Ok(file);
        }
        let header = spec.shard_index_bytes();
        let file_len = bytes.len() as u64;
        let ranges = decode_shard_index(bytes, spec)?;
        file.minishards.reserve_exact(ranges.len());
        for (minishard, range) in (0u64..).zip(ranges) {
            if range.is_empty() {
                file.minishards.push(MinishardIndex::default());
                continue;
            }
            // decode_shard_index guarantees end + header does not overflow, and start <= end.
            let (start, end) = (range.start + header, range.end + header);
            let stored = slice(bytes, start..end).ok_or(ShardedError::MinishardIndexPastEnd {
                minishard,
                start,
                end,
                file_len,
            })?;
            let index = MinishardIndex::decode(stored, spec, minishard)?;
            index.check_within(file_len)?;
            file.minishards.push(index);
        }
        Ok(file)
    }

    /// The sharding spec the file was parsed with.
    pub fn spec(&self) -> &ShardingSpec {
        &self.spec
    }

    /// Decoded index of `minishard`; `None` when the number is out of range (or the file is
    /// empty).
    pub fn minishard_index(&self, minishard: u64) -> Option<&MinishardIndex> {
        self.minishards.get(usize::try_from(minishard).ok()?)
    }

    /// Stored (still `data_encoding`-encoded) bytes of `chunk_id`, if present.
    pub fn encoded_chunk(&self, chunk_id: u64) -> Option<&'a [u8]> {
        let minishard = self.spec.locate(chunk_id).minishard;
        let range = self.minishard_index(minishard)?.find(chunk_id)?;
        slice(self.bytes, range)
    }

    /// Decoded payload of `chunk_id`, `None` if the shard does not hold it (a missing chunk,
    /// which reads as fill value). Gzip payloads larger than [`MAX_DECODED_CHUNK_BYTES`] are an
    /// error.
    pub fn read_chunk(&self, chunk_id: u64) -> Result<Option<Vec<u8>>, ShardedError> {
        let Some(stored) = self.encoded_chunk(chunk_id) else {
            return Ok(None);
        };
        match self.spec.data_encoding {
            Encoding::Raw => Ok(Some(stored.to_vec())),
            Encoding::Gzip => gunzip_limited(stored, MAX_DECODED_CHUNK_BYTES)
                .map(Some)
                .map_err(|source| ShardedError::ChunkEncoding { chunk_id, source }),
        }
    }

    /// Ids of all listed chunks, by minishard then ascending id.
    pub fn chunk_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.minishards.iter().flat_map(|m| m.iter().map(|e| e.chunk_id))
    }

    /// Number of listed chunks.
    pub fn chunk_count(&self) -> usize {
        self.minishards.iter().map(MinishardIndex::len).sum()
    }
}

/// `bytes[range]` when the range lies inside `bytes`.
fn slice(bytes: &[u8], range: Range<u64>) -> Option<&[u8]> {
    let start = usize::try_from(range.start).ok()?;
    let end = usize::try_from(range.end).ok()?;
    bytes.get(start..end)
}
