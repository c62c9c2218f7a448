//! Shard and minishard boxes of an identity-hashed volume (docs/formats/sharded.md §2.9, TensorStore's
//! `GetShardChunkHierarchy`).

use super::spec::low_mask;
use super::{HashFunction, ShardingSpec};
use crate::precomputed::{ChunkGrid, morton_bits};

/// Per-axis counts of the first `n` Morton bits: the cell those low id bits span.
fn bits_per_axis(bits: [u32; 3], n: u32) -> [u32; 3] {
    let mut taken = [0u32; 3];
    for (axis, _) in morton_bits(bits).take(n as usize) {
        taken[axis] += 1;
    }
    taken
}

/// Shape of a cell spanning `taken` bits per axis, clipped to the grid.
fn cell_shape(taken: [u32; 3], grid: [u64; 3]) -> [u64; 3] {
    [0, 1, 2].map(|d| 1u64.checked_shl(taken[d]).map_or(grid[d], |side| side.min(grid[d])))
}

/// How shards and minishards tile the chunk grid when each is an axis-aligned box: identity
/// hash and `bits_x + bits_y + bits_z ≤ preshift + minishard + shard bits`.
///
/// Under those conditions chunk ids of one shard sorted ascending are also in (minishard,
/// chunk id) order, which is what [`super::ShardLayout::TensorStore`] needs;
/// [`ShardGeometry::chunk_ids_in_shard`] yields them that way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardGeometry {
    grid: ChunkGrid,
    minishard_shape: [u64; 3],
    shard_shape: [u64; 3],
    non_shard_bits: u32,
    shard_bits: u32,
}

impl ShardGeometry {
    /// Geometry of `spec` over `grid`, or `None` when shards are not boxes: a murmur hash, more
    /// Morton bits than `preshift + minishard + shard` bits (high id bits are then dropped and
    /// distant regions alias into one shard), more than 64 Morton bits or an invalid spec.
    pub fn new(spec: &ShardingSpec, grid: &ChunkGrid) -> Option<Self> {
        if spec.hash != HashFunction::Identity || spec.validate().is_err() {
            return None;
        }
        let z = grid.total_bits();
        if z > 64 || z > spec.preshift_bits + spec.minishard_bits + spec.shard_bits {
            return None;
        }
        let within_minishard = spec.preshift_bits.min(z);
        let non_shard_bits = (spec.preshift_bits + spec.minishard_bits).min(z);
        let minishard_shape = cell_shape(bits_per_axis(grid.bits(), within_minishard), grid.shape());
        let shard_shape = cell_shape(bits_per_axis(grid.bits(), non_shard_bits), grid.shape());
        Some(ShardGeometry {
            grid: *grid,
            minishard_shape,
            shard_shape,
            non_shard_bits,
            shard_bits: spec.shard_bits.min(z - non_shard_bits),
        })
    }

    /// Minishard box in chunks (clipped to the grid for small grids, not at the grid edge).
    pub fn minishard_shape(&self) -> [u64; 3] {
        self.minishard_shape
    }

    /// Shard box in chunks (clipped to the grid for small grids, not at the grid edge).
    pub fn shard_shape(&self) -> [u64; 3] {
        self.shard_shape
    }

    /// Shard bits that actually vary over the grid; shard numbers are below `2^shard_bits()`.
    pub fn shard_bits(&self) -> u32 {
        self.shard_bits
    }

    /// Grid cell (in chunks) at the low corner of `shard`, or `None` when no chunk of the grid
    /// belongs to it.
    pub fn shard_origin(&self, shard: u64) -> Option<[u64; 3]> {
        if self.shard_bits < 64 && shard >> self.shard_bits != 0 {
            return None;
        }
        let mut origin = [0u64; 3];
        let shard_walk = morton_bits(self.grid.bits()).skip(self.non_shard_bits as usize);
        for (i, (axis, bit)) in shard_walk.take(self.shard_bits as usize).enumerate() {
            if (shard >> i) & 1 == 1 {
                origin[axis] |= 1 << bit;
            }
        }
        self.grid.contains(origin).then_some(origin)
    }

    /// Shape in chunks of `shard`'s box clipped to the grid, or `None` when it holds no chunk.
    pub fn shard_extent(&self, shard: u64) -> Option<[u64; 3]> {
        let origin = self.shard_origin(shard)?;
        let shape = self.grid.shape();
        Some([0, 1, 2].map(|d| (shape[d] - origin[d]).min(self.shard_shape[d])))
    }

    /// Number of grid cells in `shard` (0 for shards outside the grid).
    pub fn chunks_in_shard(&self, shard: u64) -> u64 {
        self.shard_extent(shard).map_or(0, |e| e.iter().product())
    }

    /// Shard numbers holding at least one grid cell, ascending.
    pub fn shards(&self) -> impl Iterator<Item = u64> + '_ {
        // Each axis's shard count is rounded up to a power of two at most, so this scans at
        // most 8 numbers per real shard.
        (0..=low_mask(self.shard_bits)).filter(|&s| self.shard_origin(s).is_some())
    }

    /// Chunk ids of every grid cell in `shard`, ascending (hence in (minishard, chunk id)
    /// order); empty for a shard outside the grid.
    pub fn chunk_ids_in_shard(&self, shard: u64) -> impl Iterator<Item = u64> + '_ {
        let max_low = self.shard_origin(shard).map(|_| low_mask(self.non_shard_bits));
        let high = if self.non_shard_bits >= 64 { 0 } else { shard << self.non_shard_bits };
        max_low
            .into_iter()
            .flat_map(|max| 0..=max)
            .map(move |low| high | low)
            .filter(|&id| self.grid.chunk_coords(id).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(size: [u64; 3], chunk: u64) -> ChunkGrid {
        ChunkGrid::new(size, [chunk; 3]).unwrap()
    }

    #[test]
    fn mcns_s0_and_s1_have_32_cubed_shards() {
        let s0 =
            ShardGeometry::new(&ShardingSpec::identity(9, 6, 19), &grid([94088, 78317, 134576], 64)).unwrap();
        assert_eq!(s0.minishard_shape(), [8, 8, 8]);
        assert_eq!(s0.shard_shape(), [32, 32, 32]);
        assert_eq!(s0.shard_bits(), 19);
        let s1_grid = grid([47044, 39159, 67288], 64);
        let s1 = ShardGeometry::new(&ShardingSpec::identity(9, 6, 16), &s1_grid).unwrap();
        assert_eq!(s1.shard_shape(), [32, 32, 32]);
        assert_eq!(s1.shard_origin(4073), Some([480, 384, 448]));
        assert_eq!(s1.shard_origin(4073).map(|o| o.map(|c| c * 64)), Some([30720, 24576, 28672]));
        assert_eq!(s1.chunks_in_shard(4073), 32768);
        // The origin's own chunk id lands in the shard it came from.
        let id = s1_grid.chunk_id([480, 384, 448]).unwrap();
        assert_eq!(ShardingSpec::identity(9, 6, 16).locate(id).shard, 4073);
    }

    #[test]
    fn mcns_s8_is_one_shard() {
        let spec = ShardingSpec::identity(9, 6, 19);
        let g = ChunkGrid::new([6 * 64, 5 * 64, 9 * 64], [64; 3]).unwrap();
        assert_eq!(g.bits(), [3, 3, 4]);
        let geo = ShardGeometry::new(&spec, &g).unwrap();
        assert_eq!(geo.minishard_shape(), [6, 5, 8]);
        assert_eq!(geo.shard_shape(), [6, 5, 9]);
        assert_eq!(geo.shards().collect::<Vec<_>>(), vec![0]);
        assert_eq!(geo.chunks_in_shard(0), 270);
        assert_eq!(geo.chunk_ids_in_shard(0).count(), 270);
        assert_eq!(geo.shard_origin(1), None);
    }

    #[test]
    fn shards_partition_the_grid_and_agree_with_locate() {
        for (size, (p, m, s)) in [
            ([100, 50, 20], (1, 2, 5)),
            ([100, 50, 20], (0, 0, 8)),
            ([100, 50, 20], (3, 3, 30)),
            ([7, 300, 3], (2, 1, 6)),
            ([4, 4, 4], (1, 1, 1)),
        ] {
            let g = grid(size, 10.min(size[0]));
            let spec = ShardingSpec::identity(p, m, s);
            let geo = ShardGeometry::new(&spec, &g).unwrap();
            let mut total = 0;
            for shard in geo.shards() {
                let ids: Vec<u64> = geo.chunk_ids_in_shard(shard).collect();
                assert_eq!(ids.len() as u64, geo.chunks_in_shard(shard), "{size:?} shard {shard}");
                assert!(ids.windows(2).all(|w| w[0] < w[1]));
                let origin = geo.shard_origin(shard).unwrap();
                let extent = geo.shard_extent(shard).unwrap();
                for &id in &ids {
                    let loc = spec.locate(id);
                    assert_eq!(loc.shard, shard);
                    let c = g.chunk_coords(id).unwrap();
                    assert!((0..3).all(|d| c[d] >= origin[d] && c[d] < origin[d] + extent[d]));
                }
                let keys: Vec<(u64, u64)> = ids.iter().map(|&id| (spec.locate(id).minishard, id)).collect();
                assert!(keys.windows(2).all(|w| w[0] < w[1]), "ascending ids are (minishard, id) order");
                total += ids.len() as u64;
            }
            assert_eq!(total, g.cell_count(), "{size:?}");
        }
    }

    #[test]
    fn no_boxes_for_murmur_or_too_few_spec_bits() {
        let g = grid([100, 50, 20], 10);
        assert_eq!(g.total_bits(), 8);
        let murmur =
            ShardingSpec { hash: HashFunction::MurmurHash3X86_128, ..ShardingSpec::identity(0, 2, 6) };
        assert!(ShardGeometry::new(&murmur, &g).is_none());
        assert!(ShardGeometry::new(&ShardingSpec::identity(1, 2, 4), &g).is_none());
        assert!(ShardGeometry::new(&ShardingSpec::identity(1, 2, 5), &g).is_some());
        assert!(ShardGeometry::new(&ShardingSpec::identity(0, 40, 40), &g).is_none(), "invalid spec");
    }

    #[test]
    fn more_spec_bits_than_morton_bits() {
        // Z = 3 < p + m + s: only shard 0 exists; its file name keeps the full width.
        let g = grid([4, 4, 4], 2);
        let geo = ShardGeometry::new(&ShardingSpec::identity(1, 1, 10), &g).unwrap();
        assert_eq!(geo.shard_bits(), 1);
        assert_eq!(geo.shards().collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(geo.shard_shape(), [2, 2, 1]);
        let big = ShardGeometry::new(&ShardingSpec::identity(5, 1, 10), &g).unwrap();
        assert_eq!(big.shard_bits(), 0);
        assert_eq!(big.minishard_shape(), [2, 2, 2]);
        assert_eq!(big.shards().collect::<Vec<_>>(), vec![0]);
        assert_eq!(big.chunks_in_shard(0), 8);
    }
}
