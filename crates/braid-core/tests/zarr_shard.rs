//! Whole arrays through braid's zarr shard writer and reader: every edge case of
//! `zarr_common::cases()` reads back voxel-exactly, with zarr's padding and empty-chunk rules.

mod zarr_common;

use braid_core::zarr::{
    Compression, IndexLocation, LabelType, ShardSpec, ZarrShard, ZarrShardWriter, zarr_python_chunk_order,
};
use zarr_common::{cases, check_shard, shard_of_key, shards, volume, write_braid_array};

#[test]
fn every_case_reads_back_voxel_exactly_with_fill_chunks_left_out() {
    for case in cases() {
        let volume = volume(&case);
        let (files, empty) = write_braid_array(&case, &volume);
        assert_eq!(files.len() + empty, shards(&case.grid()).len(), "{}", case.name);
        for (key, file) in &files {
            check_shard(&case, &volume, shard_of_key(key), file);
        }
        // A shard is left out exactly when its part of the array is all fill.
        let any_data = |shard: [u64; 3]| {
            let extent = case.grid().shard_extent(shard).unwrap();
            let origin = zarr_common::chunk_origin(&case.spec, shard, [0, 0, 0]);
            zarr_common::extract(&case, &volume, origin, extent).iter().any(|&b| b != 0)
        };
        let written: Vec<String> = files.iter().map(|(k, _)| k.clone()).collect();
        let with_data: Vec<String> = shards(&case.grid())
            .into_iter()
            .filter(|&s| any_data(s))
            .map(|s| case.grid().shard_key(s))
            .collect();
        assert_eq!(written, with_data, "{}", case.name);
    }
}

#[test]
fn the_edge_cases_cover_what_they_claim() {
    let by_name = |name: &str| cases().into_iter().find(|c| c.name == name).unwrap();
    // Shapes not divisible by the inner chunk, so edge chunks are padded.
    let edges = by_name("u64-bytes-edges");
    assert!((0..3).any(|a| edge_remainder(&edges, a) != 0));
    let all_empty = by_name("u32-all-empty");
    let (files, empty) = write_braid_array(&all_empty, &volume(&all_empty));
    assert!(files.is_empty());
    assert_eq!(empty, 8);
    let partly = by_name("u64-zstd-edges");
    let (_, empty) = write_braid_array(&partly, &volume(&partly));
    assert_eq!(empty, 4, "the x >= 32 shard column is empty");
    let types: Vec<LabelType> = cases().iter().map(|c| c.spec.data_type).collect();
    for t in [LabelType::U8, LabelType::U16, LabelType::U32, LabelType::U64] {
        assert!(types.contains(&t), "{t:?}");
    }
}

fn edge_remainder(case: &zarr_common::Case, axis: usize) -> u64 {
    case.shape[axis] % u64::from(case.spec.chunk_shape[axis])
}

#[test]
fn index_is_c_order_while_data_follows_arrival_order() {
    let spec =
        ShardSpec { compression: Compression::None, ..ShardSpec::new([2, 2, 2], [3, 2, 2], LabelType::U16) };
    let mut writer = ZarrShardWriter::new(spec, spec.shard_shape()).unwrap();
    let order = zarr_python_chunk_order(spec.chunks_per_shard);
    for (n, &position) in order.iter().enumerate() {
        writer.add_chunk(position, &vec![n as u8 + 1; spec.chunk_bytes()]).unwrap();
    }
    let drained = writer.take_pending();
    let done = writer.finish();
    let file = [drained, done.tail].concat();
    let shard = ZarrShard::new(&file, &spec).unwrap();
    let stored: Vec<([u32; 3], std::ops::Range<u64>)> = shard.index().stored().collect();
    // Index order: x fastest.
    let positions: Vec<[u32; 3]> = stored.iter().map(|(p, _)| *p).collect();
    let c_order: Vec<[u32; 3]> = (0..12).map(|i| spec.chunk_position(i)).collect();
    assert_eq!(positions, c_order);
    // Data order: the n-th chunk added sits at n · chunk_bytes.
    for (n, position) in order.iter().enumerate() {
        let range = shard.index().chunk_range(*position).unwrap().unwrap();
        assert_eq!(range.start, (n * spec.chunk_bytes()) as u64);
        assert_eq!(shard.read_chunk(*position).unwrap().unwrap(), vec![n as u8 + 1; spec.chunk_bytes()]);
    }
}

#[test]
fn a_shard_with_one_stored_chunk_is_that_chunk_and_the_index() {
    for location in [IndexLocation::End, IndexLocation::Start] {
        let spec = ShardSpec {
            compression: Compression::Zstd { level: 3, checksum: false },
            index_location: location,
            ..ShardSpec::new([4, 4, 4], [2, 2, 2], LabelType::U64)
        };
        let mut writer = ZarrShardWriter::new(spec, spec.shard_shape()).unwrap();
        let chunk: Vec<u8> = (0..64u64).flat_map(|v| (v << 40 | 7).to_le_bytes()).collect();
        for position in zarr_python_chunk_order(spec.chunks_per_shard) {
            let voxels = if position == [1, 0, 1] { chunk.clone() } else { vec![0; 512] };
            writer.add_chunk(position, &voxels).unwrap();
        }
        assert_eq!(writer.chunk_count(), 1);
        let drained = writer.take_pending();
        let done = writer.finish();
        let file = [done.head, drained.clone(), done.tail].concat();
        assert_eq!(file.len() as u64, drained.len() as u64 + spec.index_bytes());
        let shard = ZarrShard::new(&file, &spec).unwrap();
        assert_eq!(shard.index().stored_count(), 1);
        assert_eq!(shard.read_chunk([1, 0, 1]).unwrap(), Some(chunk));
        assert_eq!(shard.encoded_chunk([1, 0, 1]).unwrap(), Some(&drained[..]));
    }
}
