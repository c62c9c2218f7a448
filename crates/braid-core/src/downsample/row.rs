//! One output row along x, from the input rows of its y/z window.

use super::domain::Axis;
use super::vote;
use crate::cseg::Label;

/// Values in the largest window (`MAX_FACTOR³`).
pub(crate) const MAX_WINDOW: usize = super::MAX_FACTOR * super::MAX_FACTOR * super::MAX_FACTOR;

/// Scratch space for one window of any shape, reused across windows.
pub(crate) type Scratch<T> = [T; MAX_WINDOW];

/// Fills `out` (`x.out_len` values) from `rows`, the input rows (each `x.len` long) that the
/// y/z window of this output row covers.
#[inline]
pub(crate) fn downsample_row<T: Label, const NZ: bool>(
    rows: &[&[T]],
    x: Axis,
    out: &mut [T],
    scratch: &mut Scratch<T>,
) {
    // Windows 1 or 2 wide over 1, 2 or 4 rows (8 values at most) take the fixed-size kernel:
    // every 2×2×2, 2×2×1 or 1×2×2 pyramid step, including its y/z edges.
    match (x.factor, rows.len()) {
        (1, 1) => fixed_width::<T, NZ, 1, 1, 1>(rows, x, out, scratch),
        (1, 2) => fixed_width::<T, NZ, 1, 2, 2>(rows, x, out, scratch),
        (1, 4) => fixed_width::<T, NZ, 1, 4, 4>(rows, x, out, scratch),
        (2, 1) => fixed_width::<T, NZ, 2, 1, 2>(rows, x, out, scratch),
        (2, 2) => fixed_width::<T, NZ, 2, 2, 4>(rows, x, out, scratch),
        (2, 4) => fixed_width::<T, NZ, 2, 4, 8>(rows, x, out, scratch),
        _ => {
            for (j, o) in out.iter_mut().enumerate() {
                *o = window::<T, NZ>(rows, x.window(j), scratch);
            }
        }
    }
}

/// Winner of the window `[start, end)` of every row, for windows without a fixed size.
#[inline]
fn window<T: Label, const NZ: bool>(
    rows: &[&[T]],
    (start, end): (usize, usize),
    scratch: &mut Scratch<T>,
) -> T {
    let mut n = 0;
    for row in rows {
        for (slot, &v) in scratch[n..].iter_mut().zip(&row[start..end]) {
            *slot = v;
            n += 1;
        }
    }
    vote::any_size::<T, NZ>(&mut scratch[..n])
}

/// Output voxels tested together for uniformity before any per-window work; measured best
/// on real and synthetic segmentation (4 and 8 lose more on boundary chunks than they save
/// inside blobs).
const CHUNK: usize = 2;

/// Windows `F` wide over `R` rows: the full windows go through the fixed `N = F·R` kernel,
/// a partial first window (origin not a multiple of `F`) and a partial last one through the
/// general one.
#[inline]
fn fixed_width<T: Label, const NZ: bool, const F: usize, const R: usize, const N: usize>(
    rows: &[&[T]],
    x: Axis,
    out: &mut [T],
    scratch: &mut Scratch<T>,
) {
    let Ok(rows) = <[&[T]; R]>::try_from(rows) else { return };
    if out.is_empty() {
        return;
    }
    // Input voxels before the first window boundary.
    let lead = (F - x.phase) % F;
    let first = usize::from(lead > 0);
    if first == 1 {
        out[0] = window::<T, NZ>(&rows, x.window(0), scratch);
    }
    let full = x.len.saturating_sub(lead) / F;
    // Trimming every row to exactly the full windows lets LLVM drop the bounds checks.
    let body = rows.map(|r| &r[lead..lead + F * full]);
    let mut chunks = out[first..first + full].chunks_exact_mut(CHUNK);
    for (c, dst) in (&mut chunks).enumerate() {
        let x0 = F * CHUNK * c;
        let head = &body[0][x0..x0 + F * CHUNK];
        // Every value equals the first of its window in row 0; non-short-circuiting so the
        // compares vectorise.
        let uniform = body
            .iter()
            .fold(true, |all, row| (0..F * CHUNK).fold(all, |all, i| all & (row[x0 + i] == head[i - i % F])));
        if uniform {
            for (d, h) in dst.iter_mut().zip(head.iter().step_by(F)) {
                *d = *h;
            }
        } else {
            for (i, d) in dst.iter_mut().enumerate() {
                *d = vote::fixed::<T, NZ, N>(&gather::<T, F, R, N>(&body, x0 + F * i));
            }
        }
    }
    let done = full - chunks.into_remainder().len();
    for (k, d) in out[first + done..first + full].iter_mut().enumerate() {
        *d = vote::fixed::<T, NZ, N>(&gather::<T, F, R, N>(&body, F * (done + k)));
    }
    if let Some(last) = out.get_mut(first + full) {
        *last = window::<T, NZ>(&rows, x.window(first + full), scratch);
    }
}

/// The `N = F·R` values at `x .. x + F` of every row.
#[inline(always)]
fn gather<T: Label, const F: usize, const R: usize, const N: usize>(rows: &[&[T]; R], x: usize) -> [T; N] {
    let mut v = [T::default(); N];
    for (r, row) in rows.iter().enumerate() {
        for k in 0..F {
            v[F * r + k] = row[x + k];
        }
    }
    v
}
