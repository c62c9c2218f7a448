//! An array's shard grid: how many shards, how much of each lies inside the array, and each
//! shard's key. Zarr's regular grid starts at the array origin and its edge shards are full
//! size on disk (padded), unlike precomputed's clipped edge chunks.

use super::{ShardSpec, ZarrError, ZarrShardWriter};

/// A zarr v3 array of `shape` voxels (`[x, y, z]`) stored as shards of `spec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZarrGrid {
    shape: [u64; 3],
    spec: ShardSpec,
}

impl ZarrGrid {
    /// Fails when `spec` is invalid or an axis of `shape` is 0.
    pub fn new(shape: [u64; 3], spec: ShardSpec) -> Result<Self, ZarrError> {
        spec.validate()?;
        if shape.contains(&0) {
            return Err(ZarrError::InvalidArgument(format!("array shape {shape:?} has a zero axis")));
        }
        Ok(ZarrGrid { shape, spec })
    }

    /// Array shape `[x, y, z]` (zarr `shape` is `[z, y, x]`).
    pub fn shape(&self) -> [u64; 3] {
        self.shape
    }

    /// The shard spec.
    pub fn spec(&self) -> &ShardSpec {
        &self.spec
    }

    /// Shards per axis, `ceil(shape / shard shape)`.
    pub fn shards(&self) -> [u64; 3] {
        let shard = self.spec.shard_shape();
        [0, 1, 2].map(|a| self.shape[a].div_ceil(u64::from(shard[a])))
    }

    /// Voxels of shard `shard` (`[x, y, z]` grid position) inside the array: what
    /// [`ZarrShardWriter::new`] takes.
    pub fn shard_extent(&self, shard: [u64; 3]) -> Result<[u32; 3], ZarrError> {
        let grid = self.shards();
        if (0..3).any(|a| shard[a] >= grid[a]) {
            return Err(ZarrError::InvalidArgument(format!(
                "shard {shard:?} is outside the {grid:?} shard grid"
            )));
        }
        let size = self.spec.shard_shape();
        // shard < grid, so the remainder is positive and the shard shape bounds it.
        Ok([0, 1, 2].map(|a| (self.shape[a] - shard[a] * u64::from(size[a])).min(u64::from(size[a])) as u32))
    }

    /// A writer for shard `shard`.
    pub fn shard_writer(&self, shard: [u64; 3]) -> Result<ZarrShardWriter, ZarrError> {
        ZarrShardWriter::new(self.spec, self.shard_extent(shard)?)
    }

    /// Store key of shard `shard` under the array, with the default chunk key encoding and `/`
    /// separator: `c/<z>/<y>/<x>`.
    pub fn shard_key(&self, shard: [u64; 3]) -> String {
        format!("c/{}/{}/{}", shard[2], shard[1], shard[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::LabelType;

    #[test]
    fn edge_shards_are_clipped_to_the_array() {
        let spec = ShardSpec::new([4, 4, 4], [2, 2, 1], LabelType::U32);
        let grid = ZarrGrid::new([17, 8, 3], spec).unwrap();
        assert_eq!(grid.shards(), [3, 1, 1]);
        assert_eq!(grid.shard_extent([0, 0, 0]).unwrap(), [8, 8, 3]);
        assert_eq!(grid.shard_extent([2, 0, 0]).unwrap(), [1, 8, 3]);
        assert_eq!(grid.shard_extent([3, 0, 0]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(grid.shard_key([2, 0, 5]), "c/5/0/2");
        let w = grid.shard_writer([2, 0, 0]).unwrap();
        assert_eq!(w.chunk_extent([0, 0, 0]).unwrap(), [1, 4, 3]);
        assert_eq!(w.chunk_extent([1, 1, 0]).unwrap(), [0, 4, 3]);
        assert_eq!(ZarrGrid::new([0, 1, 1], spec).unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
