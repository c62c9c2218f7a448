//! x-fastest uint64 volume → DVID block bytes, as DVID's `MakeBlock` + `MarshalBinary` write
//! them, except that the block label list is in first-seen order instead of Go map order.

use std::collections::HashMap;

use super::BlockError;
use super::packing::{bits_for, push_row};
use super::parse::{SUB_BLOCK_EDGE, SUB_BLOCK_VOXELS};
use crate::Error;
use crate::volume::{Shape, check_len};

/// Encodes `volume` (x-fastest, `shape` a positive multiple of 8 per axis) as a DVID block.
/// A volume with one distinct label becomes the 24-byte solid form; N = 0 is never written.
pub fn encode_block(volume: &[u64], shape: Shape) -> Result<Vec<u8>, Error> {
    check_len(volume.len(), shape, 1, "volume")?;
    if shape.iter().any(|&d| d == 0 || d % SUB_BLOCK_EDGE != 0) {
        return Err(BlockError::Unencodable(format!(
            "shape {shape:?} is not a positive multiple of {SUB_BLOCK_EDGE} per axis"
        ))
        .into());
    }
    let grid = shape.map(|d| d / SUB_BLOCK_EDGE);
    let sub_blocks = grid.iter().product::<usize>();
    let header = |n: usize, out: &mut Vec<u8>| {
        for g in grid {
            out.extend_from_slice(&(g as u32).to_le_bytes());
        }
        out.extend_from_slice(&(n as u32).to_le_bytes());
    };

    let mut block_labels: Vec<u64> = Vec::new();
    let mut block_index: HashMap<u64, u32> = HashMap::new();
    let mut counts: Vec<u16> = Vec::with_capacity(sub_blocks);
    let mut palette: Vec<u32> = Vec::new();
    let mut packed: Vec<u8> = Vec::new();
    let mut sub_labels: Vec<u64> = Vec::with_capacity(SUB_BLOCK_VOXELS);
    let mut values = [0u16; SUB_BLOCK_VOXELS];

    for gz in 0..grid[2] {
        for gy in 0..grid[1] {
            for gx in 0..grid[0] {
                sub_labels.clear();
                let mut last = None;
                for (k, v) in values.iter_mut().enumerate() {
                    let (x, y, z) = (k % 8, k / 8 % 8, k / 64);
                    let at = gx * 8 + x + shape[0] * (gy * 8 + y + shape[1] * (gz * 8 + z));
                    let label = volume[at];
                    let idx = match last {
                        Some((l, i)) if l == label => i,
                        _ => match sub_labels.iter().position(|&l| l == label) {
                            Some(i) => i as u16,
                            None => {
                                sub_labels.push(label);
                                (sub_labels.len() - 1) as u16
                            }
                        },
                    };
                    last = Some((label, idx));
                    *v = idx;
                }
                counts.push(sub_labels.len() as u16);
                for &l in &sub_labels {
                    let next = block_labels.len() as u32;
                    let i = *block_index.entry(l).or_insert_with(|| {
                        block_labels.push(l);
                        next
                    });
                    palette.push(i);
                }
                let bits = bits_for(sub_labels.len());
                if bits > 0 {
                    for row in values.chunks_exact(8) {
                        push_row(&mut packed, bits, row.try_into().expect("8 values"));
                    }
                }
            }
        }
    }

    let n = block_labels.len();
    let mut out = Vec::with_capacity(16 + 8 * n + 2 * sub_blocks + 4 * palette.len() + packed.len());
    header(n, &mut out);
    for l in &block_labels {
        out.extend_from_slice(&l.to_le_bytes());
    }
    if n < 2 {
        return Ok(out);
    }
    for c in counts {
        out.extend_from_slice(&c.to_le_bytes());
    }
    for p in palette {
        out.extend_from_slice(&p.to_le_bytes());
    }
    out.extend_from_slice(&packed);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dvid::block::decode_block;
    use crate::test_util::{hex, sha256_hex};

    fn volume(shape: Shape, f: impl Fn(usize, usize, usize) -> u64) -> Vec<u64> {
        let mut v = Vec::new();
        for z in 0..shape[2] {
            for y in 0..shape[1] {
                for x in 0..shape[0] {
                    v.push(f(x, y, z));
                }
            }
        }
        v
    }

    #[test]
    fn writes_the_format_vectors() {
        let solid = encode_block(&vec![42; 64 * 64 * 64], [64, 64, 64]).unwrap();
        assert_eq!(solid, hex("080000000800000008000000010000002a00000000000000"));
        let two = encode_block(&volume([8, 8, 8], |x, _, _| if x < 4 { 7 } else { 9 }), [8, 8, 8]).unwrap();
        assert_eq!(two.len(), 106);
        assert_eq!(&two[..16], &hex("01000000010000000100000002000000")[..]);
        assert!(two[42..].iter().all(|&b| b == 0x0f));
        let five =
            encode_block(&volume([8, 8, 8], |x, y, z| [0, 11, 22, 33, 44][(x + y + z) % 5]), [8, 8, 8])
                .unwrap();
        assert_eq!(five.len(), 270);
        assert_eq!(sha256_hex(&five), "7e5b742812a2a9ef814a02e8ca05cfa250dfcf65d24ba9f54af539e5e502fa71");
    }

    #[test]
    fn round_trips_odd_grids() {
        let shape = [24, 16, 8];
        let v = volume(shape, |x, y, z| ((x * 7 + y * 3 + z) % 11) as u64 * 1_000_000_007);
        let b = encode_block(&v, shape).unwrap();
        assert_eq!(decode_block(&b, None).unwrap(), (v, shape));
    }

    #[test]
    fn rejects_unaligned_shapes() {
        let err = encode_block(&[0; 12 * 8 * 8], [12, 8, 8]).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
    }
}
