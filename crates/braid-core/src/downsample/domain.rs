//! Output domains and per-axis window geometry (docs/formats/downsampling.md §4.2,
//! docs/formats/precomputed.md §1.5).

use super::{DownsampleError, MAX_FACTOR};
use crate::volume::Shape;

/// A box of voxels in absolute coordinates: `[origin, origin + shape)` per axis (x, y, z).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Domain {
    /// Absolute coordinate of the first voxel.
    pub origin: [i64; 3],
    /// Extent per axis.
    pub shape: Shape,
}

impl Domain {
    /// Number of voxels, or `None` when it does not fit in `usize`.
    pub fn voxel_count(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
    }
}

/// The domain TensorStore's `downsample` view gives the input box `[origin, origin + shape)`:
/// per axis `[floor(o/f), ceil((o+s)/f))`, and an empty axis stays empty at `floor(o/f)`.
///
/// Works for boxes of any size (a whole dataset, not just what one call can process).
pub fn output_domain(origin: [i64; 3], shape: Shape, factors: [usize; 3]) -> Result<Domain, DownsampleError> {
    check_factors(factors)?;
    let mut out = Domain { origin: [0; 3], shape: [0; 3] };
    for d in 0..3 {
        let f = factors[d] as i64;
        let end = i64::try_from(shape[d]).ok().and_then(|s| origin[d].checked_add(s)).ok_or_else(|| {
            DownsampleError::InvalidDomain(format!(
                "origin {} + extent {} on axis {d} overflows i64",
                origin[d], shape[d]
            ))
        })?;
        let lo = origin[d].div_euclid(f);
        // TensorStore keeps an empty interval empty instead of rounding its end up.
        let hi = if shape[d] == 0 { lo } else { end.div_euclid(f) + i64::from(end.rem_euclid(f) != 0) };
        out.origin[d] = lo;
        // hi - lo <= shape + 1, which fits because shape + origin did not overflow.
        out.shape[d] = (hi - lo) as usize;
    }
    Ok(out)
}

/// Rejects factors outside `1..=MAX_FACTOR`.
pub(crate) fn check_factors(factors: [usize; 3]) -> Result<(), DownsampleError> {
    match factors.iter().position(|&f| f == 0 || f > MAX_FACTOR) {
        Some(axis) => Err(DownsampleError::InvalidFactor { axis, factor: factors[axis] }),
        None => Ok(()),
    }
}

/// Window geometry along one axis, in coordinates local to the input (0 = first input voxel).
///
/// Windows are anchored at absolute 0, so relative to the input they are shifted by `phase`
/// (`origin mod factor`): output `j` covers local `[j·f − phase, (j+1)·f − phase)` clipped to
/// `[0, len)`. Only the first and the last window can be partial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Axis {
    /// Downsampling factor.
    pub factor: usize,
    /// `origin mod factor`, in `0..factor`.
    pub phase: usize,
    /// Input extent.
    pub len: usize,
    /// Output extent.
    pub out_len: usize,
}

impl Axis {
    /// Geometry of axis `d` of a validated input/output domain pair.
    pub fn new(origin: i64, len: usize, factor: usize, out_len: usize) -> Axis {
        let phase = origin.rem_euclid(factor as i64) as usize;
        Axis { factor, phase, len, out_len }
    }

    /// Local input range `[start, end)` of output `j < out_len`; never empty.
    #[inline]
    pub fn window(&self, j: usize) -> (usize, usize) {
        let start = (j * self.factor).saturating_sub(self.phase);
        let end = ((j + 1) * self.factor - self.phase).min(self.len);
        (start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis_domain(o: i64, s: usize, f: usize) -> (i64, usize) {
        let d = output_domain([o, 0, 0], [s, 1, 1], [f, 1, 1]).unwrap();
        (d.origin[0], d.shape[0])
    }

    #[test]
    fn follows_tensorstore_interval_rule() {
        // Values checked against TensorStore 0.1.86 `ts.downsample(...).domain`.
        assert_eq!(axis_domain(3, 10, 2), (1, 6));
        assert_eq!(axis_domain(0, 7, 2), (0, 4));
        assert_eq!(axis_domain(-7, 5, 4), (-2, 2));
        assert_eq!(axis_domain(-1, 1, 2), (-1, 1));
        assert_eq!(axis_domain(5, 1, 4), (1, 1));
        assert_eq!(axis_domain(3, 0, 2), (1, 0));
        assert_eq!(axis_domain(0, 94088, 2), (0, 47044));
        assert_eq!(axis_domain(0, 78317, 2), (0, 39159));
        assert_eq!(axis_domain(0, 134576, 2), (0, 67288));
        assert_eq!(axis_domain(0, 1, 2), (0, 1));
        assert_eq!(axis_domain(6, 9, 3), (2, 3));
        // Empty stays empty at floor(o/f), also below 0.
        assert_eq!(axis_domain(-3, 0, 2), (-2, 0));
        assert_eq!(axis_domain(i64::MIN, 0, 2), (i64::MIN / 2, 0));
        // Negative offsets round toward negative infinity: [-3, 2) -> [-2, 1).
        assert_eq!(axis_domain(-3, 5, 2), (-2, 3));
        assert_eq!(axis_domain(-4, 4, 2), (-2, 2));
        assert_eq!(axis_domain(-5, 1, 4), (-2, 1));
        let d = output_domain([10, 11, -7], [100, 51, 20], [2, 2, 1]).unwrap();
        assert_eq!((d.origin, d.shape), ([5, 5, -7], [50, 26, 20]));
    }

    #[test]
    fn refuses_bad_factors_and_overflow() {
        assert_eq!(
            output_domain([0; 3], [4; 3], [2, 0, 2]),
            Err(DownsampleError::InvalidFactor { axis: 1, factor: 0 })
        );
        assert!(matches!(
            output_domain([0; 3], [4; 3], [2, 2, 5]),
            Err(DownsampleError::InvalidFactor { axis: 2, factor: 5 })
        ));
        let e = output_domain([i64::MAX - 1, 0, 0], [2, 1, 1], [2, 2, 2]).unwrap_err();
        assert!(matches!(e, DownsampleError::InvalidDomain(_)));
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        let ok = output_domain([i64::MAX - 1, i64::MIN, 0], [1, 1, 1], [4, 3, 2]).unwrap();
        assert_eq!(ok.shape, [1, 1, 1]);
        assert_eq!(ok.origin, [(i64::MAX - 1).div_euclid(4), i64::MIN.div_euclid(3), 0]);
    }

    #[test]
    fn windows_tile_the_input_exactly() {
        for f in 1..=4 {
            for o in -9i64..9 {
                for len in 0..13 {
                    let d = output_domain([o, 0, 0], [len, 1, 1], [f, 1, 1]).unwrap();
                    let ax = Axis::new(o, len, f, d.shape[0]);
                    let mut next = 0;
                    for j in 0..ax.out_len {
                        let (s, e) = ax.window(j);
                        assert_eq!(s, next, "o={o} len={len} f={f} j={j}");
                        assert!(e > s && e - s <= f);
                        // Absolute window start is a multiple of f unless clipped by the input.
                        let abs = o + s as i64;
                        assert!(s == 0 || abs.rem_euclid(f as i64) == 0);
                        assert_eq!((d.origin[0] + j as i64), abs.div_euclid(f as i64));
                        next = e;
                    }
                    assert_eq!(next, len);
                }
            }
        }
    }
}
