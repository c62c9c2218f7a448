//! Arbitrary bytes through every sharded reader: shard index, minishard index, whole shard
//! file and chunk reads. Any panic is a bug; errors are expected.
#![no_main]

use braid_core::precomputed::sharded::{
    Encoding, HashFunction, MinishardIndex, ShardFile, ShardingSpec, decode_minishard_index,
    decode_shard_index,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the spec, so one corpus covers both encodings, both hashes and
    // small shard indexes that random bytes can actually fill.
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let encoding = |bit: u8| if selector & bit != 0 { Encoding::Gzip } else { Encoding::Raw };
    let spec = ShardingSpec {
        preshift_bits: u32::from(selector >> 6),
        hash: if selector & 0x08 != 0 { HashFunction::MurmurHash3X86_128 } else { HashFunction::Identity },
        minishard_bits: u32::from(selector & 0x07),
        shard_bits: 2,
        minishard_index_encoding: encoding(0x10),
        data_encoding: encoding(0x20),
    };

    if let Ok(ranges) = decode_shard_index(bytes, &spec) {
        assert_eq!(ranges.len() as u64, spec.num_minishards());
        assert!(ranges.iter().all(|r| r.start <= r.end));
    }
    let _ = decode_minishard_index(bytes, spec.minishard_index_encoding, 0);
    if let Ok(index) = MinishardIndex::decode(bytes, &spec, 0) {
        let ids: Vec<u64> = index.iter().map(|e| e.chunk_id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        for id in ids {
            assert!(index.find(id).is_some());
        }
    }
    if let Ok(file) = ShardFile::new(bytes, &spec) {
        let ids: Vec<u64> = file.chunk_ids().collect();
        assert_eq!(ids.len(), file.chunk_count());
        for id in ids.iter().copied().chain([0, 1, u64::MAX]) {
            let _ = file.read_chunk(id);
        }
    }
});
