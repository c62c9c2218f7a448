//! One output row along x, from the input rows of its y/z window.

use super::domain::Axis;
use super::vote;
use crate::label::Label;

/// Values in the largest window (`MAX_FACTOR³`).
const MAX_WINDOW: usize = super::MAX_FACTOR * super::MAX_FACTOR * super::MAX_FACTOR;

/// Inputs larger than this stream from memory rather than sit in cache, and take the
/// two-pass row kernel; smaller ones (a chunk, a compressed_segmentation block) are faster
/// with one interleaved pass. Measured: 64³ uint64 (2 MiB) is 10% faster interleaved, 256³
/// 35% faster in two passes, and 8³ blocks 20% faster interleaved.
pub(crate) const STREAMING_BYTES: usize = 4 << 20;

/// Working memory reused across the rows of one volume.
pub(crate) struct Scratch<T> {
    /// One window's values, for windows without a fixed size.
    window: [T; MAX_WINDOW],
    /// For the two-pass kernel, per output voxel of the current row: the OR of every value
    /// XOR the window's first value, 0 exactly when the window is uniform. Empty when rows
    /// are processed in one pass.
    diff: Vec<T>,
}

impl<T: Label> Scratch<T> {
    /// Scratch for output rows of up to `out_len` voxels, for the two-pass kernel if
    /// `streaming`.
    pub(crate) fn new(out_len: usize, streaming: bool) -> Self {
        let diff = if streaming { vec![T::default(); out_len] } else { Vec::new() };
        Scratch { window: [T::default(); MAX_WINDOW], diff }
    }
}

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
                *o = window::<T, NZ>(rows, x.window(j), &mut scratch.window);
            }
        }
    }
}

/// Winner of the window `[start, end)` of every row, for windows without a fixed size.
#[inline]
fn window<T: Label, const NZ: bool>(
    rows: &[&[T]],
    (start, end): (usize, usize),
    scratch: &mut [T; MAX_WINDOW],
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
        out[0] = window::<T, NZ>(&rows, x.window(0), &mut scratch.window);
    }
    let full = x.len.saturating_sub(lead) / F;
    // Trimming every row to exactly the full windows lets LLVM drop the bounds checks.
    let body = rows.map(|r| &r[lead..lead + F * full]);
    let heads = &mut out[first..first + full];
    match scratch.diff.get_mut(..full) {
        Some(diff) => two_pass::<T, NZ, F, R, N>(&body, heads, diff),
        None => interleaved::<T, NZ, F, R, N>(&body, heads),
    }
    if let Some(last) = out.get_mut(first + full) {
        *last = window::<T, NZ>(&rows, x.window(first + full), &mut scratch.window);
    }
}

/// Output voxels tested together for uniformity before any per-window work; measured best
/// on real and synthetic segmentation (4 and 8 lose more on boundary chunks than they save
/// inside blobs).
const CHUNK: usize = 2;

/// Full windows of rows in cache: each pair of windows is tested for uniformity across all
/// rows at once and voted on right away.
#[inline]
fn interleaved<T: Label, const NZ: bool, const F: usize, const R: usize, const N: usize>(
    body: &[&[T]; R],
    out: &mut [T],
) {
    let len = out.len();
    let mut chunks = out.chunks_exact_mut(CHUNK);
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
                *d = vote::fixed::<T, NZ, N>(&gather::<T, F, R, N>(body, x0 + F * i));
            }
        }
    }
    let done = len - chunks.into_remainder().len();
    for (k, d) in out[done..].iter_mut().enumerate() {
        *d = vote::fixed::<T, NZ, N>(&gather::<T, F, R, N>(body, F * (done + k)));
    }
}

/// Full windows of rows streaming from memory, in two passes: the first reads each row once,
/// front to back, to find the uniform windows (the inside of objects, most of any
/// segmentation); the second votes on the rest with the rows now in L1. Interleaving the
/// rows window by window ran at half the memory bandwidth on 256³ volumes.
#[inline]
fn two_pass<T: Label, const NZ: bool, const F: usize, const R: usize, const N: usize>(
    body: &[&[T]; R],
    heads: &mut [T],
    diff: &mut [T],
) {
    // Every window starts out as its first value, the winner if the window is uniform;
    // XOR/OR rather than compares so the scan vectorises on baseline x86-64.
    for ((head, d), w) in heads.iter_mut().zip(diff.iter_mut()).zip(body[0].chunks_exact(F)) {
        *head = w[0];
        *d = w.iter().fold(T::default(), |acc, &v| acc | (v ^ w[0]));
    }
    for row in &body[1..] {
        for ((&head, d), w) in heads.iter().zip(diff.iter_mut()).zip(row.chunks_exact(F)) {
            *d = w.iter().fold(*d, |acc, &v| acc | (v ^ head));
        }
    }
    let zero = T::default();
    for (j, (head, &d)) in heads.iter_mut().zip(diff.iter()).enumerate() {
        if d != zero {
            *head = vote::fixed::<T, NZ, N>(&gather::<T, F, R, N>(body, F * j));
        }
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
