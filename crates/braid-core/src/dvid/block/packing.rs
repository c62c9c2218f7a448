//! MSB-first bit packing of DVID sub-block values. A row of 8 voxels at `b` bits per value
//! is exactly `b` bytes, so rows are byte-aligned and can be read as one big-endian integer.

use super::parse::SUB_BLOCK_VOXELS;

/// Bits per packed value for a palette of `n` entries: `ceil(log2 n)`, 0 below 2.
pub(crate) fn bits_for(n: usize) -> u32 {
    if n < 2 { 0 } else { usize::BITS - (n - 1).leading_zeros() }
}

/// Calls `f(row, values)` for the 64 rows (`row = y + 8z`) of one sub-block packed with
/// `bits` (1..=9) bits per value; `packed` must hold `64 * bits` bytes.
#[inline]
pub(crate) fn for_each_row(packed: &[u8], bits: u32, mut f: impl FnMut(usize, [u16; 8])) {
    match bits {
        1 => rows::<1>(packed, &mut f),
        2 => rows::<2>(packed, &mut f),
        3 => rows::<3>(packed, &mut f),
        4 => rows::<4>(packed, &mut f),
        5 => rows::<5>(packed, &mut f),
        6 => rows::<6>(packed, &mut f),
        7 => rows::<7>(packed, &mut f),
        8 => rows::<8>(packed, &mut f),
        9 => rows::<9>(packed, &mut f),
        _ => unreachable!("DvidBlock::parse rejects more than 9 bits"),
    }
}

#[inline(always)]
fn rows<const B: usize>(packed: &[u8], f: &mut impl FnMut(usize, [u16; 8])) {
    let mask = (1u16 << B) - 1;
    for (row, bytes) in packed[..B * SUB_BLOCK_VOXELS / 8].chunks_exact(B).enumerate() {
        // Value j spans at most two bytes (B ≤ 9), at offsets known at compile time: reading
        // them directly avoids a 128-bit byte swap, which WebAssembly has no instructions for.
        let out: [u16; 8] = std::array::from_fn(|j| {
            let (at, end) = (B * j / 8, (B * j) % 8 + B);
            let pair = if end > 8 {
                u16::from_be_bytes([bytes[at], bytes[at + 1]])
            } else {
                u16::from(bytes[at]) << 8
            };
            (pair >> (16 - end)) & mask
        });
        f(row, out);
    }
}

/// Appends one row of 8 values at `bits` bits each (MSB first) to `out`.
pub(crate) fn push_row(out: &mut Vec<u8>, bits: u32, values: [u16; 8]) {
    let b = bits as usize;
    let v = values.iter().fold(0u128, |acc, &x| (acc << b) | u128::from(x));
    let be = (v << (128 - 8 * b)).to_be_bytes();
    out.extend_from_slice(&be[..b]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_for_is_ceil_log2() {
        let cases = [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (9, 4), (257, 9), (512, 9)];
        for (n, b) in cases {
            assert_eq!(bits_for(n), b, "n={n}");
        }
    }

    #[test]
    fn rows_round_trip_for_every_width() {
        for bits in 1..=9u32 {
            let mut packed = Vec::new();
            let rows: Vec<[u16; 8]> = (0..64)
                .map(|r| std::array::from_fn(|j| ((r * 8 + j) as u16 * 37) & ((1 << bits) - 1)))
                .collect();
            for r in &rows {
                push_row(&mut packed, bits, *r);
            }
            assert_eq!(packed.len(), 64 * bits as usize);
            let mut seen = Vec::new();
            for_each_row(&packed, bits, |i, v| {
                assert_eq!(v, rows[i]);
                seen.push(i);
            });
            assert_eq!(seen.len(), 64);
        }
    }

    #[test]
    fn matches_the_msb_first_vector() {
        // docs/formats/dvid.md §6.1: label index 0 for x<4, 1 otherwise → each row byte is 0000 1111.
        let mut packed = Vec::new();
        push_row(&mut packed, 1, [0, 0, 0, 0, 1, 1, 1, 1]);
        assert_eq!(packed, vec![0x0f]);
        // 3 bits: 000 001 010 011 100 000 001 010 → 05 38 0a.
        let mut packed = Vec::new();
        push_row(&mut packed, 3, [0, 1, 2, 3, 4, 0, 1, 2]);
        assert_eq!(packed, vec![0x05, 0x38, 0x0a]);
    }
}
