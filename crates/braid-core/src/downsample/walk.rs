//! Walks the output rows of a volume and hands each its input rows.

use super::domain::Axis;
use super::row::{STREAMING_BYTES, Scratch, downsample_row};
use crate::label::Label;

/// Most input rows one output row can draw on (`MAX_FACTOR²`).
const MAX_ROWS: usize = super::MAX_FACTOR * super::MAX_FACTOR;

/// Downsamples a validated x-fastest `input` whose axes are `[x, y, z]` into `out`
/// (`x.out_len · y.out_len · z.out_len` values, x-fastest).
pub(crate) fn run<T: Label, const NZ: bool>(input: &[T], [x, y, z]: [Axis; 3], out: &mut [T]) {
    if x.out_len == 0 {
        return;
    }
    let plane = x.len * y.len;
    let mut out_rows = out.chunks_exact_mut(x.out_len);
    let mut rows: [&[T]; MAX_ROWS] = [&[]; MAX_ROWS];
    let mut scratch = Scratch::new(x.out_len, std::mem::size_of_val(input) > STREAMING_BYTES);
    for jz in 0..z.out_len {
        let (z0, z1) = z.window(jz);
        for jy in 0..y.out_len {
            let (y0, y1) = y.window(jy);
            let mut n = 0;
            for iz in z0..z1 {
                for iy in y0..y1 {
                    let start = iz * plane + iy * x.len;
                    rows[n] = &input[start..start + x.len];
                    n += 1;
                }
            }
            if let Some(dst) = out_rows.next() {
                downsample_row::<T, NZ>(&rows[..n], x, dst, &mut scratch);
            }
        }
    }
}
