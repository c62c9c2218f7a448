//! x-fastest label volume → compressed_segmentation words (§3.3).

use super::channel::ChannelWriter;
use super::label::Label;
use super::{CsegError, block_grid};
use crate::Error;
use crate::volume::{Shape, check_len};

/// Above this many distinct labels a block switches from linear to binary search.
const LINEAR_LIMIT: usize = 16;

/// Encodes `volume` (x-fastest, `channels` consecutive channel volumes of `size`) with
/// `block` sized blocks. Returns the whole buffer including the channel offset table.
pub fn encode<T: Label>(volume: &[T], size: Shape, channels: usize, block: Shape) -> Result<Vec<u32>, Error> {
    if channels == 0 {
        return Err(CsegError::InvalidParameters("zero channels".into()).into());
    }
    let voxels = check_len(volume.len(), size, channels, "volume")?;
    let grid = block_grid(size, block)?;
    let blocks: usize = grid.iter().product();
    let block_voxels = block
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b))
        .filter(|&n| n <= 1 << 30)
        .ok_or_else(|| CsegError::InvalidParameters(format!("block size {block:?} is too large")))?;
    let mut out = vec![0u32; channels];
    let mut scratch = BlockScratch::with_capacity(block_voxels.min(voxels.max(1)));
    for c in 0..channels {
        out[c] = out.len() as u32;
        let channel = &volume[c * voxels..(c + 1) * voxels];
        let mut writer = ChannelWriter::<T>::new(&mut out, blocks, block_voxels);
        for kz in 0..grid[2] {
            for ky in 0..grid[1] {
                for kx in 0..grid[0] {
                    let origin = [kx * block[0], ky * block[1], kz * block[2]];
                    let extent = [0, 1, 2].map(|d| block[d].min(size[d] - origin[d]));
                    scratch.gather(channel, size, origin, extent);
                    let index = kx + grid[0] * (ky + grid[1] * kz);
                    let (bits, area) = writer.push_block(index, &scratch.table)?;
                    if bits > 0 {
                        scratch.pack(block, extent, bits, area);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Per-block working memory, reused across blocks.
struct BlockScratch<T> {
    values: Vec<T>,
    table: Vec<T>,
}

impl<T: Label> BlockScratch<T> {
    fn with_capacity(n: usize) -> Self {
        BlockScratch { values: Vec::with_capacity(n), table: Vec::new() }
    }

    /// Copies the in-bounds voxels of one block and computes its sorted distinct labels.
    fn gather(&mut self, channel: &[T], size: Shape, origin: Shape, extent: Shape) {
        self.values.clear();
        for z in 0..extent[2] {
            for y in 0..extent[1] {
                let at = origin[0] + size[0] * (origin[1] + y + size[1] * (origin[2] + z));
                self.values.extend_from_slice(&channel[at..at + extent[0]]);
            }
        }
        self.table.clear();
        let mut last = self.values[0];
        self.table.push(last);
        for &v in &self.values {
            if v != last {
                last = v;
                if !self.table.contains(&v) {
                    self.table.push(v);
                    if self.table.len() > LINEAR_LIMIT {
                        self.table.clone_from(&self.values);
                        self.table.sort_unstable();
                        self.table.dedup();
                        return;
                    }
                }
            }
        }
        self.table.sort_unstable();
    }

    /// ORs each in-bounds voxel's table index into the packed area (full-block strides).
    fn pack(&self, block: Shape, extent: Shape, bits: u32, area: &mut [u32]) {
        let linear = self.table.len() <= LINEAR_LIMIT;
        let mut last = (self.table[0], 0u32);
        let mut vals = self.values.iter();
        for z in 0..extent[2] {
            for y in 0..extent[1] {
                let row = block[0] * (y + block[1] * z);
                for x in 0..extent[0] {
                    let v = *vals.next().expect("gathered extent");
                    if v != last.0 {
                        let i = if linear {
                            self.table.iter().position(|&t| t == v).expect("label in table")
                        } else {
                            self.table.binary_search(&v).expect("label in table")
                        };
                        last = (v, i as u32);
                    }
                    let bit = (row + x) * bits as usize;
                    area[bit / 32] |= last.1 << (bit % 32);
                }
            }
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
