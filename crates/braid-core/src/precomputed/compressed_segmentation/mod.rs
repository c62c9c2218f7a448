//! Neuroglancer `compressed_segmentation` (docs/formats/compressed-segmentation.md §3): per-block lookup
//! tables of the distinct labels and 0/1/2/4/8/16/32-bit packed indices. The encoder is byte-identical to
//! TensorStore's and neuroglancer's (sorted tables, per-channel table de-duplication, index-0 padding of
//! partial blocks).

mod blocks;
mod channel;
mod decode;
mod encode;
mod pack;

pub(crate) use blocks::{BlockHeader, PackedIndex, Words, first_channel};
pub(crate) use channel::ChannelWriter;
pub(crate) use decode::{BlockSink, visit_blocks};
pub use decode::{decode, decode_into, decoded_len, uniform_label};
pub use encode::{encode, encode_uniform};
pub(crate) use pack::or_row8;

/// The buffer's bytes (little-endian words): a view on little-endian machines.
pub fn words_le_bytes(words: &[u32]) -> std::borrow::Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        std::borrow::Cow::Borrowed(bytemuck::cast_slice(words))
    } else {
        std::borrow::Cow::Owned(words.iter().flat_map(|w| w.to_le_bytes()).collect())
    }
}

/// Largest offset (in words) a block header can express.
pub const MAX_OFFSET_WORDS: usize = 1 << 24;

/// Bits per packed index for a table of `n` distinct labels: 0 for one label, else the
/// smallest power of two `b` with `2^b >= n`.
pub fn encoding_bits(n: usize) -> u32 {
    if n <= 1 {
        return 0;
    }
    let mut b = 1u32;
    while b < 32 && (1usize << b) < n {
        b *= 2;
    }
    b
}

/// A `compressed_segmentation` buffer that cannot be decoded, or a chunk that cannot be
/// encoded.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum CsegError {
    /// The buffer violates the format (TensorStore's decoder checks, compressed-segmentation.md §3.4).
    #[error("corrupt compressed_segmentation data: {0}")]
    Corrupt(String),
    /// Shape, block size or channel count unusable.
    #[error("invalid compressed_segmentation parameters: {0}")]
    InvalidParameters(String),
    /// The encoded channel would need offsets beyond 2^24 words.
    #[error("chunk too large for compressed_segmentation: channel needs {words} words, offsets stop at 2^24")]
    TooLarge {
        /// Words the channel needs.
        words: usize,
    },
}

impl CsegError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            CsegError::Corrupt(_) => "CSEG_CORRUPT",
            CsegError::InvalidParameters(_) => "INVALID_ARGUMENT",
            CsegError::TooLarge { .. } => "CSEG_TOO_LARGE",
        }
    }
}

/// Number of blocks per axis and validated parameters.
pub(crate) fn block_grid(
    size: crate::volume::Shape,
    block: crate::volume::Shape,
) -> Result<[usize; 3], CsegError> {
    if block.contains(&0) {
        return Err(CsegError::InvalidParameters(format!("block size {block:?} has a zero axis")));
    }
    Ok([0, 1, 2].map(|d| size[d].div_ceil(block[d])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_follow_the_power_of_two_ladder() {
        let cases = [
            (1, 0),
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 4),
            (16, 4),
            (17, 8),
            (256, 8),
            (257, 16),
            (65536, 16),
            (65537, 32),
        ];
        for (n, b) in cases {
            assert_eq!(encoding_bits(n), b, "n={n}");
        }
    }
}
