//! Mode downsampling over flat arguments.

use super::args::shape3;
use crate::Error;
use crate::cseg::Label;
use crate::downsample::{Method, downsample};

fn origin(v: &[f64]) -> Result<[i64; 3], Error> {
    match v {
        [x, y, z] if [x, y, z].iter().all(|c| c.fract() == 0.0 && c.abs() < 9.0e15) => {
            Ok([*x as i64, *y as i64, *z as i64])
        }
        _ => Err(Error::InvalidArgument(format!("origin must be 3 integers, got {v:?}"))),
    }
}

/// Reads a method code: 0 = `mode` (TensorStore), 1 = `mode-nonzero` (DVID).
pub fn method(code: u32) -> Result<Method, Error> {
    match code {
        0 => Ok(Method::Mode),
        1 => Ok(Method::ModeNonzero),
        m => Err(Error::InvalidArgument(format!(
            "downsampling method {m} is not 0 (mode) or 1 (mode-nonzero)"
        ))),
    }
}

/// A downsampled volume with its domain.
#[derive(Debug)]
pub struct DownsampledParts<T> {
    /// x-fastest output voxels.
    pub data: Vec<T>,
    /// Absolute voxel origin of the output.
    pub origin: [f64; 3],
    /// Output shape.
    pub shape: [u32; 3],
}

/// Downsamples `input` (x-fastest, absolute `origin`, `shape`) by `factors`.
pub fn run<T: Label>(
    input: &[T],
    origin_xyz: &[f64],
    shape: &[u32],
    factors: &[u32],
    method_code: u32,
) -> Result<DownsampledParts<T>, Error> {
    let f = shape3(factors, "factors")?;
    let out = downsample(input, origin(origin_xyz)?, shape3(shape, "shape")?, f, method(method_code)?)?;
    Ok(DownsampledParts {
        data: out.data,
        origin: out.origin.map(|o| o as f64),
        shape: out.shape.map(|s| s as u32),
    })
}
