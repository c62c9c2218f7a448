//! The chunk grid of one scale and its compressed Morton (Z-index) chunk ids.

/// A chunk grid that cannot be built, or a cell or chunk id that is not in it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GridError {
    /// A chunk size has a zero axis.
    #[error("invalid argument: chunk size {chunk:?} has a zero axis")]
    ZeroChunkAxis {
        /// The chunk size given.
        chunk: [u64; 3],
    },
    /// A grid cell outside the grid.
    #[error("invalid argument: grid cell {cell:?} is outside the chunk grid {shape:?}")]
    CellOutside {
        /// The cell asked for.
        cell: [u64; 3],
        /// Cells per axis of the grid.
        shape: [u64; 3],
    },
    /// A chunk id with bits set above the grid's Morton bits.
    #[error("invalid argument: chunk id {id} needs more than the grid's {bits} Morton bits")]
    IdTooWide {
        /// The chunk id.
        id: u64,
        /// The grid's total Morton bits.
        bits: u32,
    },
    /// A chunk id that decodes to a cell outside the grid.
    #[error("invalid argument: chunk id {id} decodes to {cell:?}, outside the chunk grid {shape:?}")]
    IdOutside {
        /// The chunk id.
        id: u64,
        /// The cell it decodes to.
        cell: [u64; 3],
        /// Cells per axis of the grid.
        shape: [u64; 3],
    },
    /// The grid needs more than the 64 Morton bits a chunk id has.
    #[error("invalid argument: chunk grid {shape:?} needs {bits} Morton bits; chunk ids have 64")]
    TooManyBits {
        /// Cells per axis of the grid.
        shape: [u64; 3],
        /// Morton bits the grid needs.
        bits: u32,
    },
}

impl GridError {
    /// Stable error code: every grid error is a caller's argument.
    pub fn code(&self) -> &'static str {
        match self {
            GridError::ZeroChunkAxis { .. }
            | GridError::CellOutside { .. }
            | GridError::IdTooWide { .. }
            | GridError::IdOutside { .. }
            | GridError::TooManyBits { .. } => "INVALID_ARGUMENT",
        }
    }
}

/// Number of bits needed to represent `v` (`bit_width(0) = 0`, `bit_width(4) = 3`).
pub fn bit_width(v: u64) -> u32 {
    u64::BITS - v.leading_zeros()
}

/// The compressed Morton bit order (docs/formats/sharded.md §2.2): for chunk-id bit 0, 1, 2, ... the grid
/// axis it comes from and its bit position within that axis. Axes are taken x, y, z round robin, skipping
/// those whose `bits` are used up.
pub(crate) fn morton_bits(bits: [u32; 3]) -> impl Iterator<Item = (usize, u32)> {
    let levels = bits.iter().copied().max().unwrap_or(0);
    (0..levels)
        .flat_map(move |level| (0..3).filter(move |&axis| level < bits[axis]).map(move |axis| (axis, level)))
}

/// The chunk grid of one scale: `G = ceil(size / chunk)` cells per axis, each covering `chunk` voxels except
/// at the upper edge, where cells are clipped to the volume (docs/formats/precomputed.md §1.3).
///
/// Grid coordinates are relative to the scale's `voxel_offset`, which therefore plays no part
/// here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkGrid {
    size: [u64; 3],
    chunk: [u64; 3],
    shape: [u64; 3],
    bits: [u32; 3],
}

impl ChunkGrid {
    /// Grid of a scale of `size` voxels cut into chunks of `chunk` voxels (`[x, y, z]`).
    ///
    /// Fails when a chunk axis is 0. A zero-size axis gives an empty grid.
    pub fn new(size: [u64; 3], chunk: [u64; 3]) -> Result<Self, GridError> {
        if chunk.contains(&0) {
            return Err(GridError::ZeroChunkAxis { chunk });
        }
        let shape = [0, 1, 2].map(|d| size[d].div_ceil(chunk[d]));
        let bits = shape.map(|g| bit_width(g.saturating_sub(1)));
        Ok(ChunkGrid { size, chunk, shape, bits })
    }

    /// Volume size in voxels.
    pub fn size(&self) -> [u64; 3] {
        self.size
    }

    /// Chunk size in voxels (the extent of an interior cell).
    pub fn chunk_size(&self) -> [u64; 3] {
        self.chunk
    }

    /// Number of grid cells per axis.
    pub fn shape(&self) -> [u64; 3] {
        self.shape
    }

    /// Morton bits per axis, `bit_width(G - 1)`.
    pub fn bits(&self) -> [u32; 3] {
        self.bits
    }

    /// Total Morton bits; the sharded format only supports grids where this is at most 64.
    pub fn total_bits(&self) -> u32 {
        self.bits.iter().sum()
    }

    /// Number of grid cells, saturating at `u64::MAX`.
    pub fn cell_count(&self) -> u64 {
        self.shape.iter().fold(1u64, |acc, &g| acc.saturating_mul(g))
    }

    /// Whether `g` is a cell of this grid.
    pub fn contains(&self, g: [u64; 3]) -> bool {
        (0..3).all(|d| g[d] < self.shape[d])
    }

    /// Compressed Morton code of grid cell `g` (sharded.md §2.2): bits interleaved LSB first in x, y, z
    /// order, skipping axes that have run out of bits.
    pub fn chunk_id(&self, g: [u64; 3]) -> Result<u64, GridError> {
        self.check_id_space()?;
        if !self.contains(g) {
            return Err(GridError::CellOutside { cell: g, shape: self.shape });
        }
        let mut id = 0u64;
        for (j, (axis, bit)) in morton_bits(self.bits).enumerate() {
            id |= ((g[axis] >> bit) & 1) << j;
        }
        Ok(id)
    }

    /// Grid cell of a chunk id: the inverse of [`ChunkGrid::chunk_id`]. Fails when the id uses
    /// bits beyond [`ChunkGrid::total_bits`] or decodes to a cell outside the grid.
    pub fn chunk_coords(&self, id: u64) -> Result<[u64; 3], GridError> {
        self.check_id_space()?;
        let total = self.total_bits();
        if total < 64 && id >> total != 0 {
            return Err(GridError::IdTooWide { id, bits: total });
        }
        let mut g = [0u64; 3];
        for (j, (axis, bit)) in morton_bits(self.bits).enumerate() {
            g[axis] |= ((id >> j) & 1) << bit;
        }
        if !self.contains(g) {
            return Err(GridError::IdOutside { id, cell: g, shape: self.shape });
        }
        Ok(g)
    }

    /// Voxel extent of cell `g`, clipped at the upper volume edge (precomputed.md §1.3); `[0, 0, 0]` for a
    /// cell outside the grid.
    pub fn chunk_extent(&self, g: [u64; 3]) -> [u64; 3] {
        if !self.contains(g) {
            return [0; 3];
        }
        // g < G implies g * chunk < size, so neither the product nor the difference overflows.
        [0, 1, 2].map(|d| (self.size[d] - g[d] * self.chunk[d]).min(self.chunk[d]))
    }

    /// Voxel origin of cell `g` relative to `voxel_offset`, or `None` outside the grid.
    pub fn chunk_origin(&self, g: [u64; 3]) -> Option<[u64; 3]> {
        self.contains(g).then(|| [0, 1, 2].map(|d| g[d] * self.chunk[d]))
    }

    fn check_id_space(&self) -> Result<(), GridError> {
        let total = self.total_bits();
        if total > 64 {
            return Err(GridError::TooManyBits { shape: self.shape, bits: total });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(size: [u64; 3], chunk: u64) -> ChunkGrid {
        ChunkGrid::new(size, [chunk; 3]).unwrap()
    }

    #[test]
    fn bit_width_matches_the_spec_table() {
        let cases = [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (u64::MAX, 64)];
        for (v, w) in cases {
            assert_eq!(bit_width(v), w, "v={v}");
        }
    }

    #[test]
    fn chunk_ids_match_spec_vectors() {
        let mcns = [94088, 78317, 134576];
        // (size, chunk, bits, cell, id)
        type Case = ([u64; 3], u64, [u32; 3], [u64; 3], u64);
        let cases: [Case; 7] = [
            ([256, 64, 192], 64, [2, 0, 2], [3, 0, 2], 13),
            ([4, 4, 4], 2, [1, 1, 1], [1, 1, 1], 7),
            ([100, 50, 20], 10, [4, 3, 1], [9, 4, 1], 197),
            (mcns, 64, [11, 11, 12], [1, 2, 3], 0x35),
            (mcns, 64, [11, 11, 12], [509, 413, 469], 0x7f4f7c7),
            (mcns, 64, [11, 11, 12], [1470, 1223, 2102], 0x2c16ad3fa),
            ([47044, 39159, 67288], 64, [10, 10, 11], [735, 611, 1051], 0x582d5a7f),
        ];
        for (size, chunk, bits, g, id) in cases {
            let grid = grid(size, chunk);
            assert_eq!(grid.bits(), bits, "size {size:?}");
            assert_eq!(grid.chunk_id(g).unwrap(), id, "g {g:?}");
            assert_eq!(grid.chunk_coords(id).unwrap(), g, "id {id}");
        }
    }

    #[test]
    fn chunk_coords_inverts_chunk_id_on_every_cell() {
        let grid = grid([100, 50, 20], 10);
        let mut seen = std::collections::HashSet::new();
        for z in 0..2 {
            for y in 0..5 {
                for x in 0..10 {
                    let id = grid.chunk_id([x, y, z]).unwrap();
                    assert!(id < 1 << grid.total_bits());
                    assert!(seen.insert(id));
                    assert_eq!(grid.chunk_coords(id).unwrap(), [x, y, z]);
                }
            }
        }
        assert_eq!(seen.len() as u64, grid.cell_count());
    }

    #[test]
    fn rejects_cells_and_ids_outside_the_grid() {
        let grid = grid([100, 50, 20], 10);
        for g in [[10, 0, 0], [0, 5, 0], [0, 0, 2], [u64::MAX; 3]] {
            assert_eq!(grid.chunk_id(g).unwrap_err().code(), "INVALID_ARGUMENT");
        }
        // x owns id bits 0, 3, 5 and 7 (x bits 0..3): x = 11 is past the 10 columns, x = 7 is not.
        assert!(grid.chunk_coords(0b1000_1001).is_err());
        assert_eq!(grid.chunk_coords(0b0010_1001).unwrap(), [7, 0, 0]);
        assert!(grid.chunk_coords(256).is_err());
        assert!(ChunkGrid::new([1, 1, 1], [1, 0, 1]).is_err());
    }

    #[test]
    fn rejects_grids_needing_more_than_64_bits() {
        let grid = ChunkGrid::new([u64::MAX; 3], [1; 3]).unwrap();
        assert_eq!(grid.total_bits(), 192);
        assert!(grid.chunk_id([0, 0, 0]).is_err());
        assert!(grid.chunk_coords(0).is_err());
        let exactly_64 = ChunkGrid::new([1 << 22, 1 << 21, 1 << 21], [1; 3]).unwrap();
        assert_eq!(exactly_64.total_bits(), 64);
        let top = [(1 << 22) - 1, (1 << 21) - 1, (1 << 21) - 1];
        assert_eq!(exactly_64.chunk_id(top).unwrap(), u64::MAX);
        assert_eq!(exactly_64.chunk_coords(u64::MAX).unwrap(), top);
    }

    #[test]
    fn single_cell_and_empty_grids() {
        let one = grid([5, 5, 5], 64);
        assert_eq!(one.bits(), [0, 0, 0]);
        assert_eq!(one.chunk_id([0, 0, 0]).unwrap(), 0);
        assert_eq!(one.chunk_extent([0, 0, 0]), [5, 5, 5]);
        let empty = grid([0, 5, 5], 64);
        assert_eq!(empty.shape(), [0, 1, 1]);
        assert_eq!(empty.cell_count(), 0);
        assert!(empty.chunk_id([0, 0, 0]).is_err());
    }

    #[test]
    fn edge_cells_are_clipped() {
        let grid = grid([100, 50, 20], 64);
        assert_eq!(grid.shape(), [2, 1, 1]);
        assert_eq!(grid.chunk_extent([0, 0, 0]), [64, 50, 20]);
        assert_eq!(grid.chunk_extent([1, 0, 0]), [36, 50, 20]);
        assert_eq!(grid.chunk_origin([1, 0, 0]), Some([64, 0, 0]));
        assert_eq!(grid.chunk_extent([2, 0, 0]), [0, 0, 0]);
        assert_eq!(grid.chunk_origin([2, 0, 0]), None);
    }
}
