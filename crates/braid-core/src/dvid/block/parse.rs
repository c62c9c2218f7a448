//! Parsing and validation of a serialized DVID block, without decoding any voxel.

use super::BlockError;
use super::packing::bits_for;
use crate::volume::Shape;

/// Edge length of a sub-block in voxels.
pub const SUB_BLOCK_EDGE: usize = 8;
/// Voxels per sub-block.
pub const SUB_BLOCK_VOXELS: usize = 512;
/// Largest block accepted (256³; DVID's are 64³). A solid block is 16 bytes whatever its
/// size, so without a cap a tiny corrupt header would demand gigabytes of output.
pub const MAX_BLOCK_VOXELS: usize = 1 << 24;

/// A validated view of a serialized DVID label block (docs/formats/dvid.md §6.1). Construction checks every
/// header, count and palette index against the buffer, so decoding can only fail on packed
/// values that exceed a non-power-of-two palette.
#[derive(Debug, Clone, Copy)]
pub struct DvidBlock<'a> {
    grid: [usize; 3],
    labels: &'a [u8],
    counts: &'a [u8],
    palette: &'a [u8],
    values: &'a [u8],
}

/// One 8³ sub-block of a [`DvidBlock`].
#[derive(Debug, Clone, Copy)]
pub struct SubBlock<'a> {
    /// Sub-block number, x-fastest over the sub-block grid.
    pub index: usize,
    /// Voxel coordinate of the sub-block's first voxel inside the block.
    pub origin: [usize; 3],
    palette: &'a [u8],
    /// Bits per packed value (0 when the palette has fewer than two entries).
    pub bits: u32,
    /// The `64 * bits` packed bytes.
    pub packed: &'a [u8],
}

impl SubBlock<'_> {
    /// Number of palette entries (0 means all voxels are label 0).
    pub fn palette_len(&self) -> usize {
        self.palette.len() / 4
    }

    /// Block-level label index of palette entry `k`.
    #[inline]
    pub fn palette_entry(&self, k: usize) -> usize {
        u32::from_le_bytes(self.palette[4 * k..4 * k + 4].try_into().expect("4 bytes")) as usize
    }
}

fn take<'a>(
    bytes: &'a [u8],
    offset: usize,
    len: Option<usize>,
    section: &'static str,
) -> Result<&'a [u8], BlockError> {
    let available = bytes.len().saturating_sub(offset);
    match len {
        Some(n) if n <= available => Ok(&bytes[offset..offset + n]),
        _ => Err(BlockError::Truncated { section, offset, needed: len.unwrap_or(usize::MAX), available }),
    }
}

fn u32_at(bytes: &[u8], offset: usize) -> usize {
    u32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes")) as usize
}

impl<'a> DvidBlock<'a> {
    /// Parses and validates `bytes` (the block itself, not a zstd frame).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, BlockError> {
        let header = take(bytes, 0, Some(16), "header")?;
        let grid = [u32_at(header, 0), u32_at(header, 4), u32_at(header, 8)];
        let n = u32_at(header, 12);
        let sub_blocks = grid
            .iter()
            .try_fold(1usize, |acc, &g| acc.checked_mul(g))
            .filter(|&s| s > 0 && s.saturating_mul(SUB_BLOCK_VOXELS) <= MAX_BLOCK_VOXELS)
            .ok_or_else(|| {
                BlockError::Corrupt(format!(
                    "sub-block grid {grid:?} is empty or larger than {MAX_BLOCK_VOXELS} voxels"
                ))
            })?;
        let labels = take(bytes, 16, n.checked_mul(8), "label list")?;
        let mut block = DvidBlock { grid, labels, counts: &[], palette: &[], values: &[] };
        if n < 2 {
            return Ok(block);
        }
        let counts_at = 16 + labels.len();
        block.counts = take(bytes, counts_at, Some(2 * sub_blocks), "sub-block label counts")?;
        let mut palette_len = 0usize;
        let mut values_len = 0usize;
        for (i, c) in block.counts.chunks_exact(2).enumerate() {
            let count = u16::from_le_bytes([c[0], c[1]]) as usize;
            if count > SUB_BLOCK_VOXELS {
                return Err(BlockError::Corrupt(format!(
                    "sub-block {i} claims {count} labels, more than its {SUB_BLOCK_VOXELS} voxels"
                )));
            }
            palette_len += count;
            values_len += bits_for(count) as usize * SUB_BLOCK_VOXELS / 8;
        }
        let palette_at = counts_at + block.counts.len();
        block.palette = take(bytes, palette_at, Some(4 * palette_len), "sub-block palettes")?;
        for (k, p) in block.palette.chunks_exact(4).enumerate() {
            let idx = u32_at(p, 0);
            if idx >= n {
                return Err(BlockError::Corrupt(format!(
                    "palette entry {k} points at label {idx} but the block lists {n} labels"
                )));
            }
        }
        let values_at = palette_at + block.palette.len();
        block.values = take(bytes, values_at, Some(values_len), "packed voxel values")?;
        Ok(block)
    }

    /// Sub-block grid `(gx, gy, gz)`.
    pub fn grid(&self) -> [usize; 3] {
        self.grid
    }

    /// Voxel shape of the block, `8 × grid`.
    pub fn shape(&self) -> Shape {
        self.grid.map(|g| g * SUB_BLOCK_EDGE)
    }

    /// Length of the block-level label list `N` (may include unused and duplicate labels).
    pub fn label_count(&self) -> usize {
        self.labels.len() / 8
    }

    /// Block-level label `i`.
    #[inline]
    pub fn label(&self, i: usize) -> u64 {
        u64::from_le_bytes(self.labels[8 * i..8 * i + 8].try_into().expect("8 bytes"))
    }

    /// The block-level label list.
    pub fn labels(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.labels.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
    }

    /// The single value of a solid block (`N < 2`): `L[0]`, or 0 when `N = 0`.
    pub fn solid_label(&self) -> Option<u64> {
        match self.label_count() {
            0 => Some(0),
            1 => Some(self.label(0)),
            _ => None,
        }
    }

    /// Iterates the sub-blocks in storage order; empty for solid blocks.
    pub fn sub_blocks(&self) -> impl Iterator<Item = SubBlock<'a>> + 'a {
        let [gx, gy, _] = self.grid;
        let counts = self.counts;
        let (palette, values) = (self.palette, self.values);
        let mut palette_at = 0usize;
        let mut values_at = 0usize;
        counts.chunks_exact(2).enumerate().map(move |(index, c)| {
            let count = u16::from_le_bytes([c[0], c[1]]) as usize;
            let bits = bits_for(count);
            let vlen = bits as usize * SUB_BLOCK_VOXELS / 8;
            let sub = SubBlock {
                index,
                origin: [
                    (index % gx) * SUB_BLOCK_EDGE,
                    (index / gx % gy) * SUB_BLOCK_EDGE,
                    (index / (gx * gy)) * SUB_BLOCK_EDGE,
                ],
                palette: &palette[palette_at..palette_at + 4 * count],
                bits,
                packed: &values[values_at..values_at + vlen],
            };
            palette_at += 4 * count;
            values_at += vlen;
            sub
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;

    #[test]
    fn parses_solid_vectors() {
        let b = hex("080000000800000008000000010000002a00000000000000");
        let block = DvidBlock::parse(&b).unwrap();
        assert_eq!(block.shape(), [64, 64, 64]);
        assert_eq!(block.solid_label(), Some(42));
        assert_eq!(block.sub_blocks().count(), 0);
    }

    #[test]
    fn rejects_inconsistent_headers() {
        let solid = hex("080000000800000008000000010000002a00000000000000");
        assert!(matches!(DvidBlock::parse(&solid[..20]), Err(BlockError::Truncated { .. })));
        let mut zero_grid = solid.clone();
        zero_grid[0] = 0;
        assert!(matches!(DvidBlock::parse(&zero_grid), Err(BlockError::Corrupt(_))));
        let mut huge = solid.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(DvidBlock::parse(&huge).is_err());
        // A 16-byte solid header may not claim 2^29 voxels (fuzz: 4 GiB allocation).
        let mut oversized = solid.clone();
        oversized[..12].copy_from_slice(&hex("000100000001000000010000"));
        assert!(matches!(DvidBlock::parse(&oversized), Err(BlockError::Corrupt(_))));
        let mut many_labels = solid;
        many_labels[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(DvidBlock::parse(&many_labels), Err(BlockError::Truncated { .. })));
    }
}
