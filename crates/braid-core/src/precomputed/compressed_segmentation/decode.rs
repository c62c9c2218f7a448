//! compressed_segmentation bytes → x-fastest label volume, with TensorStore's validation
//! (docs/formats/compressed-segmentation.md §3.4): every offset, bit width and table index is checked against
//! the buffer.

use super::blocks::{Words, first_channel};
use super::{CsegError, block_grid};
use crate::Error;
use crate::label::Label;
use crate::volume::{MAX_VOXELS, Shape, check_len, voxel_count};

/// Decodes a whole buffer (channel offset table included) of `channels` channels of `size`.
pub fn decode<T: Label>(data: &[u8], size: Shape, channels: usize, block: Shape) -> Result<Vec<T>, Error> {
    let mut out = vec![T::default(); decoded_len(data, size, channels, block)?];
    decode_into(data, size, channels, block, &mut out)?;
    Ok(out)
}

/// Voxels `data` decodes to (`size × channels`), once `data` is long enough to hold the block
/// headers of that many voxels: a wrong shape then fails before its output is allocated, and
/// the output can never be more than ~64 voxels per input byte (8³ blocks).
pub fn decoded_len(data: &[u8], size: Shape, channels: usize, block: Shape) -> Result<usize, Error> {
    let voxels = voxel_count(size)?;
    let total = voxels.checked_mul(channels).filter(|&t| t <= MAX_VOXELS);
    let total = total.ok_or_else(|| {
        Error::InvalidArgument(format!("{channels} channels of {size:?} are too many voxels"))
    })?;
    let blocks: usize = block_grid(size, block)?.iter().product();
    // Per channel: its offset word and a two-word header per block.
    let needed = blocks.saturating_mul(2).saturating_add(1).saturating_mul(channels);
    if data.len() / 4 < needed {
        return Err(CsegError::Corrupt(format!(
            "{} bytes cannot hold {channels} channel(s) of {blocks} blocks ({size:?} in {block:?} blocks)",
            data.len()
        ))
        .into());
    }
    Ok(total)
}

/// Decodes into `out` (x-fastest, channel slowest), which must match `size × channels`.
pub fn decode_into<T: Label>(
    data: &[u8],
    size: Shape,
    channels: usize,
    block: Shape,
    out: &mut [T],
) -> Result<(), Error> {
    let corrupt = |m: String| Error::from(CsegError::Corrupt(m));
    if channels == 0 {
        return Err(CsegError::InvalidParameters("zero channels".into()).into());
    }
    let voxels = check_len(out.len(), size, channels, "output")?;
    // The room `decode` requires, so an offset of 0 (headers over the offset word) cannot
    // make a buffer short of its headers acceptable here.
    decoded_len(data, size, channels, block)?;
    if data.len() % 4 != 0 {
        return Err(corrupt(format!("length {} is not a multiple of 4", data.len())));
    }
    let words = Words(data);
    // decoded_len has checked room for every channel's offset word and headers.
    let total = data.len() / 4;
    let grid = block_grid(size, block)?;
    for c in 0..channels {
        let start = words.get(c) as usize;
        let end = if c + 1 < channels { words.get(c + 1) as usize } else { total };
        if start > end || end > total {
            return Err(corrupt(format!("channel {c} offsets [{start}, {end}) exceed {total} words")));
        }
        let channel = Words(&data[4 * start..4 * end]);
        let mut sink = VolumeSink { out: &mut out[c * voxels..(c + 1) * voxels], size };
        visit_channel(channel, size, block, grid, &mut sink)
            .map_err(|e| corrupt(format!("channel {c}: {e}")))?;
    }
    Ok(())
}

/// Receives a channel block by block as it is decoded.
pub(crate) trait BlockSink<T> {
    /// A block whose in-bounds voxels (`extent` from `origin`, chunk-local) all hold `label`.
    fn uniform(&mut self, origin: Shape, extent: Shape, label: T);
    /// Where to decode the in-bounds row `(y, z)` (block-local) of the block at `origin`;
    /// `len` is the row's in-bounds length.
    fn row(&mut self, origin: Shape, y: usize, z: usize, len: usize) -> &mut [T];
    /// Every row of a non-uniform block has been decoded.
    fn end_block(&mut self, _origin: Shape, _extent: Shape) {}
}

/// Decodes into a whole x-fastest channel volume.
struct VolumeSink<'o, T> {
    out: &'o mut [T],
    size: Shape,
}

impl<T: Label> BlockSink<T> for VolumeSink<'_, T> {
    fn uniform(&mut self, origin: Shape, extent: Shape, label: T) {
        for z in 0..extent[2] {
            for y in 0..extent[1] {
                let at = origin[0] + self.size[0] * (origin[1] + y + self.size[1] * (origin[2] + z));
                self.out[at..at + extent[0]].fill(label);
            }
        }
    }

    fn row(&mut self, origin: Shape, y: usize, z: usize, len: usize) -> &mut [T] {
        let at = origin[0] + self.size[0] * (origin[1] + y + self.size[1] * (origin[2] + z));
        &mut self.out[at..at + len]
    }
}

/// Decodes the single channel of `data` block by block into `sink`, with the same checks as
/// [`decode`].
pub(crate) fn visit_blocks<T: Label>(
    data: &[u8],
    size: Shape,
    block: Shape,
    sink: &mut impl BlockSink<T>,
) -> Result<(), Error> {
    let corrupt = |m: String| Error::from(CsegError::Corrupt(m));
    let grid = block_grid(size, block)?;
    let channel = first_channel(data, grid.iter().product())?;
    visit_channel(channel, size, block, grid, sink).map_err(|e| corrupt(format!("channel 0: {e}")))
}

/// The label of a one-channel chunk whose every block is a one-entry table of the same label,
/// read from the block headers alone; `None` as soon as a block has packed indices or another
/// label (such a chunk may still be uniform, but encoders never write it so). Offsets are
/// checked as [`decode`] checks them.
pub fn uniform_label<T: Label>(data: &[u8], size: Shape, block: Shape) -> Result<Option<T>, Error> {
    let corrupt = |m: String| Error::from(CsegError::Corrupt(m));
    let blocks: usize = block_grid(size, block)?.iter().product();
    let ch = first_channel(data, blocks)?;
    let len = ch.len();
    if len < 2 * blocks {
        return Err(corrupt(format!("channel 0: {len} words cannot hold {blocks} block headers")));
    }
    let mut label: Option<(usize, T)> = None;
    for b in 0..blocks {
        let h0 = ch.get(2 * b);
        if h0 >> 24 != 0 {
            return Ok(None);
        }
        let table_offset = (h0 & 0xff_ffff) as usize;
        if table_offset + T::WORDS > len || (ch.get(2 * b + 1) & 0xff_ffff) as usize > len {
            return Err(corrupt(format!("channel 0: block {b} offsets point past the {len}-word channel")));
        }
        // Blocks sharing a table (the encoder de-duplicates) need no second look.
        match label {
            Some((at, _)) if at == table_offset => continue,
            _ => {}
        }
        let here = ch.label_at::<T>(table_offset);
        match label {
            Some((_, l)) if l != here => return Ok(None),
            _ => label = Some((table_offset, here)),
        }
    }
    Ok(label.map(|(_, l)| l))
}

fn visit_channel<T: Label>(
    ch: Words<'_>,
    size: Shape,
    block: Shape,
    grid: [usize; 3],
    sink: &mut impl BlockSink<T>,
) -> Result<(), String> {
    let blocks: usize = grid.iter().product();
    let len = ch.len();
    if len < 2 * blocks {
        return Err(format!("{len} words cannot hold {blocks} block headers"));
    }
    let block_voxels: usize = block.iter().product();
    let mut table_buf: Vec<T> = Vec::new();
    for kz in 0..grid[2] {
        for ky in 0..grid[1] {
            for kx in 0..grid[0] {
                let b = kx + grid[0] * (ky + grid[1] * kz);
                let header = ch.block_header::<T>(b, blocks, block_voxels)?;
                let (bits, values_offset, table_len) = (header.bits, header.values_offset, header.table_len);
                let origin = [kx * block[0], ky * block[1], kz * block[2]];
                let extent = [0, 1, 2].map(|d| block[d].min(size[d] - origin[d]));
                let table = |i: usize| ch.table_entry::<T>(&header, i);
                if bits == 0 {
                    sink.uniform(origin, extent, table(0));
                    continue;
                }
                // Small tables are materialised once per block; wide ones are read in place.
                let small = bits <= 8;
                if small {
                    table_buf.clear();
                    table_buf.extend((0..table_len.min(1 << bits)).map(&table));
                }
                let mask = ((1u64 << bits) - 1) as u32;
                // When the table covers every index the bits can hold, no index needs checking.
                let checked = table_len <= mask as usize;
                for z in 0..extent[2] {
                    for y in 0..extent[1] {
                        let row = block[0] * (y + block[1] * z);
                        let dst = sink.row(origin, y, z, extent[0]);
                        if !checked && small && dst.len() == 8 && block[0] == 8 {
                            // A full 8-voxel row of ≤ 8-bit indices is one or two words.
                            let bit = row * bits as usize;
                            let (w, shift) = (values_offset + bit / 32, bit % 32);
                            let packed = if bits <= 4 {
                                u64::from(ch.get(w) >> shift)
                            } else {
                                u64::from(ch.get(w)) | (u64::from(ch.get(w + 1)) << 32)
                            };
                            for (j, slot) in dst.iter_mut().enumerate() {
                                *slot = table_buf[((packed >> (j * bits as usize)) as u32 & mask) as usize];
                            }
                            continue;
                        }
                        for (x, slot) in dst.iter_mut().enumerate() {
                            let bit = (row + x) * bits as usize;
                            let idx = ((ch.get(values_offset + bit / 32) >> (bit % 32)) & mask) as usize;
                            if idx >= table_len {
                                return Err(format!(
                                    "block {b} index {idx} exceeds its {table_len}-entry table"
                                ));
                            }
                            *slot = if small { table_buf[idx] } else { table(idx) };
                        }
                    }
                }
                sink.end_block(origin, extent);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precomputed::compressed_segmentation::encode;

    fn bytes(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn round_trips_every_width_and_odd_shapes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for distinct in [1usize, 2, 3, 4, 16, 17, 256, 257, 600] {
            for (size, block) in [
                ([8, 8, 8], [8, 8, 8]),
                ([13, 7, 5], [8, 8, 8]),
                ([40, 41, 3], [4, 5, 2]),
                ([90, 80, 10], [64, 64, 1]),
            ] {
                let labels: Vec<u64> = (0..distinct).map(|_| rand()).collect();
                let n: usize = size.iter().product();
                let v: Vec<u64> = (0..n).map(|_| labels[rand() as usize % distinct]).collect();
                let enc = bytes(&encode(&v, size, 1, block).unwrap());
                assert_eq!(decode::<u64>(&enc, size, 1, block).unwrap(), v, "{distinct} {size:?}");
                let v32: Vec<u32> = v.iter().map(|&x| x as u32).collect();
                let enc = bytes(&encode(&v32, size, 1, block).unwrap());
                assert_eq!(decode::<u32>(&enc, size, 1, block).unwrap(), v32);
            }
        }
    }

    #[test]
    fn multi_channel_round_trip() {
        let v: Vec<u64> = (0..3 * 5 * 6 * 7).map(|i| (i * 7 % 11) as u64).collect();
        let enc = bytes(&encode(&v, [5, 6, 7], 3, [2, 4, 3]).unwrap());
        assert_eq!(decode::<u64>(&enc, [5, 6, 7], 3, [2, 4, 3]).unwrap(), v);
    }

    #[test]
    fn rejects_corrupt_buffers() {
        let v: Vec<u64> = (0..512).map(|i| (i % 3) as u64).collect();
        let enc = bytes(&encode(&v, [8, 8, 8], 1, [8, 8, 8]).unwrap());
        let err = |d: &[u8]| decode::<u64>(d, [8, 8, 8], 1, [8, 8, 8]).unwrap_err();
        assert_eq!(err(&enc[..enc.len() - 1]).code(), "CSEG_CORRUPT");
        assert_eq!(err(&enc[..8]).code(), "CSEG_CORRUPT");
        assert_eq!(err(&[]).code(), "CSEG_CORRUPT");
        let mut bad_bits = enc.clone();
        bad_bits[7] = 3;
        assert!(err(&bad_bits).to_string().contains("encoding bits"));
        let mut bad_offset = enc.clone();
        bad_offset[4..8].copy_from_slice(&(0x0200_0000u32 | 4000).to_le_bytes());
        assert_eq!(err(&bad_offset).code(), "CSEG_CORRUPT");
        // Truncating the table leaves packed index 2 without a table entry.
        let trimmed = &enc[..enc.len() - 8];
        assert!(err(trimmed).to_string().contains("exceeds"), "{}", err(trimmed));
    }

    #[test]
    fn output_size_is_bounded_by_the_input_before_allocating() {
        let enc = bytes(&encode(&[7u64; 512], [8, 8, 8], 1, [8, 8, 8]).unwrap());
        assert_eq!(decoded_len(&enc, [8, 8, 8], 1, [8, 8, 8]).unwrap(), 512);
        // 2^30 voxels would be an 8 GiB output; these 20 bytes hold the headers of one block.
        let huge = decode::<u64>(&enc, [1024, 1024, 1024], 1, [8, 8, 8]).unwrap_err();
        assert_eq!(huge.code(), "CSEG_CORRUPT");
        assert!(huge.to_string().contains("cannot hold 1 channel(s) of 2097152 blocks"), "{huge}");
        assert_eq!(
            decoded_len(&enc, [1024, 1024, 1024], 2, [8, 8, 8]).unwrap_err().code(),
            "INVALID_ARGUMENT"
        );
        assert_eq!(decoded_len(&enc, [8, 8, 8], 1, [0, 8, 8]).unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
