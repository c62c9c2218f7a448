//! DVID block → x-fastest uint64 volume, optionally remapping the block label list
//! positionally (the `labels` column of an export record, docs/formats/dvid.md §6.5).

use super::BlockError;
use super::packing::for_each_row;
use super::parse::{DvidBlock, SUB_BLOCK_EDGE, SubBlock};
use super::stored::with_raw_block;
use crate::Error;
use crate::volume::Shape;

/// Decodes a serialized block (raw or zstd-wrapped) to an x-fastest volume and its shape.
/// `mapping`, when given, replaces block label `L[i]` by `mapping[i]`.
pub fn decode_block(bytes: &[u8], mapping: Option<&[u64]>) -> Result<(Vec<u64>, Shape), Error> {
    with_block(bytes, |block| {
        let shape = block.shape();
        let mut out = vec![0u64; shape.iter().product()];
        decode_block_into(block, mapping, &mut out)?;
        Ok((out, shape))
    })?
}

/// Runs `f` on the parsed block (a zstd frame unwrapped first), for callers that size the
/// output themselves before [`decode_block_into`], e.g. in memory a JavaScript engine owns.
pub fn with_block<R>(bytes: &[u8], f: impl FnOnce(&DvidBlock<'_>) -> R) -> Result<R, Error> {
    with_raw_block(bytes, None, |raw| Ok(f(&DvidBlock::parse(raw)?)))
}

/// Decodes `block` into `out`, which must hold exactly the block's voxel count.
pub fn decode_block_into(
    block: &DvidBlock<'_>,
    mapping: Option<&[u64]>,
    out: &mut [u64],
) -> Result<(), Error> {
    let shape = block.shape();
    let n: usize = shape.iter().product();
    if out.len() != n {
        return Err(Error::InvalidArgument(format!(
            "output has {} voxels, block {shape:?} needs {n}",
            out.len()
        )));
    }
    let resolve = label_resolver(block, mapping)?;
    if block.solid_label().is_some() {
        out.fill(if block.label_count() == 0 { 0 } else { resolve(0) });
        return Ok(());
    }
    let mut table = [0u64; 512];
    for sub in block.sub_blocks() {
        let palette_len = sub.palette_len();
        if sub.bits == 0 {
            let label = if palette_len == 0 { 0 } else { resolve(sub.palette_entry(0)) };
            fill_sub_block(out, shape, &sub, label);
            continue;
        }
        for (k, t) in table[..palette_len].iter_mut().enumerate() {
            *t = resolve(sub.palette_entry(k));
        }
        let mut worst = 0u16;
        let [ox, oy, oz] = sub.origin;
        for_each_row(sub.packed, sub.bits, |row, idx| {
            let (y, z) = (row % SUB_BLOCK_EDGE, row / SUB_BLOCK_EDGE);
            let at = ox + shape[0] * (oy + y + shape[1] * (oz + z));
            let dst = &mut out[at..at + SUB_BLOCK_EDGE];
            for (d, &i) in dst.iter_mut().zip(idx.iter()) {
                worst = worst.max(i);
                *d = table[i as usize & 511];
            }
        });
        if worst as usize >= palette_len {
            return Err(
                BlockError::ValueOutOfRange { sub_block: sub.index, value: worst, palette_len }.into()
            );
        }
    }
    Ok(())
}

/// Maps a block-level label index to the output label, checking the mapping length once.
pub(crate) fn label_resolver<'b>(
    block: &'b DvidBlock<'_>,
    mapping: Option<&'b [u64]>,
) -> Result<impl Fn(usize) -> u64 + 'b, BlockError> {
    if let Some(m) = mapping {
        if m.len() != block.label_count() {
            return Err(BlockError::MappingLength { expected: block.label_count(), actual: m.len() });
        }
    }
    Ok(move |i: usize| match mapping {
        Some(m) => m[i],
        None => block.label(i),
    })
}

fn fill_sub_block(out: &mut [u64], shape: Shape, sub: &SubBlock<'_>, label: u64) {
    let [ox, oy, oz] = sub.origin;
    for z in 0..SUB_BLOCK_EDGE {
        for y in 0..SUB_BLOCK_EDGE {
            let at = ox + shape[0] * (oy + y + shape[1] * (oz + z));
            out[at..at + SUB_BLOCK_EDGE].fill(label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;

    fn two_label_block() -> Vec<u8> {
        let mut b = hex("01000000010000000100000002000000");
        b.extend(hex("0700000000000000090000000000000002000000000001000000"));
        b.extend(std::iter::repeat_n(0x0f, 64));
        b
    }

    #[test]
    fn decodes_the_two_label_vector() {
        let b = two_label_block();
        assert_eq!(b.len(), 106);
        let (v, shape) = decode_block(&b, None).unwrap();
        assert_eq!(shape, [8, 8, 8]);
        for (i, &l) in v.iter().enumerate() {
            assert_eq!(l, if i % 8 < 4 { 7 } else { 9 }, "voxel {i}");
        }
        let (mapped, _) = decode_block(&b, Some(&[100, 200])).unwrap();
        assert_eq!(&mapped[..8], &[100, 100, 100, 100, 200, 200, 200, 200]);
    }

    #[test]
    fn rejects_values_past_the_palette() {
        // 3 labels → 2 bits; value 3 is out of range.
        let mut b = hex("01000000010000000100000003000000");
        b.extend(hex("010000000000000002000000000000000300000000000000"));
        b.extend(hex("0300"));
        b.extend(hex("000000000100000002000000"));
        let mut values = vec![0u8; 128];
        values[5] = 0x03;
        b.extend(values);
        let err = decode_block(&b, None).unwrap_err();
        assert_eq!(err.code(), "DVID_CORRUPT");
        assert!(err.to_string().contains("sub-block 0"), "{err}");
    }

    #[test]
    fn rejects_wrong_mapping_length() {
        let err = decode_block(&two_label_block(), Some(&[1])).unwrap_err();
        assert_eq!(err.code(), "DVID_MAPPING_MISMATCH");
    }

    #[test]
    fn n_zero_decodes_to_zeros() {
        let (v, _) = decode_block(&hex("01000000010000000100000000000000"), None).unwrap();
        assert!(v.iter().all(|&x| x == 0));
    }
}
