//! Voxel domain of a downsampled scale, by TensorStore's `DownsampleInterval` rule (§1.5).

use crate::sharded::ShardedError;

/// Domain `(voxel_offset, size)` of the scale obtained by downsampling the domain `[offset,
/// offset + size)` by `factors`: per axis `[floor(o / f), ceil((o + s) / f))`, rounding toward
/// negative infinity for negative offsets too.
///
/// This is what TensorStore's `mode`/`mean` downsample view exposes, so a scale written with it
/// accepts `ts.downsample(...)` output without a domain mismatch (CloudVolume's `ceil(s / f)`
/// differs for odd offsets). An empty axis stays empty, at `floor(o / f)`, as in TensorStore.
/// Fails when a factor is 0.
pub fn downsampled_domain(
    offset: [i64; 3],
    size: [u64; 3],
    factors: [u64; 3],
) -> Result<([i64; 3], [u64; 3]), ShardedError> {
    if factors.contains(&0) {
        return Err(ShardedError::InvalidArgument(format!(
            "downsample factors {factors:?} have a zero axis"
        )));
    }
    let mut new_offset = [0i64; 3];
    let mut new_size = [0u64; 3];
    for d in 0..3 {
        // i128 holds offset + size for every input, so nothing here can overflow.
        let f = i128::from(factors[d]);
        let lo = i128::from(offset[d]);
        let hi = lo + i128::from(size[d]);
        let new_lo = lo.div_euclid(f);
        // TensorStore keeps an empty interval empty; the ceil formula would give one voxel
        // when o is not a multiple of f.
        let new_hi = if size[d] == 0 { new_lo } else { -((-hi).div_euclid(f)) };
        // |new_lo| <= |offset| and new_hi - new_lo <= size (f = 1) or size / f + 2 (f >= 2).
        new_offset[d] = i64::try_from(new_lo).expect("floor(o / f) lies between o and 0");
        new_size[d] = u64::try_from(new_hi - new_lo).expect("downsampled extent fits in u64");
    }
    Ok((new_offset, new_size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(o: i64, s: u64, f: u64) -> (i64, u64) {
        let (off, size) = downsampled_domain([o, 0, 0], [s, 0, 0], [f, 1, 1]).unwrap();
        (off[0], size[0])
    }

    #[test]
    fn follows_the_tensorstore_rule() {
        // §1.5: o = 3, s = 10 -> [1, 7).
        assert_eq!(axis(3, 10, 2), (1, 6));
        assert_eq!(axis(0, 94088, 2), (0, 47044));
        assert_eq!(axis(0, 78317, 2), (0, 39159));
        assert_eq!(axis(0, 7, 4), (0, 2));
        assert_eq!(axis(0, 0, 2), (0, 0));
        // Empty stays empty even where [floor(3/2), ceil(3/2)) would hold one voxel.
        assert_eq!(axis(3, 0, 2), (1, 0));
        assert_eq!(axis(-3, 0, 2), (-2, 0));
        // Negative offsets round toward negative infinity: [-3, 2) -> [-2, 1).
        assert_eq!(axis(-3, 5, 2), (-2, 3));
        assert_eq!(axis(-4, 4, 2), (-2, 2));
        assert_eq!(axis(-5, 1, 4), (-2, 1));
    }

    #[test]
    fn handles_extreme_inputs_and_rejects_zero_factors() {
        assert_eq!(axis(i64::MAX, u64::MAX, 1), (i64::MAX, u64::MAX));
        assert_eq!(axis(i64::MIN, u64::MAX, 1), (i64::MIN, u64::MAX));
        assert_eq!(axis(i64::MIN, 0, 2), (i64::MIN / 2, 0));
        let (off, size) = downsampled_domain([10, 11, -7], [100, 51, 20], [2, 2, 1]).unwrap();
        assert_eq!((off, size), ([5, 5, -7], [50, 26, 20]));
        assert_eq!(downsampled_domain([0; 3], [8; 3], [2, 0, 2]).unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
