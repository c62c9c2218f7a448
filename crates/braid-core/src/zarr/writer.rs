//! Streaming `sharding_indexed` shard writer: encoded inner chunks go straight to an output
//! buffer the caller drains, and only the fixed-size index (16 bytes per inner chunk) and a bit
//! per chunk stay in memory.

use super::chunk_codec::encode_chunk;
use super::index::ShardIndex;
use super::voxels::{check_voxel_bytes, clipped_extent, is_fill, pad_into};
use super::{IndexLocation, ShardSpec, ZarrError};

/// What remains to be written once all inner chunks are in. The file is
/// `head ‖ everything drained with take_pending ‖ tail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedZarrShard {
    /// The index when `index_location` is `start` (write it at offset 0, before the drained
    /// bytes); empty when the index is at the end.
    pub head: Vec<u8>,
    /// Bytes to append after the drained ones; ends with the index when it is at the end.
    pub tail: Vec<u8>,
    /// Inner chunks stored. When 0, zarr-python writes no shard (and deletes an existing one),
    /// and readers take a missing shard as all fill; `head`/`tail` still form a valid shard
    /// with every entry empty for callers that want a file anyway.
    pub chunk_count: u64,
    /// `head.len()` + drained bytes + `tail.len()`.
    pub file_len: u64,
}

/// Writes one shard as a stream.
///
/// Inner chunks arrive in any order; each is stored in arrival order and the index records
/// where (the spec allows any data order). Adding them in [`super::zarr_python_chunk_order`]
/// (Morton) reproduces zarr-python's file byte for byte.
///
/// Zarr pads edge chunks: a chunk reaching past the array is stored full-size with the fill
/// value (0) outside it, and a chunk whose voxels are all fill is not stored at all (its index
/// entry stays empty) — zarr-python's `write_empty_chunks=False`, its default.
#[derive(Debug)]
pub struct ZarrShardWriter {
    spec: ShardSpec,
    extent: [u32; 3],
    index: ShardIndex,
    /// One bit per inner chunk accepted, stored or not, to refuse duplicates.
    seen: Vec<u64>,
    pending: Vec<u8>,
    /// Chunk bytes produced so far, drained or not.
    data_len: u64,
    /// Scratch for padding edge chunks.
    padded: Vec<u8>,
    chunk_count: u64,
}

impl ZarrShardWriter {
    /// Starts a shard whose first `extent` voxels (`[x, y, z]`, at most the shard shape) are
    /// inside the array: the whole shard except at the array's upper edges (see
    /// [`super::ZarrGrid::shard_extent`]).
    pub fn new(spec: ShardSpec, extent: [u32; 3]) -> Result<Self, ZarrError> {
        spec.validate()?;
        let shard = spec.shard_shape();
        if (0..3).any(|a| extent[a] == 0 || extent[a] > shard[a]) {
            return Err(ZarrError::InvalidArgument(format!(
                "shard extent {extent:?} is not within the {shard:?}-voxel shard"
            )));
        }
        Ok(ZarrShardWriter {
            spec,
            extent,
            index: ShardIndex::empty(&spec),
            seen: vec![0; spec.chunk_count().div_ceil(64)],
            pending: Vec::new(),
            data_len: 0,
            padded: Vec::new(),
            chunk_count: 0,
        })
    }

    /// The spec being written.
    pub fn spec(&self) -> &ShardSpec {
        &self.spec
    }

    /// Voxels of inner chunk `position` (`[x, y, z]` within the shard) that are inside the
    /// array: the chunk shape, less at the array's upper edges, 0 on an axis for a chunk
    /// wholly outside.
    pub fn chunk_extent(&self, position: [u32; 3]) -> Result<[u32; 3], ZarrError> {
        self.locate(position)?;
        let origin = [0, 1, 2].map(|a| u64::from(position[a]) * u64::from(self.spec.chunk_shape[a]));
        Ok(clipped_extent(origin, self.spec.chunk_shape, self.extent))
    }

    /// Adds a full-size inner chunk: `voxels` are [`ShardSpec::chunk_bytes`] little-endian
    /// bytes, x fastest. Voxels outside the array are stored as fill whatever they hold.
    ///
    /// Returns whether the chunk was stored (`false`: all fill). Fails on a position outside
    /// the shard, a position given before or a wrong length; a rejected chunk leaves the writer
    /// unchanged.
    pub fn add_chunk(&mut self, position: [u32; 3], voxels: &[u8]) -> Result<bool, ZarrError> {
        let size = self.spec.data_type.size();
        check_voxel_bytes(voxels.len(), self.spec.chunk_shape, size, "an inner chunk")?;
        let extent = self.chunk_extent(position)?;
        self.add_voxels(position, voxels, self.spec.chunk_shape, extent)
    }

    /// Adds the part of an inner chunk inside the array: `voxels` cover exactly
    /// [`ZarrShardWriter::chunk_extent`] voxels, x fastest; the writer pads the rest with fill.
    /// Returns and fails as [`ZarrShardWriter::add_chunk`].
    pub fn add_clipped_chunk(&mut self, position: [u32; 3], voxels: &[u8]) -> Result<bool, ZarrError> {
        let extent = self.chunk_extent(position)?;
        check_voxel_bytes(voxels.len(), extent, self.spec.data_type.size(), "a clipped inner chunk")?;
        self.add_voxels(position, voxels, extent, extent)
    }

    /// Adds an inner chunk already encoded with the spec's chain (e.g. on another thread with
    /// [`super::encode_chunk`]); the caller has padded it and skipped fill chunks.
    pub fn add_encoded_chunk(&mut self, position: [u32; 3], encoded: &[u8]) -> Result<(), ZarrError> {
        let i = self.admit(position)?;
        if encoded.is_empty() {
            return Err(ZarrError::InvalidArgument(format!(
                "inner chunk {position:?}: an encoded chunk is never empty"
            )));
        }
        self.pending.extend_from_slice(encoded);
        self.record(i, encoded.len());
        Ok(())
    }

    /// Bytes produced but not yet taken.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Takes the bytes produced since the last call; they follow the previously taken bytes
    /// (and the head, if any) in the file.
    pub fn take_pending(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }

    /// Chunk bytes produced so far, taken or not.
    pub fn data_len(&self) -> u64 {
        self.data_len
    }

    /// Inner chunks stored so far.
    pub fn chunk_count(&self) -> u64 {
        self.chunk_count
    }

    /// Encodes the index and returns what is left to write.
    pub fn finish(mut self) -> FinishedZarrShard {
        let index = self.index.encode();
        let mut tail = std::mem::take(&mut self.pending);
        let file_len = self.data_len + index.len() as u64;
        let head = match self.spec.index_location {
            IndexLocation::Start => index,
            IndexLocation::End => {
                tail.extend_from_slice(&index);
                Vec::new()
            }
        };
        FinishedZarrShard { head, tail, chunk_count: self.chunk_count, file_len }
    }

    fn add_voxels(
        &mut self,
        position: [u32; 3],
        voxels: &[u8],
        source_shape: [u32; 3],
        extent: [u32; 3],
    ) -> Result<bool, ZarrError> {
        let i = self.admit(position)?;
        let full = if extent == self.spec.chunk_shape && source_shape == extent {
            voxels
        } else {
            let size = self.spec.data_type.size();
            pad_into(voxels, source_shape, extent, self.spec.chunk_shape, size, &mut self.padded);
            &self.padded
        };
        if is_fill(full) {
            self.mark_seen(i);
            return Ok(false);
        }
        let before = self.pending.len();
        if let Err(e) = encode_chunk(&self.spec, full, &mut self.pending) {
            self.pending.truncate(before);
            return Err(e);
        }
        self.record(i, self.pending.len() - before);
        Ok(true)
    }

    /// Index position of `position`, or why it cannot be added.
    fn locate(&self, position: [u32; 3]) -> Result<usize, ZarrError> {
        self.spec.chunk_index(position).ok_or_else(|| {
            ZarrError::InvalidArgument(format!(
                "inner chunk {position:?} is outside the {:?} chunks of a shard",
                self.spec.chunks_per_shard
            ))
        })
    }

    fn admit(&self, position: [u32; 3]) -> Result<usize, ZarrError> {
        let i = self.locate(position)?;
        if self.seen[i / 64] & (1 << (i % 64)) != 0 {
            return Err(ZarrError::DuplicateChunk { chunk: position });
        }
        Ok(i)
    }

    fn mark_seen(&mut self, i: usize) {
        self.seen[i / 64] |= 1 << (i % 64);
    }

    /// Enters the `len` bytes just appended to `pending` as chunk `i`.
    fn record(&mut self, i: usize, len: usize) {
        let base = match self.spec.index_location {
            IndexLocation::Start => self.spec.index_bytes(),
            IndexLocation::End => 0,
        };
        let start = base + self.data_len;
        self.index.set(i, start..start + len as u64);
        self.data_len += len as u64;
        self.chunk_count += 1;
        self.mark_seen(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::crc32c::crc32c;
    use crate::zarr::{Compression, LabelType, ZarrShard};

    /// 2x2x2 u8 chunks, 2x1x1 per shard, bytes only.
    fn spec() -> ShardSpec {
        ShardSpec { compression: Compression::None, ..ShardSpec::new([2, 2, 2], [2, 1, 1], LabelType::U8) }
    }

    fn assemble(mut w: ZarrShardWriter) -> Vec<u8> {
        let drained = w.take_pending();
        let done = w.finish();
        let file = [done.head, drained, done.tail].concat();
        assert_eq!(file.len() as u64, done.file_len);
        file
    }

    #[test]
    fn writes_chunks_then_the_index_with_empty_entries_all_ones() {
        let mut w = ZarrShardWriter::new(spec(), [4, 2, 2]).unwrap();
        assert!(w.add_chunk([1, 0, 0], &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap());
        let file = assemble(w);
        let mut expected = vec![1, 2, 3, 4, 5, 6, 7, 8];
        expected.extend([0xff; 16]);
        expected.extend(0u64.to_le_bytes());
        expected.extend(8u64.to_le_bytes());
        let crc = crc32c(&expected[8..]);
        expected.extend(crc.to_le_bytes());
        assert_eq!(file, expected);
    }

    /// FORMATS.md §5.4: uint8 [4, 4] in one shard of 2x2 inner chunks, rows `1 2 3 4 / 5 6 7 8
    /// / 9 10 0 0 / 13 14 0 0`, chunks in C order, as the 3-D array [x 4, y 4, z 1].
    #[test]
    fn matches_the_formats_md_test_vector_at_both_ends() {
        const END: &str = "0102050603040708090a0d0e 0000000000000000 0400000000000000 0400000000000000
            0400000000000000 0800000000000000 0400000000000000 ffffffffffffffff ffffffffffffffff 430bc9df";
        const START: &str =
            "4400000000000000 0400000000000000 4800000000000000 0400000000000000 4c00000000000000
            0400000000000000 ffffffffffffffff ffffffffffffffff c36fbb41 0102050603040708090a0d0e";
        let rows = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 13, 14, 0, 0];
        for (location, expected) in [(IndexLocation::End, END), (IndexLocation::Start, START)] {
            let spec = ShardSpec {
                compression: Compression::None,
                index_location: location,
                ..ShardSpec::new([2, 2, 1], [2, 2, 1], LabelType::U8)
            };
            let mut w = ZarrShardWriter::new(spec, [4, 4, 1]).unwrap();
            for i in 0..spec.chunk_count() {
                let [cx, cy, _] = spec.chunk_position(i).map(|c| 2 * c as usize);
                let chunk =
                    [rows[cx + 4 * cy], rows[cx + 1 + 4 * cy], rows[cx + 4 * cy + 4], rows[cx + 5 + 4 * cy]];
                w.add_chunk(spec.chunk_position(i), &chunk).unwrap();
            }
            assert_eq!(assemble(w), crate::test_util::hex(expected), "{location:?}");
        }
    }

    #[test]
    fn index_at_start_shifts_offsets_past_it() {
        let spec = ShardSpec { index_location: IndexLocation::Start, ..spec() };
        let mut w = ZarrShardWriter::new(spec, [4, 2, 2]).unwrap();
        w.add_chunk([1, 0, 0], &[9; 8]).unwrap();
        w.add_chunk([0, 0, 0], &[7; 8]).unwrap();
        let file = assemble(w);
        assert_eq!(file.len(), 36 + 16);
        let shard = ZarrShard::new(&file, &spec).unwrap();
        assert_eq!(shard.index().chunk_range([1, 0, 0]).unwrap(), Some(36..44));
        assert_eq!(shard.index().chunk_range([0, 0, 0]).unwrap(), Some(44..52));
        assert_eq!(shard.read_chunk([0, 0, 0]).unwrap(), Some(vec![7; 8]));
    }

    #[test]
    fn pads_edge_chunks_with_fill_whatever_the_input_holds_there() {
        // The array ends 3 voxels into the shard along x and 1 along z.
        let mut w = ZarrShardWriter::new(spec(), [3, 2, 1]).unwrap();
        assert_eq!(w.chunk_extent([1, 0, 0]).unwrap(), [1, 2, 1]);
        assert_eq!(w.chunk_extent([0, 0, 0]).unwrap(), [2, 2, 1]);
        w.add_chunk([0, 0, 0], &[1, 2, 3, 4, 50, 60, 70, 80]).unwrap();
        w.add_clipped_chunk([1, 0, 0], &[5, 6]).unwrap();
        let file = assemble(w);
        let shard = ZarrShard::new(&file, &spec()).unwrap();
        assert_eq!(shard.read_chunk([0, 0, 0]).unwrap(), Some(vec![1, 2, 3, 4, 0, 0, 0, 0]));
        assert_eq!(shard.read_chunk([1, 0, 0]).unwrap(), Some(vec![5, 0, 6, 0, 0, 0, 0, 0]));
    }

    #[test]
    fn fill_chunks_are_not_stored() {
        let mut w = ZarrShardWriter::new(spec(), [3, 2, 2]).unwrap();
        assert!(!w.add_chunk([0, 0, 0], &[0; 8]).unwrap());
        // Non-zero only outside the array: fill once padded, as zarr-python sees it.
        assert!(!w.add_chunk([1, 0, 0], &[0, 1, 0, 1, 0, 1, 0, 1]).unwrap());
        assert_eq!(w.chunk_count(), 0);
        assert_eq!(w.add_chunk([0, 0, 0], &[1; 8]).unwrap_err().code(), "DUPLICATE_CHUNK");
        let done = w.finish();
        assert_eq!(done.chunk_count, 0);
        assert_eq!(done.tail.len(), 36);
        assert_eq!(&done.tail[..32], &[0xff; 32]);
    }

    #[test]
    fn output_does_not_depend_on_when_pending_bytes_are_taken() {
        let spec = ShardSpec { compression: Compression::Gzip { level: 6 }, ..spec() };
        let chunks = [([1, 0, 0], [3u8; 8]), ([0, 0, 0], [4u8; 8])];
        let mut at_once = ZarrShardWriter::new(spec, [4, 2, 2]).unwrap();
        let mut streamed = ZarrShardWriter::new(spec, [4, 2, 2]).unwrap();
        let mut file = Vec::new();
        for (p, v) in chunks {
            at_once.add_chunk(p, &v).unwrap();
            streamed.add_chunk(p, &v).unwrap();
            assert_eq!(streamed.pending_len() as u64, streamed.data_len() - file.len() as u64);
            file.extend(streamed.take_pending());
        }
        let done = streamed.finish();
        file.extend(done.tail);
        assert_eq!(file, assemble(at_once));
    }

    #[test]
    fn encoded_chunks_go_in_verbatim() {
        let mut w = ZarrShardWriter::new(spec(), [4, 2, 2]).unwrap();
        w.add_encoded_chunk([0, 0, 0], &[1; 8]).unwrap();
        assert_eq!(w.add_encoded_chunk([1, 0, 0], &[]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(w.add_encoded_chunk([0, 0, 0], &[1; 8]).unwrap_err().code(), "DUPLICATE_CHUNK");
        let file = assemble(w);
        assert_eq!(ZarrShard::new(&file, &spec()).unwrap().read_chunk([0, 0, 0]).unwrap(), Some(vec![1; 8]));
    }

    #[test]
    fn rejects_bad_arguments_without_side_effects() {
        let code = |r: Result<ZarrShardWriter, ZarrError>| r.unwrap_err().code();
        assert_eq!(code(ZarrShardWriter::new(spec(), [5, 2, 2])), "INVALID_ARGUMENT");
        assert_eq!(code(ZarrShardWriter::new(spec(), [4, 0, 2])), "INVALID_ARGUMENT");
        assert_eq!(
            code(ZarrShardWriter::new(ShardSpec { chunk_shape: [0, 2, 2], ..spec() }, [1, 1, 1])),
            "INVALID_ARGUMENT"
        );
        let mut w = ZarrShardWriter::new(spec(), [3, 2, 2]).unwrap();
        assert_eq!(w.add_chunk([2, 0, 0], &[1; 8]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(w.add_chunk([0, 0, 0], &[1; 7]).unwrap_err().code(), "INVALID_ARGUMENT");
        // The clipped chunk at x = 1 is 1x2x2 voxels.
        assert_eq!(w.add_clipped_chunk([1, 0, 0], &[1; 8]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(w.chunk_count(), 0);
        assert_eq!(w.data_len(), 0);
        assert!(w.add_clipped_chunk([1, 0, 0], &[1; 4]).unwrap());
    }
}
