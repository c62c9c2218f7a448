//! Mode downsampling (FORMATS.md §4). Placeholder: being written.

/// A downsampling failure.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum DownsampleError {
    /// Factors, shape or origin unusable.
    #[error("invalid downsampling parameters: {0}")]
    InvalidParameters(String),
}

impl DownsampleError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            DownsampleError::InvalidParameters(_) => "INVALID_ARGUMENT",
        }
    }
}
