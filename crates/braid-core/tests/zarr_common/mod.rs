//! Test volumes and a whole-array writer for the zarr shard tests: volumes are x-fastest
//! little-endian label bytes, exactly the C-order `[z, y, x]` array zarr sees.
#![allow(dead_code)] // each test target uses its own subset

use braid_core::zarr::{
    Compression, DEFAULT_CHUNK_SHAPE, IndexLocation, LabelType, ShardSpec, ZarrGrid, ZarrShard,
    zarr_python_chunk_order,
};

/// One array to write: shape `[x, y, z]`, its shard spec and what the voxels look like.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    pub shape: [u64; 3],
    pub spec: ShardSpec,
    /// Voxels at `x >= empty_from_x` are 0, so whole inner chunks and shards are empty.
    pub empty_from_x: u64,
}

impl Case {
    fn empty_from(self, x: u64) -> Case {
        Case { empty_from_x: x, ..self }
    }

    fn with(mut self, change: impl FnOnce(&mut ShardSpec)) -> Case {
        change(&mut self.spec);
        self
    }

    pub fn grid(&self) -> ZarrGrid {
        ZarrGrid::new(self.shape, self.spec).unwrap()
    }

    pub fn voxel_count(&self) -> usize {
        self.shape.iter().product::<u64>() as usize
    }
}

/// Labels in blobs with zero gaps; values use every byte of the type so byte order matters.
pub fn label(case: &Case, [x, y, z]: [u64; 3]) -> u64 {
    if x >= case.empty_from_x || (x / 7 + y / 9 + z / 5) % 4 == 0 {
        return 0;
    }
    let blob = (x / 3) * 7 + (y / 2) * 13 + (z / 5) * 31;
    let mask = match case.spec.data_type.size() {
        8 => u64::MAX,
        size => (1u64 << (8 * size)) - 1,
    };
    (blob.wrapping_mul(0x9E37_79B9_7F4A_7C15) & mask).max(1)
}

/// The case's volume as little-endian bytes, x fastest.
pub fn volume(case: &Case) -> Vec<u8> {
    let size = case.spec.data_type.size();
    let [sx, sy, sz] = case.shape;
    let mut out = Vec::with_capacity(case.voxel_count() * size);
    for z in 0..sz {
        for y in 0..sy {
            for x in 0..sx {
                out.extend_from_slice(&label(case, [x, y, z]).to_le_bytes()[..size]);
            }
        }
    }
    out
}

/// Array-voxel origin of inner chunk `position` of shard `shard`.
pub fn chunk_origin(spec: &ShardSpec, shard: [u64; 3], position: [u32; 3]) -> [u64; 3] {
    let shard_shape = spec.shard_shape();
    [0, 1, 2].map(|a| {
        shard[a] * u64::from(shard_shape[a]) + u64::from(position[a]) * u64::from(spec.chunk_shape[a])
    })
}

/// The `extent` box at `origin` of an x-fastest volume, densely packed.
pub fn extract(case: &Case, volume: &[u8], origin: [u64; 3], extent: [u32; 3]) -> Vec<u8> {
    let size = case.spec.data_type.size();
    let [sx, sy, _] = case.shape.map(|d| d as usize);
    let [ox, oy, oz] = origin.map(|d| d as usize);
    let mut out = Vec::new();
    if extent.contains(&0) {
        return out;
    }
    for z in 0..extent[2] as usize {
        for y in 0..extent[1] as usize {
            let at = (ox + sx * (oy + y + sy * (oz + z))) * size;
            out.extend_from_slice(&volume[at..at + extent[0] as usize * size]);
        }
    }
    out
}

/// What a decoded inner chunk must be: the array's voxels, fill (0) beyond its edge.
pub fn expected_chunk(case: &Case, volume: &[u8], shard: [u64; 3], position: [u32; 3]) -> Vec<u8> {
    let spec = &case.spec;
    let size = spec.data_type.size();
    let origin = chunk_origin(spec, shard, position);
    let extent = [0, 1, 2]
        .map(|a| case.shape[a].saturating_sub(origin[a]).min(u64::from(spec.chunk_shape[a])) as usize);
    let [cx, cy, _] = spec.chunk_shape.map(|d| d as usize);
    let mut out = vec![0u8; spec.chunk_bytes()];
    if extent.contains(&0) {
        return out;
    }
    let rows = extract(case, volume, origin, extent.map(|e| e as u32));
    let row = extent[0] * size;
    for z in 0..extent[2] {
        for y in 0..extent[1] {
            let from = (y + extent[1] * z) * row;
            let to = (cx * (y + cy * z)) * size;
            out[to..to + row].copy_from_slice(&rows[from..from + row]);
        }
    }
    out
}

/// Every shard position of the grid, x fastest.
pub fn shards(grid: &ZarrGrid) -> Vec<[u64; 3]> {
    let [nx, ny, nz] = grid.shards();
    (0..nz).flat_map(|z| (0..ny).flat_map(move |y| (0..nx).map(move |x| [x, y, z]))).collect()
}

/// Writes the case with braid, inner chunks in zarr-python's order, interior chunks through
/// `add_chunk` and edge chunks through `add_clipped_chunk`; returns `(key, file)` of every
/// shard that has a stored chunk, and how many shards were empty.
pub fn write_braid_array(case: &Case, volume: &[u8]) -> (Vec<(String, Vec<u8>)>, usize) {
    let grid = case.grid();
    let mut files = Vec::new();
    let mut empty = 0;
    for shard in shards(&grid) {
        let mut writer = grid.shard_writer(shard).unwrap();
        let mut drained = Vec::new();
        for position in zarr_python_chunk_order(case.spec.chunks_per_shard) {
            let extent = writer.chunk_extent(position).unwrap();
            let origin = chunk_origin(&case.spec, shard, position);
            if extent == case.spec.chunk_shape {
                writer.add_chunk(position, &extract(case, volume, origin, extent)).unwrap();
            } else {
                writer.add_clipped_chunk(position, &extract(case, volume, origin, extent)).unwrap();
            }
            drained.extend(writer.take_pending());
        }
        let done = writer.finish();
        if done.chunk_count == 0 {
            empty += 1;
            continue;
        }
        let file = [done.head, drained, done.tail].concat();
        assert_eq!(file.len() as u64, done.file_len);
        files.push((grid.shard_key(shard), file));
    }
    (files, empty)
}

/// Checks every inner chunk of a shard file against the volume: stored exactly when not all
/// fill, decoding to the padded voxels.
pub fn check_shard(case: &Case, volume: &[u8], shard: [u64; 3], file: &[u8]) {
    let parsed = ZarrShard::new(file, &case.spec).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    for i in 0..case.spec.chunk_count() {
        let position = case.spec.chunk_position(i);
        let expected = expected_chunk(case, volume, shard, position);
        let stored = parsed.read_chunk(position).unwrap();
        if expected.iter().all(|&b| b == 0) {
            assert_eq!(stored, None, "{}: shard {shard:?} chunk {position:?} is fill", case.name);
        } else {
            assert_eq!(
                stored.as_deref(),
                Some(&expected[..]),
                "{}: shard {shard:?} chunk {position:?}",
                case.name
            );
        }
    }
}

/// Shard grid position of a `c/<z>/<y>/<x>` key.
pub fn shard_of_key(key: &str) -> [u64; 3] {
    let parts: Vec<u64> = key.trim_start_matches("c/").split('/').map(|p| p.parse().unwrap()).collect();
    [parts[2], parts[1], parts[0]]
}

fn case(
    name: &'static str,
    shape: [u64; 3],
    chunk: [u32; 3],
    per_shard: [u32; 3],
    data_type: LabelType,
    compression: Compression,
) -> Case {
    let spec = ShardSpec { compression, ..ShardSpec::new(chunk, per_shard, data_type) };
    Case { name, shape, spec, empty_from_x: u64::MAX }
}

/// The edge-case set: shapes not divisible by the inner chunk, all-empty shards and arrays,
/// one chunk per shard, every label type, each chain, the index at either end.
pub fn cases() -> Vec<Case> {
    use Compression::{Gzip, Zstd};
    use LabelType::{U8, U16, U32, U64};
    let zstd = Zstd { level: 3, checksum: false };
    vec![
        // The last shard column (x >= 32) is empty: zarr-python writes no file for it.
        case("u64-zstd-edges", [37, 29, 21], [8, 8, 8], [2, 2, 2], U64, zstd).empty_from(32),
        case("u32-gzip", [33, 17, 9], [8, 4, 4], [2, 2, 1], U32, Gzip { level: 5 }),
        case("u16-bytes", [20, 11, 7], [4, 4, 4], [2, 3, 2], U16, Compression::None),
        case("u8-bytes-index-start", [19, 13, 6], [3, 5, 2], [3, 2, 2], U8, Compression::None)
            .with(|s| s.index_location = IndexLocation::Start),
        case("u64-bytes-edges", [13, 10, 9], [4, 4, 4], [2, 2, 2], U64, Compression::None).empty_from(9),
        case(
            "u16-one-chunk-per-shard",
            [10, 9, 8],
            [4, 4, 4],
            [1, 1, 1],
            U16,
            Zstd { level: 1, checksum: true },
        ),
        case("u32-all-empty", [12, 12, 12], [4, 4, 4], [2, 2, 2], U32, zstd).empty_from(0),
        case("u8-gzip-start-no-index-crc", [17, 11, 10], [5, 3, 4], [2, 3, 2], U8, Gzip { level: 9 }).with(
            |s| {
                s.index_location = IndexLocation::Start;
                s.index_checksum = false;
            },
        ),
        case("u32-one-chunk-array", [8, 8, 8], [8, 8, 8], [1, 1, 1], U32, Compression::None),
        case("u64-zstd-64-cube", [100, 70, 64], DEFAULT_CHUNK_SHAPE, [2, 2, 1], U64, zstd),
    ]
}
