//! Writing packed table indices for blocks 8 voxels wide: a row of 8 indices at `bits`
//! (≤ 16) bits is assembled in a register and ORed into the area once, instead of one
//! read-modify-write per voxel on the same word.

/// ORs the indices of one block row (`idx[..len]`, `len ≤ 8`) into `area`. `row` is the
/// row number inside the block (`y + by*z`); rows are `8 * bits` bits apart.
// Always inlined: called once per row, and rustc left it out of line in the wasm build.
#[inline(always)]
pub(crate) fn or_row8(area: &mut [u32], row: usize, bits: u32, idx: &[u32; 8], len: usize) {
    let b = bits as usize;
    let bit = row * 8 * b;
    if b <= 4 {
        let mut acc = 0u32;
        for (j, &i) in idx.iter().enumerate().take(len) {
            acc |= i << (j * b);
        }
        area[bit / 32] |= acc << (bit % 32);
    } else if b <= 8 {
        let mut acc = 0u64;
        for (j, &i) in idx.iter().enumerate().take(len) {
            acc |= u64::from(i) << (j * b);
        }
        area[bit / 32] |= acc as u32;
        area[bit / 32 + 1] |= (acc >> 32) as u32;
    } else {
        let mut acc = 0u128;
        for (j, &i) in idx.iter().enumerate().take(len) {
            acc |= u128::from(i) << (j * b);
        }
        for w in 0..(8 * b / 32) {
            area[bit / 32 + w] |= (acc >> (32 * w)) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_per_voxel_packing() {
        for bits in [1u32, 2, 4, 8, 16] {
            let words = (bits as usize * 512).div_ceil(32);
            let mut fast = vec![0u32; words];
            let mut slow = vec![0u32; words];
            for row in 0..64 {
                let len = 1 + row % 8;
                let idx: [u32; 8] = std::array::from_fn(|j| {
                    ((row * 8 + j) as u32).wrapping_mul(2654435761) & ((1 << bits) - 1)
                });
                or_row8(&mut fast, row, bits, &idx, len);
                for (j, &i) in idx.iter().enumerate().take(len) {
                    let bit = (row * 8 + j) * bits as usize;
                    slow[bit / 32] |= i << (bit % 32);
                }
            }
            assert_eq!(fast, slow, "bits {bits}");
        }
    }
}
