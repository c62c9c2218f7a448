//! Arbitrary bytes through every zarr shard reader: index location and decoding, whole-shard
//! parsing, inner-chunk decoding; whatever decodes is re-written and must read back the same.
//! Any panic is a bug; errors are expected.
//!
//! Input: `[spec, shape]` + shard file; the two bytes pick the shard spec as
//! `shared/zarr_spec.rs` documents.
#![no_main]

#[path = "../shared/zarr_spec.rs"]
mod zarr_spec;

use braid_core::zarr::{ZarrShard, ZarrShardWriter, decode_chunk, decode_shard_index, index_byte_range};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [selector, shape, bytes @ ..] = data else {
        return;
    };
    let spec = zarr_spec::from_selector(*selector, *shape);
    let positions: Vec<[u32; 3]> = (0..spec.chunk_count()).map(|i| spec.chunk_position(i)).collect();

    if let Ok(at) = index_byte_range(&spec, bytes.len() as u64) {
        assert_eq!(at.end - at.start, spec.index_bytes());
        if let Ok(index) = decode_shard_index(&bytes[at.start as usize..at.end as usize], &spec) {
            for &p in &positions {
                if let Some(r) = index.chunk_range(p).unwrap() {
                    assert!(r.start <= r.end);
                }
            }
        }
    }
    if let Ok(chunk) = decode_chunk(&spec, [0, 0, 0], bytes) {
        assert_eq!(chunk.len(), spec.chunk_bytes());
    }
    let Ok(shard) = ZarrShard::new(bytes, &spec) else {
        return;
    };
    let mut writer = ZarrShardWriter::new(spec, spec.shard_shape()).unwrap();
    let mut decoded = Vec::new();
    for &p in &positions {
        if let Ok(Some(chunk)) = shard.read_chunk(p) {
            assert_eq!(chunk.len(), spec.chunk_bytes());
            writer.add_chunk(p, &chunk).unwrap();
            decoded.push((p, chunk));
        }
    }
    let drained = writer.take_pending();
    let done = writer.finish();
    let file = [done.head, drained, done.tail].concat();
    let again = ZarrShard::new(&file, &spec).unwrap();
    for (p, chunk) in decoded {
        let back = again.read_chunk(p).unwrap();
        // All-fill chunks are dropped on rewrite, and read as fill.
        if chunk.iter().all(|&b| b == 0) {
            assert_eq!(back, None);
        } else {
            assert_eq!(back, Some(chunk));
        }
    }
});
