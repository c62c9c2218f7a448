//! `neuroglancer_uint64_sharded_v1` (FORMATS.md §2). Placeholder: being written.

/// A sharded-format failure.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ShardedError {
    /// The shard bytes violate the format.
    #[error("corrupt shard: {0}")]
    Corrupt(String),
}

impl ShardedError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ShardedError::Corrupt(_) => "SHARD_CORRUPT",
        }
    }
}
