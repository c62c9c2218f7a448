//! DVID `export-shards` Arrow IPC files and their CSV indexes (FORMATS.md §6.2–6.5).
//! Placeholder: being written.

/// A failure reading or writing an export shard.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ArrowShardError {
    /// The Arrow bytes are malformed.
    #[error("corrupt Arrow data: {0}")]
    Corrupt(String),
}

impl ArrowShardError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ArrowShardError::Corrupt(_) => "ARROW_CORRUPT",
        }
    }
}
