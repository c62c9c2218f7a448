//! Why a downsampling request was refused.

/// Downsampling parameters that cannot be honoured. Every variant is a caller error: the
/// kernel itself cannot fail on validated input.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownsampleError {
    /// A factor outside `1..=MAX_FACTOR`.
    #[error("downsampling factor {factor} on axis {axis} is outside 1..={max}", max = super::MAX_FACTOR)]
    InvalidFactor {
        /// Axis (0 = x, 1 = y, 2 = z).
        axis: usize,
        /// The rejected factor.
        factor: usize,
    },
    /// The input domain cannot be represented: `origin + shape` overflows `i64`, or the shape
    /// has more voxels than one call may process.
    #[error("invalid input domain: {0}")]
    InvalidDomain(String),
    /// A buffer's length does not match the voxel count of its domain.
    #[error("{what} has {len} elements but its domain needs {expected}")]
    LengthMismatch {
        /// Which buffer (`input` or `output`).
        what: &'static str,
        /// Its length.
        len: usize,
        /// The voxel count of its domain.
        expected: usize,
    },
}

impl DownsampleError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            DownsampleError::InvalidFactor { .. }
            | DownsampleError::InvalidDomain(_)
            | DownsampleError::LengthMismatch { .. } => "INVALID_ARGUMENT",
        }
    }
}
