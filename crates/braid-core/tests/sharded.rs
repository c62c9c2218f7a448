//! Whole-shard tests of the sharded writer and readers: the docs/formats/sharded.md §2.10 byte vectors, round
//! trips of random chunk sets through both layouts and encodings, and malformed files.

// One module so `cargo test -- sharded` selects these tests by name too.
mod sharded {
    use braid_core::precomputed::ChunkGrid;
    use braid_core::precomputed::sharded::{
        Encoding, MinishardEntry, MinishardIndex, ShardFile, ShardGeometry, ShardLayout, ShardWriter,
        ShardedError, ShardingSpec, decode_minishard_index, decode_shard_index, encode_minishard_index,
    };
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn with_encodings(spec: ShardingSpec, index: Encoding, data: Encoding) -> ShardingSpec {
        ShardingSpec { minishard_index_encoding: index, data_encoding: data, ..spec }
    }

    /// Writes `chunks` (in the given order) into `shard` and returns the file, or `None` for an
    /// empty shard. Drains pending bytes every few chunks, as a streaming caller would.
    fn write_shard(
        spec: ShardingSpec,
        shard: u64,
        layout: ShardLayout,
        chunks: &[(u64, Vec<u8>)],
    ) -> Option<Vec<u8>> {
        let mut writer = ShardWriter::new(spec, shard, layout).unwrap();
        let mut data = Vec::new();
        for (i, (id, payload)) in chunks.iter().enumerate() {
            writer.add_chunk(*id, payload).unwrap();
            if i % 3 == 0 {
                data.extend(writer.take_pending());
            }
        }
        let done = writer.finish().unwrap();
        data.extend(done.tail);
        assert_eq!(done.data_bytes, data.len() as u64);
        assert_eq!(done.chunk_count, chunks.len() as u64);
        (done.chunk_count > 0).then(|| [done.index, data].concat())
    }

    const TS_RAW_SHARD: &str = "
    0700000000000000370000000000000039000000000000005100000000000000
    0102030406070802000000000000000600000000000000000000000000000000
    0000000000000004000000000000000300000000000000090a03000000000000
    0037000000000000000200000000000000";

    #[test]
    fn reads_the_tensorstore_raw_shard() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let file = hex(TS_RAW_SHARD);
        assert_eq!(decode_shard_index(&file, &spec).unwrap(), vec![7..55, 57..81]);
        let shard = ShardFile::new(&file, &spec).unwrap();
        assert_eq!(shard.chunk_ids().collect::<Vec<_>>(), vec![2, 8, 3]);
        assert_eq!(shard.chunk_count(), 3);
        assert_eq!(shard.read_chunk(2).unwrap(), Some(vec![1, 2, 3, 4]));
        assert_eq!(shard.read_chunk(8).unwrap(), Some(vec![6, 7, 8]));
        assert_eq!(shard.read_chunk(3).unwrap(), Some(vec![9, 10]));
        assert_eq!(shard.read_chunk(4).unwrap(), None);
        let ms0 = shard.minishard_index(0).unwrap();
        assert_eq!(ms0.find(8), Some(36..39), "absolute offsets");
        let ms1 = MinishardIndex::decode(&file[89..113], &spec, 1).unwrap();
        assert_eq!(ms1.iter().map(|e| (e.chunk_id, e.range.clone())).collect::<Vec<_>>(), vec![(3, 87..89)]);
    }

    /// Labels of the sharded.md §2.10(b) tiny volume: voxel (0,0,0) is 7, chunk (1,1,1) is all 0 and every
    /// other voxel is 1 + the id of its 2×2×2 chunk.
    fn tiny_chunk_payload(grid: &ChunkGrid, g: [u64; 3]) -> Option<Vec<u8>> {
        let id = grid.chunk_id(g).unwrap();
        if g == [1, 1, 1] {
            return None;
        }
        let mut labels = [id + 1; 8];
        if g == [0, 0, 0] {
            labels[0] = 7;
        }
        let words =
            braid_core::precomputed::compressed_segmentation::encode::<u64>(&labels, [2, 2, 2], 1, [2, 2, 2])
                .unwrap();
        Some(words.iter().flat_map(|w| w.to_le_bytes()).collect())
    }

    const TINY_SHARD_0: &str = "
    340000000000000064000000000000008c00000000000000bc00000000000000
    0100000003000001020000000100000001000000000000000700000000000000
    0100000002000000020000000200000000000000000000000000000001000000
    0000000000000000000000000000000000000000200000000000000014000000
    0000000001000000020000000200000003000000000000000100000002000000
    0200000004000000000000000200000000000000010000000000000064000000
    00000000000000000000000014000000000000001400000000000000";

    const TINY_SHARD_1: &str = "
    280000000000000058000000000000006c000000000000008400000000000000
    0100000002000000020000000500000000000000010000000200000002000000
    0600000000000000040000000000000001000000000000000000000000000000
    0000000000000000140000000000000014000000000000000100000002000000
    0200000007000000000000000600000000000000580000000000000014000000
    00000000";

    #[test]
    fn writes_the_tiny_volume_shards_byte_for_byte() {
        let grid = ChunkGrid::new([4, 4, 4], [2, 2, 2]).unwrap();
        let spec = ShardingSpec::identity(1, 1, 1);
        let geometry = ShardGeometry::new(&spec, &grid).unwrap();
        assert_eq!(geometry.shards().collect::<Vec<_>>(), vec![0, 1]);
        let expected = [hex(TINY_SHARD_0), hex(TINY_SHARD_1)];
        assert_eq!((expected[0].len(), expected[1].len()), (220, 164));
        for (shard, expected) in (0u64..).zip(expected) {
            assert_eq!(spec.shard_file_name(shard), format!("{shard}.shard"));
            // Ascending ids within an identity-hashed box are already (minishard, id) order.
            let chunks: Vec<(u64, Vec<u8>)> = geometry
                .chunk_ids_in_shard(shard)
                .filter_map(|id| tiny_chunk_payload(&grid, grid.chunk_coords(id).unwrap()).map(|p| (id, p)))
                .collect();
            let file = write_shard(spec, shard, ShardLayout::TensorStore, &chunks).unwrap();
            assert_eq!(file, expected, "shard {shard}");

            let read = ShardFile::new(&expected, &spec).unwrap();
            for (id, payload) in &chunks {
                assert_eq!(read.read_chunk(*id).unwrap().as_ref(), Some(payload));
            }
            let other = write_shard(spec, shard, ShardLayout::IndexesAtEnd, &chunks).unwrap();
            assert_eq!(other.len(), expected.len());
            let other = ShardFile::new(&other, &spec).unwrap();
            assert_eq!(other.chunk_ids().collect::<Vec<_>>(), read.chunk_ids().collect::<Vec<_>>());
        }
        assert_eq!(
            tiny_chunk_payload(&grid, [0, 0, 0]).unwrap(),
            hex("0100000003000001020000000100000001000000000000000700000000000000")
        );
    }

    /// A random shard: spec bits, a shard number and distinct chunk ids of that shard with
    /// payloads (some empty).
    fn shard_case() -> impl Strategy<Value = (ShardingSpec, u64, Vec<(u64, Vec<u8>)>)> {
        (0u32..4, 0u32..4, 0u32..4, any::<bool>()).prop_flat_map(|(p, m, s, murmur)| {
            let mut spec = ShardingSpec::identity(p, m, s);
            if murmur {
                spec.hash = braid_core::precomputed::sharded::HashFunction::MurmurHash3X86_128;
            }
            let shard = 0..spec.num_shards();
            let chunks =
                prop::collection::vec((0u64..1 << 12, prop::collection::vec(any::<u8>(), 0..40)), 0..60);
            (Just(spec), shard, chunks).prop_map(|(spec, shard, chunks)| {
                let mut seen = std::collections::HashSet::new();
                let chunks = chunks
                    .into_iter()
                    .filter(|(id, _)| spec.locate(*id).shard == shard && seen.insert(*id))
                    .collect();
                (spec, shard, chunks)
            })
        })
    }

    /// sharded.md §2.8 step by step for raw/raw: per minishard in order, its payloads then its index; the
    /// shard index records each minishard index's range; no chunks, no file (empty here).
    fn reference_tensorstore_shard(spec: &ShardingSpec, sorted: &[(u64, Vec<u8>)]) -> Vec<u8> {
        if sorted.is_empty() {
            return Vec::new();
        }
        let mut index = vec![0u8; spec.shard_index_bytes() as usize];
        let mut data = Vec::new();
        for group in sorted.chunk_by(|a, b| spec.locate(a.0).minishard == spec.locate(b.0).minishard) {
            let entries: Vec<MinishardEntry> = group
                .iter()
                .map(|(id, payload)| {
                    let start = data.len() as u64;
                    data.extend_from_slice(payload);
                    MinishardEntry { chunk_id: *id, range: start..data.len() as u64 }
                })
                .collect();
            let start = data.len() as u64;
            encode_minishard_index(&entries, Encoding::Raw, 6, &mut data).unwrap();
            let at = spec.locate(group[0].0).minishard as usize * 16;
            put64(&mut index, at, start);
            put64(&mut index, at + 8, data.len() as u64);
        }
        [index, data].concat()
    }

    fn encodings() -> [(Encoding, Encoding); 4] {
        [
            (Encoding::Raw, Encoding::Raw),
            (Encoding::Raw, Encoding::Gzip),
            (Encoding::Gzip, Encoding::Raw),
            (Encoding::Gzip, Encoding::Gzip),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn random_shards_round_trip_through_both_layouts((spec, shard, chunks) in shard_case()) {
            let mut sorted = chunks.clone();
            sorted.sort_by_key(|(id, _)| (spec.locate(*id).minishard, *id));
            for (index_encoding, data_encoding) in encodings() {
                let spec = with_encodings(spec, index_encoding, data_encoding);
                for (layout, input) in [(ShardLayout::IndexesAtEnd, &chunks), (ShardLayout::TensorStore, &sorted)] {
                    let Some(file) = write_shard(spec, shard, layout, input) else {
                        prop_assert!(chunks.is_empty());
                        continue;
                    };
                    let read = ShardFile::new(&file, &spec).unwrap();
                    prop_assert_eq!(read.chunk_count(), chunks.len());
                    let mut ids: Vec<u64> = read.chunk_ids().collect();
                    ids.sort_unstable();
                    let mut expected: Vec<u64> = chunks.iter().map(|c| c.0).collect();
                    expected.sort_unstable();
                    prop_assert_eq!(ids, expected);
                    for (id, payload) in &chunks {
                        prop_assert_eq!(read.read_chunk(*id).unwrap(), Some(payload.clone()));
                    }
                    // An id of this shard that was not written reads as missing.
                    if let Some(absent) = (0u64..1 << 13).find(|id| {
                        spec.locate(*id).shard == shard && !chunks.iter().any(|c| c.0 == *id)
                    }) {
                        prop_assert_eq!(read.read_chunk(absent).unwrap(), None);
                    }
                }
            }
        }

        #[test]
        fn tensorstore_layout_follows_the_tensorstore_recipe((spec, shard, chunks) in shard_case()) {
            let mut sorted = chunks;
            sorted.sort_by_key(|(id, _)| (spec.locate(*id).minishard, *id));
            let ts = write_shard(spec, shard, ShardLayout::TensorStore, &sorted);
            let at_end = write_shard(spec, shard, ShardLayout::IndexesAtEnd, &sorted);
            prop_assert_eq!(ts.as_ref().map(Vec::len), at_end.as_ref().map(Vec::len));
            prop_assert_eq!(ts.unwrap_or_default(), reference_tensorstore_shard(&spec, &sorted));
        }

        #[test]
        fn readers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400), m in 0u32..3, gz in any::<bool>()) {
            let encoding = if gz { Encoding::Gzip } else { Encoding::Raw };
            let spec = with_encodings(ShardingSpec::identity(0, m, 2), encoding, encoding);
            let _ = decode_shard_index(&bytes, &spec);
            let _ = decode_minishard_index(&bytes, encoding, 0);
            let _ = MinishardIndex::decode(&bytes, &spec, 0);
            if let Ok(file) = ShardFile::new(&bytes, &spec) {
                let ids: Vec<u64> = file.chunk_ids().collect();
                for id in ids {
                    let _ = file.read_chunk(id);
                }
            }
        }
    }

    fn corrupt_code(file: &[u8], spec: &ShardingSpec) -> ShardedError {
        let err = ShardFile::new(file, spec).unwrap_err();
        assert_eq!(err.code(), "SHARD_CORRUPT", "{err}");
        err
    }

    fn put64(file: &mut [u8], at: usize, v: u64) {
        file[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn rejects_truncated_shard_indexes() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let file = hex(TS_RAW_SHARD);
        for len in [1, 16, 31] {
            let err = corrupt_code(&file[..len], &spec);
            assert!(matches!(err, ShardedError::ShardIndexTruncated { expected: 32, .. }), "{err}");
            assert!(decode_shard_index(&file[..len], &spec).is_err());
        }
        // Empty input is an empty shard (TensorStore's rule), not an error.
        assert_eq!(ShardFile::new(&[], &spec).unwrap().chunk_count(), 0);
        // Every other truncation is caught by some range check.
        for len in 32..file.len() {
            assert!(ShardFile::new(&file[..len], &spec).is_err(), "len {len}");
        }
    }

    #[test]
    fn rejects_bad_shard_index_ranges() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let mut file = hex(TS_RAW_SHARD);
        put64(&mut file, 16, 90);
        let err = corrupt_code(&file, &spec);
        assert!(matches!(err, ShardedError::InvalidIndexRange { minishard: 1, start: 90, end: 81 }), "{err}");

        let mut file = hex(TS_RAW_SHARD);
        put64(&mut file, 24, u64::MAX);
        let err = corrupt_code(&file, &spec);
        assert!(matches!(err, ShardedError::InvalidIndexRange { minishard: 1, .. }), "{err}");

        let mut file = hex(TS_RAW_SHARD);
        put64(&mut file, 24, 81 + 24);
        put64(&mut file, 16, 81);
        let err = corrupt_code(&file, &spec);
        assert!(
            matches!(
                err,
                ShardedError::MinishardIndexPastEnd { minishard: 1, start: 113, end: 137, file_len: 113 }
            ),
            "{err}"
        );
    }

    #[test]
    fn rejects_minishard_indexes_of_bad_length() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let mut file = hex(TS_RAW_SHARD);
        put64(&mut file, 8, 54);
        let err = corrupt_code(&file, &spec);
        assert!(matches!(err, ShardedError::MinishardIndexLength { minishard: 0, len: 47 }), "{err}");
    }

    #[test]
    fn rejects_chunks_past_the_end_and_overflowing_ranges() {
        let spec = ShardingSpec::identity(0, 1, 0);
        // Minishard 1's index is at 89..113: [id 3][offset 55][size 2]; grow the size.
        let mut file = hex(TS_RAW_SHARD);
        put64(&mut file, 105, 100);
        let err = corrupt_code(&file, &spec);
        assert!(
            matches!(err, ShardedError::ChunkPastEnd { chunk_id: 3, start: 87, end: 187, file_len: 113 }),
            "{err}"
        );

        let mut file = hex(TS_RAW_SHARD);
        put64(&mut file, 97, u64::MAX - 1);
        let err = corrupt_code(&file, &spec);
        assert!(matches!(err, ShardedError::InvalidChunkRange { minishard: 1, chunk_id: 3 }), "{err}");
    }

    #[test]
    fn rejects_duplicate_ids_in_a_minishard() {
        let spec = ShardingSpec::identity(0, 1, 0);
        // Minishard 0's index is at 39..87 with id deltas [2, 6]; make the second delta 0.
        let mut file = hex(TS_RAW_SHARD);
        put64(&mut file, 47, 0);
        let err = corrupt_code(&file, &spec);
        assert!(matches!(err, ShardedError::DuplicateIndexEntry { minishard: 0, chunk_id: 2 }), "{err}");
    }

    #[test]
    fn rejects_bad_gzip() {
        let chunks: Vec<(u64, Vec<u8>)> = vec![(2, vec![1, 2, 3, 4]), (8, vec![6, 7, 8]), (3, vec![9, 10])];
        let mut sorted = chunks.clone();
        sorted.sort_by_key(|c| (c.0 & 1, c.0));

        // A gzipped minishard index that is really raw.
        let raw_index = with_encodings(ShardingSpec::identity(0, 1, 0), Encoding::Raw, Encoding::Raw);
        let file = write_shard(raw_index, 0, ShardLayout::TensorStore, &sorted).unwrap();
        let as_gzip = with_encodings(raw_index, Encoding::Gzip, Encoding::Raw);
        let err = corrupt_code(&file, &as_gzip);
        assert!(matches!(err, ShardedError::MinishardIndexEncoding { minishard: 0, .. }), "{err}");

        // A corrupted gzipped minishard index: flip a CRC byte (the 8 bytes before index 1).
        let gz = with_encodings(raw_index, Encoding::Gzip, Encoding::Gzip);
        let mut file = write_shard(gz, 0, ShardLayout::TensorStore, &sorted).unwrap();
        let ranges = decode_shard_index(&file, &gz).unwrap();
        let crc_at = 32 + ranges[0].end as usize - 8;
        file[crc_at] ^= 0xff;
        let err = corrupt_code(&file, &gz);
        assert!(matches!(err, ShardedError::MinishardIndexEncoding { minishard: 0, .. }), "{err}");

        // Raw payloads read as gzip fail per chunk, at read time.
        let as_gzip_data = with_encodings(raw_index, Encoding::Raw, Encoding::Gzip);
        let file = write_shard(raw_index, 0, ShardLayout::TensorStore, &sorted).unwrap();
        let read = ShardFile::new(&file, &as_gzip_data).unwrap();
        let err = read.read_chunk(8).unwrap_err();
        assert!(matches!(err, ShardedError::ChunkEncoding { chunk_id: 8, .. }), "{err}");
        assert_eq!(err.code(), "SHARD_CORRUPT");
        assert_eq!(read.encoded_chunk(8), Some(&[6u8, 7, 8][..]));
    }

    #[test]
    fn single_byte_corruption_never_panics() {
        let spec = ShardingSpec::identity(0, 1, 0);
        let file = hex(TS_RAW_SHARD);
        for at in 0..file.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = file.clone();
                bad[at] ^= flip;
                if let Ok(read) = ShardFile::new(&bad, &spec) {
                    let ids: Vec<u64> = read.chunk_ids().collect();
                    for id in ids {
                        read.read_chunk(id).unwrap();
                    }
                }
            }
        }
    }

    #[test]
    fn errors_convert_into_the_crate_error() {
        let err: braid_core::Error =
            ShardFile::new(&[0u8; 3], &ShardingSpec::identity(0, 0, 0)).unwrap_err().into();
        assert_eq!(err.code(), "SHARD_CORRUPT");
        let err: braid_core::Error = ShardingSpec::identity(0, 33, 0).validate().unwrap_err().into();
        assert_eq!(err.code(), "SHARD_SPEC_INVALID");
    }
}
