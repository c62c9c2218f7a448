//! Mode downsampling of label volumes (docs/formats/downsampling.md §4), identical to TensorStore's
//! `downsample(..., "mode")`, plus DVID's downres rule that never lets background win.
//!
//! Windows are anchored at absolute coordinate 0, so the input's `origin` matters: output
//! voxel `X` covers input `[X·f, (X+1)·f)` per axis, clipped to the input box, and the
//! output domain is `[floor(o/f), ceil((o+s)/f))`. Clipped windows vote with the voxels they
//! have; nothing is padded. This makes slab-wise processing exact: downsampling adjacent
//! slabs whose boundaries are multiples of the factor gives the same voxels as downsampling
//! their union.

mod domain;
mod error;
mod row;
mod vote;
mod walk;

pub(crate) use domain::check_factors;
pub use domain::{Domain, output_domain};
pub use error::DownsampleError;
pub(crate) use vote::fixed as vote_fixed;

use crate::label::Label;
use crate::volume::Shape;
use domain::Axis;

/// Largest supported factor per axis.
pub const MAX_FACTOR: usize = 4;

/// How a window's values elect the output voxel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// TensorStore `"mode"`: the most frequent value, ties to the smallest (unsigned); 0 is
    /// an ordinary label and can win.
    Mode,
    /// DVID label downres: the most frequent non-zero value, ties to the smallest; 0 only
    /// when the whole window is 0, so any label beats background.
    ModeNonzero,
}

/// A downsampled volume and where it lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downsampled<T> {
    /// Voxels, x-fastest.
    pub data: Vec<T>,
    /// Absolute coordinate of `data[0]` at the output resolution.
    pub origin: [i64; 3],
    /// Extent per axis `[x, y, z]`.
    pub shape: Shape,
}

/// Downsamples the x-fastest volume `input` (box `[origin, origin + shape)`, axes
/// `[x, y, z]`) by `factors` (each `1..=MAX_FACTOR`).
///
/// ```
/// use braid_core::downsample::{Method, downsample};
/// // One x-row at origin 0: windows [100,99,99,99] and [3,3,2] (clipped, not padded).
/// let d = downsample(&[100u64, 99, 99, 99, 3, 3, 2], [0; 3], [7, 1, 1], [4, 1, 1], Method::Mode)?;
/// assert_eq!((d.data, d.origin, d.shape), (vec![99, 3], [0; 3], [2, 1, 1]));
/// # Ok::<(), braid_core::downsample::DownsampleError>(())
/// ```
pub fn downsample<T: Label>(
    input: &[T],
    origin: [i64; 3],
    shape: Shape,
    factors: [usize; 3],
    method: Method,
) -> Result<Downsampled<T>, DownsampleError> {
    let (out, axes) = prepare(input.len(), origin, shape, factors)?;
    // Each output voxel owns at least one input voxel, so this cannot exceed input.len().
    let mut data = vec![T::default(); axes.iter().map(|a| a.out_len).product()];
    dispatch(input, axes, method, &mut data);
    Ok(Downsampled { data, origin: out.origin, shape: out.shape })
}

/// Like [`downsample`], but writes into `out`, whose length must equal the output voxel
/// count. `out` may be a sub-slice of a larger buffer: for z-slabs whose boundaries are
/// multiples of the z factor, consecutive slabs fill consecutive parts of the full output.
/// Returns the output domain.
pub fn downsample_into<T: Label>(
    input: &[T],
    origin: [i64; 3],
    shape: Shape,
    factors: [usize; 3],
    method: Method,
    out: &mut [T],
) -> Result<Domain, DownsampleError> {
    let (domain, axes) = prepare(input.len(), origin, shape, factors)?;
    let expected: usize = axes.iter().map(|a| a.out_len).product();
    if out.len() != expected {
        return Err(DownsampleError::LengthMismatch { what: "output", len: out.len(), expected });
    }
    dispatch(input, axes, method, out);
    Ok(domain)
}

/// The output domain of downsampling an input of `len` voxels at `[origin, origin + shape)`,
/// after checking that `len` matches the shape: callers can size the output from it before
/// anything else runs, and it never exceeds `len`.
pub fn request_domain(
    len: usize,
    origin: [i64; 3],
    shape: Shape,
    factors: [usize; 3],
) -> Result<Domain, DownsampleError> {
    let out = output_domain(origin, shape, factors)?;
    let expected =
        crate::volume::voxel_count(shape).map_err(|e| DownsampleError::InvalidDomain(e.to_string()))?;
    if len != expected {
        return Err(DownsampleError::LengthMismatch { what: "input", len, expected });
    }
    Ok(out)
}

/// Validates the request and returns the output domain and the per-axis window geometry.
fn prepare(
    len: usize,
    origin: [i64; 3],
    shape: Shape,
    factors: [usize; 3],
) -> Result<(Domain, [Axis; 3]), DownsampleError> {
    let out = request_domain(len, origin, shape, factors)?;
    Ok((out, [0, 1, 2].map(|d| Axis::new(origin[d], shape[d], factors[d], out.shape[d]))))
}

/// Monomorphises the kernel per method so the inner loops carry no method test.
fn dispatch<T: Label>(input: &[T], axes: [Axis; 3], method: Method, out: &mut [T]) {
    match method {
        Method::Mode => walk::run::<T, false>(input, axes, out),
        Method::ModeNonzero => walk::run::<T, true>(input, axes, out),
    }
}
