//! The obvious mode-downsampling reference the fast kernel is checked against, shared by
//! the core's tests and the `downsample` fuzz target.

use std::collections::BTreeMap;

use braid_core::downsample::{Downsampled, Method};
use braid_core::label::Label;

/// Per output voxel: visit its absolute window, keep the voxels inside the input, count with
/// a map, take the most votes and the smallest value among equals. Coordinates are i128 so
/// origins near the ends of i64 cannot overflow here.
pub fn naive<T: Label>(
    input: &[T],
    origin: [i64; 3],
    shape: [usize; 3],
    f: [usize; 3],
    method: Method,
) -> Downsampled<T> {
    let o = origin.map(i128::from);
    let s = shape.map(|x| x as i128);
    let f = f.map(|x| x as i128);
    let lo = [0, 1, 2].map(|d| o[d].div_euclid(f[d]));
    let hi = [0, 1, 2].map(|d| if s[d] == 0 { lo[d] } else { (o[d] + s[d] + f[d] - 1).div_euclid(f[d]) });
    let inside = |d: usize, a: i128| a >= o[d] && a < o[d] + s[d];
    let mut data = Vec::new();
    for oz in lo[2]..hi[2] {
        for oy in lo[1]..hi[1] {
            for ox in lo[0]..hi[0] {
                let mut votes = BTreeMap::<T, usize>::new();
                for az in (oz * f[2]..(oz + 1) * f[2]).filter(|&a| inside(2, a)) {
                    for ay in (oy * f[1]..(oy + 1) * f[1]).filter(|&a| inside(1, a)) {
                        for ax in (ox * f[0]..(ox + 1) * f[0]).filter(|&a| inside(0, a)) {
                            let [x, y, z] = [ax - o[0], ay - o[1], az - o[2]].map(|c| c as usize);
                            let v = input[x + shape[0] * (y + shape[1] * z)];
                            if !(method == Method::ModeNonzero && v.is_zero()) {
                                *votes.entry(v).or_default() += 1;
                            }
                        }
                    }
                }
                let winner = votes
                    .iter()
                    .fold((T::default(), 0), |best, (&v, &c)| if c > best.1 { (v, c) } else { best });
                data.push(winner.0);
            }
        }
    }
    let origin = lo.map(|x| x as i64);
    Downsampled { data, origin, shape: [0, 1, 2].map(|d| (hi[d] - lo[d]) as usize) }
}
