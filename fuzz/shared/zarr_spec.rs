//! The zarr shard spec a `zarr_shard` fuzz input's first two bytes select (shared by the target
//! and the seed corpus).
//!
//! `selector` bits 0–1: data type (u8, u16, u32, u64); 2–3: chain (bytes, bytes+zstd,
//! bytes+gzip, bytes+zstd with checksum); 4: index at the start; 5: index without crc32c.
//! `shape` bits 0–5: inner chunk shape, 1–4 per axis (x, y, z); 6–7: chunks per shard
//! `[1,1,1]`, `[2,1,1]`, `[2,2,1]` or `[2,1,2]`.

use braid_core::zarr::{Compression, IndexLocation, LabelType, ShardSpec};

pub fn from_selector(selector: u8, shape: u8) -> ShardSpec {
    let data_type =
        [LabelType::U8, LabelType::U16, LabelType::U32, LabelType::U64][usize::from(selector & 3)];
    let compression = match (selector >> 2) & 3 {
        0 => Compression::None,
        1 => Compression::Zstd { level: 1, checksum: false },
        2 => Compression::Gzip { level: 1 },
        _ => Compression::Zstd { level: 1, checksum: true },
    };
    let axis = |shift: u8| u32::from((shape >> shift) & 3) + 1;
    ShardSpec {
        chunk_shape: [axis(0), axis(2), axis(4)],
        chunks_per_shard: [[1, 1, 1], [2, 1, 1], [2, 2, 1], [2, 1, 2]][usize::from(shape >> 6)],
        data_type,
        compression,
        index_location: if selector & 0x10 != 0 { IndexLocation::Start } else { IndexLocation::End },
        index_checksum: selector & 0x20 == 0,
    }
}
