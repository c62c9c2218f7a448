//! The winner of one window's vote (docs/formats/downsampling.md §4.1, §4.4).
//!
//! `NZ = false` is TensorStore's "mode": most frequent value, ties to the smallest, 0 votes
//! like any label. `NZ = true` is DVID's downres: zeros do not vote, so 0 wins only a window
//! that is entirely 0. Both pick the smallest value among equally frequent candidates.

use crate::label::Label;

/// Winner of a fixed-size window (the 1–8 values of a window at most 2 wide over at most 4
/// rows). Row loops call it for windows whose chunk is not uniform; it stays out of line
/// because inlining it into all six row kernels made every one of them measurably slower.
#[inline(never)]
pub(crate) fn fixed<T: Label, const NZ: bool, const N: usize>(v: &[T; N]) -> T {
    match at_most_two::<T, NZ>(v) {
        Some(w) => w,
        None => many::<T, NZ, N>(v),
    }
}

/// Winner of a window of any size (reordered in place). Empty windows cannot occur; they
/// yield 0 rather than a panic.
pub(crate) fn any_size<T: Label, const NZ: bool>(v: &mut [T]) -> T {
    if let Some(w) = at_most_two::<T, NZ>(v) {
        return w;
    }
    v.sort_unstable();
    // Unsigned order puts the zeros first, so skipping them is a prefix cut.
    let start = if NZ { v.partition_point(|x| x.is_zero()) } else { 0 };
    let mut best = T::default();
    let mut best_count = 0usize;
    let mut rest = &v[start..];
    while let Some(&value) = rest.first() {
        let run = rest.iter().take_while(|&&x| x == value).count();
        // Strictly greater: the first (smallest) of equally long runs keeps the win.
        if run > best_count {
            best = value;
            best_count = run;
        }
        rest = &rest[run..];
    }
    best
}

/// The winner when the window holds one or two distinct labels, the overwhelmingly common
/// cases in segmentation (inside an object, on a boundary); `None` otherwise. Counting by
/// comparison against the first label and the first other label needs no sorting and no
/// data-dependent branches besides the two exits.
#[inline(always)]
fn at_most_two<T: Label, const NZ: bool>(v: &[T]) -> Option<T> {
    let a = *v.first()?;
    // u32 lanes: summing into usize measurably slowed the u64 kernels.
    let count = |x: T| v.iter().map(|&y| u32::from(x == y)).sum::<u32>() as usize;
    let count_a = count(a);
    if count_a == v.len() {
        return Some(a);
    }
    // The first value differing from `a`; a select chain rather than a search loop.
    let b = v.iter().fold(a, |acc, &x| if acc == a { x } else { acc });
    let count_b = count(b);
    (count_a + count_b == v.len()).then(|| two::<T, NZ>(a, count_a, b, count_b))
}

/// Winner of a window with three or more labels: each value is counted against the later
/// ones only, then a tournament of conditional moves picks the winner. A running "best so
/// far" comparison would mispredict on nearly every such window; this costs the same
/// whatever the values.
#[inline(always)]
fn many<T: Label, const NZ: bool, const N: usize>(v: &[T; N]) -> T {
    const { assert!(N.is_power_of_two(), "the tournament halves the candidates") };
    let mut counts = [1u32; N];
    for i in 0..N {
        for j in i + 1..N {
            let same = u32::from(v[i] == v[j]);
            counts[i] += same;
            counts[j] += same;
        }
    }
    let mut cand: [(u32, T); N] =
        std::array::from_fn(|i| (if NZ && v[i].is_zero() { 0 } else { counts[i] }, v[i]));
    let mut n = N;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            cand[i] = stronger(cand[2 * i], cand[2 * i + 1]);
        }
    }
    cand[0].1
}

/// The candidate with more votes, or the smaller value on a tie.
#[inline(always)]
fn stronger<T: Label>(a: (u32, T), b: (u32, T)) -> (u32, T) {
    let take_b = (b.0 > a.0) | ((b.0 == a.0) & (b.1 < a.1));
    if take_b { b } else { a }
}

/// Winner between two distinct labels with the given counts.
#[inline]
fn two<T: Label, const NZ: bool>(a: T, count_a: usize, b: T, count_b: usize) -> T {
    if NZ && a.is_zero() {
        return b;
    }
    if NZ && b.is_zero() {
        return a;
    }
    match count_a.cmp(&count_b) {
        std::cmp::Ordering::Greater => a,
        std::cmp::Ordering::Less => b,
        std::cmp::Ordering::Equal => a.min(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (window, TensorStore mode, DVID non-zero mode); downsampling.md §4.5 plus edge cases.
    const CASES: &[([u64; 8], u64, u64)] = &[
        ([0, 0, 0, 0, 0, 7, 7, 7], 0, 7),
        ([0, 0, 0, 0, 7, 7, 7, 7], 0, 7),
        ([7, 0, 0, 0, 0, 0, 0, 0], 0, 7),
        ([5, 5, 9, 9, 3, 3, 8, 8], 3, 3),
        ([2, 2, 1, 1, 1, 2, 0, 0], 1, 1),
        ([0; 8], 0, 0),
        ([4; 8], 4, 4),
        ([9, 8, 7, 6, 5, 4, 3, 2], 2, 2),
        ([u64::MAX, u64::MAX, 1 << 63, 1 << 63, 3, 3, 3, 0], 3, 3),
        ([u64::MAX, u64::MAX, 1 << 63, 1 << 63, 0, 0, 0, 0], 0, 1 << 63),
        ([0, 0, 0, 5, 5, 6, 6, 6], 0, 6),
    ];

    #[test]
    fn fixed_and_any_size_agree_with_the_table() {
        for &(w, ts, dvid) in CASES {
            assert_eq!(fixed::<u64, false, 8>(&w), ts, "{w:?}");
            assert_eq!(fixed::<u64, true, 8>(&w), dvid, "{w:?}");
            assert_eq!(any_size::<u64, false>(&mut w.clone()), ts, "{w:?}");
            assert_eq!(any_size::<u64, true>(&mut w.clone()), dvid, "{w:?}");
            // Truncation changes the window; the two kernels must still agree on it.
            let w32 = w.map(|x| x as u32);
            assert_eq!(fixed::<u32, false, 8>(&w32), any_size::<u32, false>(&mut w32.clone()));
            assert_eq!(fixed::<u32, true, 8>(&w32), any_size::<u32, true>(&mut w32.clone()));
        }
    }

    #[test]
    fn small_and_empty_windows() {
        assert_eq!(fixed::<u32, false, 2>(&[3, 2]), 2);
        assert_eq!(fixed::<u32, true, 2>(&[0, 2]), 2);
        assert_eq!(fixed::<u32, false, 2>(&[0, 2]), 0);
        assert_eq!(any_size::<u32, false>(&mut []), 0);
        assert_eq!(any_size::<u32, true>(&mut [0, 0, 0]), 0);
        assert_eq!(any_size::<u32, false>(&mut [100, 99, 99, 99]), 99);
        assert_eq!(any_size::<u32, false>(&mut [3, 3, 2, 2]), 2);
    }
}
