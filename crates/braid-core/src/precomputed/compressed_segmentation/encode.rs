//! x-fastest label volume → compressed_segmentation words (docs/formats/compressed-segmentation.md §3.3).

use super::channel::ChannelWriter;
use super::pack::or_row8;
use super::{CsegError, block_grid};
use crate::Error;
use crate::label::Label;
use crate::volume::{Shape, check_len};

/// Above this many distinct labels a block switches from linear to binary search.
const LINEAR_LIMIT: usize = 16;

/// Voxels per block, refusing blocks too large to index.
fn block_voxels(block: Shape) -> Result<usize, Error> {
    block
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b))
        .filter(|&n| n <= 1 << 30)
        .ok_or_else(|| CsegError::InvalidParameters(format!("block size {block:?} is too large")).into())
}

/// Encodes `volume` (x-fastest, `channels` consecutive channel volumes of `size`) with
/// `block` sized blocks. Returns the whole buffer including the channel offset table.
pub fn encode<T: Label>(volume: &[T], size: Shape, channels: usize, block: Shape) -> Result<Vec<u32>, Error> {
    if channels == 0 {
        return Err(CsegError::InvalidParameters("zero channels".into()).into());
    }
    let voxels = check_len(volume.len(), size, channels, "volume")?;
    let grid = block_grid(size, block)?;
    let blocks: usize = grid.iter().product();
    let block_voxels = block_voxels(block)?;
    let mut out = vec![0u32; channels];
    let mut slab_tables: Vec<BlockTable<T>> = (0..grid[0] * grid[1]).map(|_| BlockTable::default()).collect();
    for c in 0..channels {
        out[c] = out.len() as u32;
        if blocks == 0 {
            continue; // an empty volume has no blocks; the channel is its offset alone
        }
        let channel = &volume[c * voxels..(c + 1) * voxels];
        let mut writer = ChannelWriter::<T>::new(&mut out, blocks, block_voxels);
        for kz in 0..grid[2] {
            let slab = BlockSlab::new(channel, size, block, kz);
            slab.tables(&mut slab_tables);
            for (k, table) in slab_tables.iter().enumerate() {
                let (kx, ky) = (k % grid[0], k / grid[0]);
                let (bits, area) = writer.push_block(k + grid[0] * grid[1] * kz, &table.labels)?;
                if bits > 0 {
                    slab.pack(kx, ky, &table.labels, bits, area);
                }
            }
        }
    }
    Ok(out)
}

/// The encoding of a one-channel chunk of `size` whose every voxel is `label`, without the
/// voxels: the same words [`encode`] writes for that volume (one shared table, no indices).
pub fn encode_uniform<T: Label>(label: T, size: Shape, block: Shape) -> Result<Vec<u32>, Error> {
    let grid = block_grid(size, block)?;
    let blocks: usize = grid.iter().product();
    let block_voxels = block_voxels(block)?;
    let mut out = vec![1u32];
    if blocks == 0 {
        return Ok(out);
    }
    let mut writer = ChannelWriter::<T>::new(&mut out, blocks, block_voxels);
    // Blocks are numbered as `encode` visits them; with one label the order is immaterial to
    // the table but not to the headers, so keep it.
    for b in 0..blocks {
        writer.push_block(b, &[label])?;
    }
    Ok(out)
}

/// The blocks `(.., .., kz)`: a contiguous run of whole z-planes, scanned in memory order so
/// the volume streams through the cache once; the packing pass then re-reads it from cache.
struct BlockSlab<'a, T> {
    channel: &'a [T],
    size: Shape,
    block: Shape,
    z0: usize,
    depth: usize,
}

impl<'a, T: Label> BlockSlab<'a, T> {
    fn new(channel: &'a [T], size: Shape, block: Shape, kz: usize) -> Self {
        let z0 = kz * block[2];
        BlockSlab { channel, size, block, z0, depth: block[2].min(size[2] - z0) }
    }

    /// The x-row at volume `y` and slab-local `z`.
    #[inline]
    fn row(&self, y: usize, z: usize) -> &'a [T] {
        let at = self.size[0] * (y + self.size[1] * (self.z0 + z));
        &self.channel[at..at + self.size[0]]
    }

    /// Block-local row `(y, z)` of block `(kx, ky)`, clipped to the volume.
    #[inline]
    fn segment(&self, kx: usize, ky: usize, y: usize, z: usize) -> &'a [T] {
        let row = self.row(ky * self.block[1] + y, z);
        let x0 = kx * self.block[0];
        &row[x0..(x0 + self.block[0]).min(row.len())]
    }

    fn rows_y(&self, ky: usize) -> usize {
        self.block[1].min(self.size[1] - ky * self.block[1])
    }

    /// Computes the sorted distinct labels of every block in the slab, `tables[kx + gx*ky]`.
    fn tables(&self, tables: &mut [BlockTable<T>]) {
        let (bx, by) = (self.block[0], self.block[1]);
        let gx = self.size[0].div_ceil(bx);
        for (k, t) in tables.iter_mut().enumerate() {
            t.reset(self.segment(k % gx, k / gx, 0, 0)[0]);
        }
        for z in 0..self.depth {
            for y in 0..self.size[1] {
                let row = self.row(y, z);
                let ts = &mut tables[(y / by) * gx..(y / by + 1) * gx];
                // Whole rows of one label are the norm inside segments; one vectorised check
                // spares the per-block work.
                let v0 = row[0];
                if row.iter().fold(0u64, |acc, &v| acc | (v.to_u64() ^ v0.to_u64())) == 0 {
                    for t in ts.iter_mut() {
                        t.observe_one(v0);
                    }
                } else {
                    for (t, segment) in ts.iter_mut().zip(row.chunks(bx)) {
                        t.observe(segment);
                    }
                }
            }
        }
        for (k, t) in tables.iter_mut().enumerate() {
            if t.overflow {
                let (kx, ky) = (k % gx, k / gx);
                t.labels.clear();
                for z in 0..self.depth {
                    for y in 0..self.rows_y(ky) {
                        t.labels.extend_from_slice(self.segment(kx, ky, y, z));
                    }
                }
                t.labels.sort_unstable();
                t.labels.dedup();
            } else {
                t.labels.sort_unstable();
            }
        }
    }

    /// ORs each in-bounds voxel's table index into the block's packed area; the positions are
    /// computed with the full block size, so partial blocks keep index 0 in their padding.
    fn pack(&self, kx: usize, ky: usize, table: &[T], bits: u32, area: &mut [u32]) {
        if self.block[0] == 8 && bits <= 16 {
            return self.pack_rows8(kx, ky, table, bits, area);
        }
        let linear = table.len() <= LINEAR_LIMIT;
        let mut last = (table[0], 0u32);
        let bits = bits as usize;
        for z in 0..self.depth {
            for y in 0..self.rows_y(ky) {
                let mut bit = self.block[0] * (y + self.block[1] * z) * bits;
                for &v in self.segment(kx, ky, y, z) {
                    if v != last.0 {
                        let i = if linear {
                            table.iter().position(|&t| t == v)
                        } else {
                            table.binary_search(&v).ok()
                        };
                        last = (v, i.unwrap_or(0) as u32);
                    }
                    area[bit / 32] |= last.1 << (bit % 32);
                    bit += bits;
                }
            }
        }
    }

    /// Blocks 8 voxels wide: indices are assembled per row. With at most 4 labels a voxel's
    /// index is the number of table entries above `table[0]` it reaches, without branches.
    fn pack_rows8(&self, kx: usize, ky: usize, table: &[T], bits: u32, area: &mut [u32]) {
        let mut idx = [0u32; 8];
        if table.len() <= 4 {
            let rest = &table[1..];
            for z in 0..self.depth {
                for y in 0..self.rows_y(ky) {
                    let segment = self.segment(kx, ky, y, z);
                    for (slot, &v) in idx.iter_mut().zip(segment) {
                        *slot = rest.iter().map(|&t| u32::from(t <= v)).sum::<u32>();
                    }
                    or_row8(area, y + self.block[1] * z, bits, &idx, segment.len());
                }
            }
            return;
        }
        let linear = table.len() <= LINEAR_LIMIT;
        let mut last = (table[0], 0u32);
        for z in 0..self.depth {
            for y in 0..self.rows_y(ky) {
                let segment = self.segment(kx, ky, y, z);
                for (slot, &v) in idx.iter_mut().zip(segment) {
                    if v != last.0 {
                        let i = if linear {
                            table.iter().position(|&t| t == v)
                        } else {
                            table.binary_search(&v).ok()
                        };
                        last = (v, i.unwrap_or(0) as u32);
                    }
                    *slot = last.1;
                }
                or_row8(area, y + self.block[1] * z, bits, &idx, segment.len());
            }
        }
    }
}

/// Distinct labels of one block, collected incrementally while its rows stream past.
struct BlockTable<T> {
    labels: Vec<T>,
    last: T,
    overflow: bool,
}

impl<T: Label> Default for BlockTable<T> {
    fn default() -> Self {
        BlockTable { labels: Vec::new(), last: T::default(), overflow: false }
    }
}

impl<T: Label> BlockTable<T> {
    fn reset(&mut self, first: T) {
        self.labels.clear();
        self.labels.push(first);
        self.last = first;
        self.overflow = false;
    }

    #[inline]
    fn observe_one(&mut self, v: T) {
        if v != self.last {
            self.insert(v);
        }
    }

    /// Notes the labels of one row segment; past LINEAR_LIMIT labels the block is recollected
    /// and sorted wholesale instead.
    #[inline]
    fn observe(&mut self, segment: &[T]) {
        let l = self.last.to_u64();
        if segment.iter().fold(0u64, |acc, &v| acc | (v.to_u64() ^ l)) == 0 {
            return;
        }
        for &v in segment {
            if v != self.last {
                self.insert(v);
            }
        }
    }

    #[cold]
    fn insert(&mut self, v: T) {
        self.last = v;
        if !self.overflow && !self.labels.contains(&v) {
            self.labels.push(v);
            self.overflow = self.labels.len() > LINEAR_LIMIT;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::sha256_hex;

    fn words_hex(words: &[u32]) -> String {
        words.iter().flat_map(|w| w.to_le_bytes()).map(|b| format!("{b:02x}")).collect()
    }

    fn channel_words<T: Label>(v: &[T], size: Shape, block: Shape) -> Vec<u32> {
        encode(v, size, 1, block).unwrap()[1..].to_vec()
    }

    #[test]
    fn upstream_block_vectors() {
        assert_eq!(channel_words(&[3u64, 3, 3, 3], [2, 2, 1], [2, 2, 1]), vec![2, 2, 3, 0]);
        assert_eq!(
            channel_words(&[4u64, 3, 4, 4], [2, 2, 1], [2, 2, 1]),
            vec![3 | 1 << 24, 2, 0b1101, 3, 0, 4, 0]
        );
        assert_eq!(
            channel_words(&[4u64, 3, 4, 3], [2, 2, 1], [3, 2, 1]),
            vec![3 | 1 << 24, 2, 0b001001, 3, 0, 4, 0]
        );
        assert_eq!(
            channel_words(&[4u64, 3, 5, 4], [2, 2, 1], [2, 2, 1]),
            vec![3 | 2 << 24, 2, 0b01100001, 3, 0, 4, 0, 5, 0]
        );
    }

    #[test]
    fn upstream_channel_vectors() {
        let basic = [4u64, 3, 5, 4, 1, 3, 3, 3];
        assert_eq!(
            words_hex(&channel_words(&basic, [2, 2, 2], [2, 2, 1])),
            "05000002040000000c0000010b00000061000000030000000000000004000000\
             0000000005000000000000000e00000001000000000000000300000000000000"
        );
        let cached = [4u64, 3, 5, 4, 1, 3, 3, 3, 3, 1, 1, 1, 5, 5, 3, 4];
        assert_eq!(
            words_hex(&channel_words(&cached, [2, 2, 4], [2, 2, 1])),
            "0900000208000000100000010f00000010000001140000000900000215000000\
             610000000300000000000000040000000000000005000000000000000e000000\
             01000000000000000300000000000000010000004a000000"
        );
        let cached32: Vec<u32> = cached.iter().map(|&v| v as u32).collect();
        assert_eq!(
            words_hex(&channel_words(&cached32, [2, 2, 4], [2, 2, 1])),
            "09000002080000000d0000010c0000000d0000010f0000000900000210000000\
             610000000300000004000000050000000e000000010000000300000001000000\
             4a000000"
        );
        assert_eq!(channel_words(&[3u64; 16], [2, 2, 4], [2, 2, 1]), vec![8, 8, 8, 10, 8, 10, 8, 10, 3, 0]);
    }

    #[test]
    fn full_buffer_vectors() {
        let one = encode(&[4u64, 0, 4, 0], [2, 2, 1], 1, [2, 2, 1]).unwrap();
        assert_eq!(words_hex(&one), "0100000003000001020000000500000000000000000000000400000000000000");
        let partial = encode(&[5u64, 5, 7, 5, 9, 9], [3, 2, 1], 1, [2, 2, 1]).unwrap();
        assert_eq!(
            words_hex(&partial),
            "0100000005000001040000000a00000109000000080000000500000000000000\
             09000000000000000400000007000000000000000900000000000000"
        );
    }

    #[test]
    fn empty_volumes_are_their_channel_offsets() {
        for size in [[0, 4, 4], [4, 0, 4], [4, 4, 0]] {
            assert_eq!(encode::<u64>(&[], size, 2, [8; 3]).unwrap(), vec![2, 2], "{size:?}");
        }
    }

    fn bytes(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn whole_chunk_vectors() {
        let solid = encode(&vec![0x0123_4567_89ab_cdefu64; 1 << 18], [64; 3], 1, [8; 3]).unwrap();
        assert_eq!(solid.len() * 4, 4108);
        assert_eq!(
            sha256_hex(&bytes(&solid)),
            "c1c95a1b36a53239019b43839487ca9f1417570ccbae6af68d2a0c85c9baf00c"
        );
        let halves: Vec<u64> = (0..1usize << 18).map(|i| if i % 64 < 32 { 1 } else { 2 }).collect();
        let enc = encode(&halves, [64; 3], 1, [8; 3]).unwrap();
        assert_eq!(enc.len() * 4, 4116);
        assert_eq!(
            sha256_hex(&bytes(&enc)),
            "18f7c07538f5a2bcb7a66f42e9ac41b305b1d3c98ff31d136a4a60e732f0e919"
        );
        let edge: Vec<u64> = (0..64 * 64 * 7).map(|i| 1 + (i % 64 / 8) as u64).collect();
        let enc = encode(&edge, [64, 64, 7], 1, [8; 3]).unwrap();
        assert_eq!(enc.len() * 4, 580);
        assert_eq!(
            sha256_hex(&bytes(&enc)),
            "a97f4825e825ec9ebb832c7102e71b2149d7ec90274dd6980a11bf1591ee2df7"
        );
    }

    #[test]
    fn multi_channel_offsets_point_at_each_channel() {
        let v: Vec<u32> = (0..2 * 27).map(|i| (i % 5) as u32).collect();
        let enc = encode(&v, [3, 3, 3], 2, [2, 2, 2]).unwrap();
        assert_eq!(enc[0], 2);
        let first = encode(&v[..27], [3, 3, 3], 1, [2, 2, 2]).unwrap();
        assert_eq!(enc[1] as usize, 2 + first.len() - 1);
    }

    #[test]
    fn rejects_bad_parameters() {
        assert_eq!(encode(&[1u64; 8], [2, 2, 2], 1, [0, 2, 2]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(encode(&[1u64; 7], [2, 2, 2], 1, [2, 2, 2]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(encode(&[1u64; 8], [2, 2, 2], 0, [2, 2, 2]).unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
