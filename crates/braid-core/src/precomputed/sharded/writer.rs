//! Streaming shard writer: payloads go straight to an output buffer the caller drains, and only
//! a 24-byte index entry per chunk stays in memory until the minishard indexes are written.

use std::collections::HashSet;
use std::ops::Range;

use super::minishard_index::{MinishardEntry, encode_minishard_index};
use super::{Encoding, ShardedError, ShardingSpec};
use crate::compress::{DEFAULT_GZIP_LEVEL, gzip_into};

/// Largest shard index the writer builds (`minishard_bits` up to 26): the whole index is one
/// in-memory buffer, and specs beyond this are not meant for real volumes.
const MAX_SHARD_INDEX_BYTES: u64 = 1 << 30;

/// Arrangement of the data section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShardLayout {
    /// Chunks in any order; all minishard indexes follow all payloads. Needs a chunk-id set
    /// (about 16 more bytes per chunk) to reject duplicates as they arrive.
    ///
    /// Indexes list chunks by ascending id, so payloads written out of id order get negative
    /// (wrapped) offset deltas; TensorStore, neuroglancer and this crate's reader all decode
    /// those modulo 2^64.
    IndexesAtEnd,
    /// TensorStore's arrangement (docs/formats/sharded.md §2.8): chunks must arrive in ascending (minishard,
    /// chunk id) order and each minishard's index follows its payloads. A raw/raw shard is then
    /// byte-identical to TensorStore's.
    TensorStore,
}

/// What remains to be written once all chunks are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedShard {
    /// Bytes to append after everything drained with [`ShardWriter::take_pending`].
    pub tail: Vec<u8>,
    /// The `16 · 2^minishard_bits`-byte shard index, which goes at file offset 0.
    pub index: Vec<u8>,
    /// Chunks written. When 0, no file should be written (and an existing one deleted), as
    /// TensorStore does; `tail` is then empty and `index` all zeros.
    pub chunk_count: u64,
    /// Length of the data section (payloads and minishard indexes); the file is
    /// `index.len() + data_bytes` bytes.
    pub data_bytes: u64,
}

/// Writes one shard file as a stream.
///
/// The file is `index ‖ data section`; the index is only known at the end, so the caller
/// writes the data section from file offset `16 · 2^minishard_bits` as it drains
/// [`ShardWriter::take_pending`], appends [`FinishedShard::tail`] and finally writes
/// [`FinishedShard::index`] at offset 0.
#[derive(Debug)]
pub struct ShardWriter {
    spec: ShardingSpec,
    shard: u64,
    layout: ShardLayout,
    gzip_level: u32,
    pending: Vec<u8>,
    /// Data-section bytes produced so far, drained or not: the next item's offset.
    data_len: u64,
    /// Index entries not yet written: all chunks (IndexesAtEnd) or the open minishard's.
    entries: Vec<MinishardEntry>,
    /// IndexesAtEnd only: every chunk id so far.
    seen: HashSet<u64>,
    /// TensorStore only: the minishard whose entries are in `entries`.
    open_minishard: Option<u64>,
    /// (minishard, chunk id) of the last chunk accepted.
    last: Option<(u64, u64)>,
    /// Range of each written minishard index, relative to the data section.
    index_ranges: Vec<(u64, Range<u64>)>,
    chunk_count: u64,
}

impl ShardWriter {
    /// Starts shard number `shard` of `spec`.
    ///
    /// Fails when the spec is invalid, `shard` does not exist under it or the shard index would
    /// exceed 1 GiB (`minishard_bits` > 26).
    pub fn new(spec: ShardingSpec, shard: u64, layout: ShardLayout) -> Result<Self, ShardedError> {
        spec.validate()?;
        if spec.shard_bits < 64 && shard >> spec.shard_bits != 0 {
            return Err(ShardedError::InvalidArgument(format!(
                "shard {shard} does not exist with shard_bits {}",
                spec.shard_bits
            )));
        }
        if spec.shard_index_bytes() > MAX_SHARD_INDEX_BYTES {
            return Err(ShardedError::InvalidArgument(format!(
                "a shard index of {} bytes (minishard_bits {}) is too large to build in memory",
                spec.shard_index_bytes(),
                spec.minishard_bits
            )));
        }
        Ok(ShardWriter {
            spec,
            shard,
            layout,
            gzip_level: DEFAULT_GZIP_LEVEL,
            pending: Vec::new(),
            data_len: 0,
            entries: Vec::new(),
            seen: HashSet::new(),
            open_minishard: None,
            last: None,
            index_ranges: Vec::new(),
            chunk_count: 0,
        })
    }

    /// Sets the gzip level (0–9) for gzip payloads and minishard indexes; the default is
    /// [`DEFAULT_GZIP_LEVEL`] (TensorStore uses 9). gzip bytes are never byte-comparable across
    /// deflate libraries, so this only trades speed for size.
    pub fn with_gzip_level(mut self, level: u32) -> Result<Self, ShardedError> {
        crate::compress::check_gzip_level(level)?;
        self.gzip_level = level;
        Ok(self)
    }

    /// Adds a chunk, applying the spec's `data_encoding` to `payload`.
    ///
    /// Fails with [`ShardedError::ChunkNotInShard`], [`ShardedError::DuplicateChunk`] or, in the
    /// TensorStore layout, [`ShardedError::OutOfOrder`]; a rejected chunk leaves the writer
    /// unchanged.
    pub fn add_chunk(&mut self, chunk_id: u64, payload: &[u8]) -> Result<(), ShardedError> {
        self.add(chunk_id, payload, self.spec.data_encoding)
    }

    /// Adds a chunk whose bytes are already encoded with the spec's `data_encoding` (e.g.
    /// gzipped on another thread); errors as [`ShardWriter::add_chunk`].
    pub fn add_encoded_chunk(&mut self, chunk_id: u64, encoded: &[u8]) -> Result<(), ShardedError> {
        self.add(chunk_id, encoded, Encoding::Raw)
    }

    /// Bytes of the data section produced but not yet taken.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Takes the data-section bytes produced since the last call; they follow the previously
    /// taken bytes in the file.
    pub fn take_pending(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }

    /// Data-section bytes produced so far, taken or not.
    pub fn data_len(&self) -> u64 {
        self.data_len
    }

    /// Chunks accepted so far.
    pub fn chunk_count(&self) -> u64 {
        self.chunk_count
    }

    /// Writes the outstanding minishard indexes and builds the shard index.
    pub fn finish(mut self) -> Result<FinishedShard, ShardedError> {
        match self.layout {
            ShardLayout::TensorStore => self.close_open_minishard()?,
            ShardLayout::IndexesAtEnd => {
                // The id set has done its job; free it before the sort needs memory.
                self.seen = HashSet::new();
                let mut entries = std::mem::take(&mut self.entries);
                let spec = self.spec;
                entries.sort_unstable_by_key(|e| (spec.locate(e.chunk_id).minishard, e.chunk_id));
                let minishard_of = |e: &MinishardEntry| spec.locate(e.chunk_id).minishard;
                for group in entries.chunk_by(|a, b| minishard_of(a) == minishard_of(b)) {
                    if let Some(first) = group.first() {
                        self.write_minishard_index(minishard_of(first), group)?;
                    }
                }
            }
        }
        // new() capped the index size, so it fits in usize.
        let mut index = vec![0u8; self.spec.shard_index_bytes() as usize];
        for (minishard, range) in &self.index_ranges {
            let at = *minishard as usize * 16;
            index[at..at + 8].copy_from_slice(&range.start.to_le_bytes());
            index[at + 8..at + 16].copy_from_slice(&range.end.to_le_bytes());
        }
        Ok(FinishedShard {
            tail: std::mem::take(&mut self.pending),
            index,
            chunk_count: self.chunk_count,
            data_bytes: self.data_len,
        })
    }

    fn add(&mut self, chunk_id: u64, bytes: &[u8], encoding: Encoding) -> Result<(), ShardedError> {
        let minishard = self.admit(chunk_id)?;
        if self.layout == ShardLayout::TensorStore && self.open_minishard != Some(minishard) {
            self.close_open_minishard()?;
            self.open_minishard = Some(minishard);
        }
        let range = self.append(|out, level| match encoding {
            Encoding::Raw => {
                out.extend_from_slice(bytes);
                Ok(())
            }
            Encoding::Gzip => Ok(gzip_into(bytes, level, out)?),
        })?;
        self.entries.push(MinishardEntry { chunk_id, range });
        if self.layout == ShardLayout::IndexesAtEnd {
            self.seen.insert(chunk_id);
        }
        self.last = Some((minishard, chunk_id));
        self.chunk_count += 1;
        Ok(())
    }

    /// Checks that `chunk_id` may be added now, returning its minishard.
    fn admit(&self, chunk_id: u64) -> Result<u64, ShardedError> {
        let location = self.spec.locate(chunk_id);
        if location.shard != self.shard {
            return Err(ShardedError::ChunkNotInShard {
                chunk_id,
                chunk_shard: location.shard,
                shard: self.shard,
            });
        }
        let minishard = location.minishard;
        match self.layout {
            ShardLayout::IndexesAtEnd if self.seen.contains(&chunk_id) => {
                Err(ShardedError::DuplicateChunk { chunk_id })
            }
            ShardLayout::TensorStore => {
                let key = (minishard, chunk_id);
                match self.last {
                    Some(last) if last == key => Err(ShardedError::DuplicateChunk { chunk_id }),
                    // A closed minishard cannot be reopened even if its last chunk failed to
                    // encode, hence the check against the open minishard too.
                    Some((previous_minishard, previous_chunk_id))
                        if key < (previous_minishard, previous_chunk_id)
                            || self.open_minishard.is_some_and(|open| minishard < open) =>
                    {
                        Err(ShardedError::OutOfOrder {
                            chunk_id,
                            minishard,
                            previous_chunk_id,
                            previous_minishard,
                        })
                    }
                    _ => Ok(minishard),
                }
            }
            ShardLayout::IndexesAtEnd => Ok(minishard),
        }
    }

    fn close_open_minishard(&mut self) -> Result<(), ShardedError> {
        let entries = std::mem::take(&mut self.entries);
        match self.open_minishard {
            Some(minishard) if !entries.is_empty() => self.write_minishard_index(minishard, &entries),
            _ => Ok(()),
        }
    }

    fn write_minishard_index(
        &mut self,
        minishard: u64,
        entries: &[MinishardEntry],
    ) -> Result<(), ShardedError> {
        let encoding = self.spec.minishard_index_encoding;
        let range = self.append(|out, level| encode_minishard_index(entries, encoding, level, out))?;
        self.index_ranges.push((minishard, range));
        Ok(())
    }

    /// Runs `write` on the pending buffer and returns the data-section range it produced; on
    /// failure the buffer is rolled back so the writer stays consistent.
    fn append(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>, u32) -> Result<(), ShardedError>,
    ) -> Result<Range<u64>, ShardedError> {
        let before = self.pending.len();
        let result = write(&mut self.pending, self.gzip_level).and_then(|()| {
            let written = (self.pending.len() - before) as u64;
            self.data_len
                .checked_add(written)
                .ok_or_else(|| ShardedError::InvalidArgument("shard data section exceeds 2^64 bytes".into()))
        });
        match result {
            Ok(end) => {
                let range = self.data_len..end;
                self.data_len = end;
                Ok(range)
            }
            Err(e) => {
                self.pending.truncate(before);
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precomputed::sharded::ShardFile;
    use crate::test_util::hex;

    /// TensorStore's `ShardEncoderTest.Raw` (sharded.md §2.10 a).
    const TS_RAW_SHARD: &str = "
        0700000000000000370000000000000039000000000000005100000000000000
        0102030406070802000000000000000600000000000000000000000000000000
        0000000000000004000000000000000300000000000000090a03000000000000
        0037000000000000000200000000000000";

    fn assemble(writer: ShardWriter) -> Vec<u8> {
        let mut writer = writer;
        let drained = writer.take_pending();
        let done = writer.finish().unwrap();
        assert_eq!(done.data_bytes, (drained.len() + done.tail.len()) as u64);
        [done.index, drained, done.tail].concat()
    }

    fn ts_chunks() -> [(u64, Vec<u8>); 3] {
        [(2, vec![1, 2, 3, 4]), (8, vec![6, 7, 8]), (3, vec![9, 10])]
    }

    #[test]
    fn tensorstore_layout_matches_the_tensorstore_shard_byte_for_byte() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let mut w = ShardWriter::new(spec, 0, ShardLayout::TensorStore).unwrap();
        for (id, payload) in ts_chunks() {
            w.add_chunk(id, &payload).unwrap();
        }
        assert_eq!(w.chunk_count(), 3);
        let file = assemble(w);
        assert_eq!(file.len(), 113);
        assert_eq!(file, hex(TS_RAW_SHARD));
    }

    #[test]
    fn output_does_not_depend_on_when_pending_bytes_are_taken() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let mut w = ShardWriter::new(spec, 0, ShardLayout::TensorStore).unwrap();
        let mut file = Vec::new();
        for (id, payload) in ts_chunks() {
            w.add_chunk(id, &payload).unwrap();
            assert_eq!(w.pending_len() as u64, w.data_len() - file.len() as u64);
            file.extend(w.take_pending());
            assert_eq!(w.pending_len(), 0);
        }
        let done = w.finish().unwrap();
        file.extend(done.tail);
        assert_eq!([done.index, file].concat(), hex(TS_RAW_SHARD));
    }

    #[test]
    fn indexes_at_end_layout_reads_back_in_any_order() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let mut w = ShardWriter::new(spec, 0, ShardLayout::IndexesAtEnd).unwrap();
        for (id, payload) in [(8, vec![6, 7, 8]), (3, vec![9, 10]), (2, vec![1, 2, 3, 4])] {
            w.add_chunk(id, &payload).unwrap();
        }
        let file = assemble(w);
        // Payloads first, in arrival order, then both indexes.
        assert_eq!(&file[32..41], &[6, 7, 8, 9, 10, 1, 2, 3, 4]);
        assert_eq!(file.len(), 32 + 9 + 48 + 24);
        let shard = ShardFile::new(&file, &spec).unwrap();
        for (id, payload) in ts_chunks() {
            assert_eq!(shard.read_chunk(id).unwrap(), Some(payload));
        }
        assert_eq!(shard.chunk_ids().collect::<Vec<_>>(), vec![2, 8, 3]);
    }

    #[test]
    fn tensorstore_layout_rejects_out_of_order_chunks() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let mut w = ShardWriter::new(spec, 0, ShardLayout::TensorStore).unwrap();
        w.add_chunk(8, b"a").unwrap();
        // 2 is in the same minishard (0) but below 8.
        let err = w.add_chunk(2, b"b").unwrap_err();
        assert!(
            matches!(
                err,
                ShardedError::OutOfOrder {
                    chunk_id: 2,
                    minishard: 0,
                    previous_chunk_id: 8,
                    previous_minishard: 0
                }
            ),
            "{err}"
        );
        assert_eq!(err.code(), "CHUNK_OUT_OF_ORDER");
        w.add_chunk(3, b"c").unwrap();
        // Minishard 0 is closed once minishard 1 started.
        assert_eq!(w.add_chunk(10, b"d").unwrap_err().code(), "CHUNK_OUT_OF_ORDER");
        assert_eq!(w.add_chunk(3, b"e").unwrap_err().code(), "DUPLICATE_CHUNK");
        let done = w.finish().unwrap();
        assert_eq!(done.chunk_count, 2);
    }

    #[test]
    fn rejects_duplicates_and_foreign_chunks_without_side_effects() {
        let spec = ShardingSpec::identity(1, 1, 2);
        let mut w = ShardWriter::new(spec, 3, ShardLayout::IndexesAtEnd).unwrap();
        // Shard = bits 2..4 of the id.
        w.add_chunk(0b1100, b"x").unwrap();
        let before = w.data_len();
        let err = w.add_chunk(0b1100, b"y").unwrap_err();
        assert!(matches!(err, ShardedError::DuplicateChunk { chunk_id: 12 }), "{err}");
        let err = w.add_chunk(0b0100, b"z").unwrap_err();
        assert!(
            matches!(err, ShardedError::ChunkNotInShard { chunk_id: 4, chunk_shard: 1, shard: 3 }),
            "{err}"
        );
        assert_eq!(err.code(), "CHUNK_NOT_IN_SHARD");
        assert_eq!(w.data_len(), before);
        assert_eq!(w.chunk_count(), 1);
    }

    #[test]
    fn zero_chunks_give_an_empty_result() {
        for layout in [ShardLayout::IndexesAtEnd, ShardLayout::TensorStore] {
            let done =
                ShardWriter::new(ShardingSpec::identity(0, 2, 0), 0, layout).unwrap().finish().unwrap();
            assert_eq!(done.chunk_count, 0);
            assert_eq!(done.data_bytes, 0);
            assert!(done.tail.is_empty());
            assert_eq!(done.index, vec![0u8; 64]);
        }
    }

    #[test]
    fn rejects_bad_arguments() {
        let code = |r: Result<ShardWriter, ShardedError>| r.unwrap_err().code();
        assert_eq!(
            code(ShardWriter::new(ShardingSpec::identity(0, 0, 2), 4, ShardLayout::TensorStore)),
            "INVALID_ARGUMENT"
        );
        assert_eq!(
            code(ShardWriter::new(ShardingSpec::identity(0, 40, 0), 0, ShardLayout::TensorStore)),
            "SHARD_SPEC_INVALID"
        );
        assert_eq!(
            code(ShardWriter::new(ShardingSpec::identity(0, 27, 0), 0, ShardLayout::TensorStore)),
            "INVALID_ARGUMENT"
        );
        let w =
            ShardWriter::new(ShardingSpec::identity(0, 0, 64), u64::MAX, ShardLayout::TensorStore).unwrap();
        assert_eq!(code(w.with_gzip_level(10)), "INVALID_ARGUMENT");
    }

    #[test]
    fn gzip_encodings_round_trip() {
        let spec = ShardingSpec {
            data_encoding: Encoding::Gzip,
            minishard_index_encoding: Encoding::Gzip,
            ..ShardingSpec::identity(0, 1, 0)
        };
        let mut w = ShardWriter::new(spec, 0, ShardLayout::TensorStore).unwrap().with_gzip_level(9).unwrap();
        for (id, payload) in ts_chunks() {
            w.add_chunk(id, &payload).unwrap();
        }
        let pre = crate::compress::gzip(b"already", 1).unwrap();
        w.add_encoded_chunk(5, &pre).unwrap();
        let file = assemble(w);
        // TensorStore's gzip header: mtime 0, XFL 2 at level 9, OS 3.
        assert_eq!(&file[32..42], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
        let shard = ShardFile::new(&file, &spec).unwrap();
        for (id, payload) in ts_chunks() {
            assert_eq!(shard.read_chunk(id).unwrap(), Some(payload));
        }
        assert_eq!(shard.read_chunk(5).unwrap(), Some(b"already".to_vec()));
        assert_eq!(shard.encoded_chunk(5), Some(&pre[..]));
        assert_eq!(shard.read_chunk(4).unwrap(), None);
    }
}
