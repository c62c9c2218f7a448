//! The two label types the codecs and the downsampler are generic over: uint32 and uint64.
//! Besides comparing and testing for background, a label knows its compressed_segmentation
//! table words (one for uint32, two for uint64, low word first).

/// A voxel label type: `u32` or `u64`.
pub trait Label:
    Copy
    + Ord
    + Default
    + Send
    + Sync
    + std::fmt::Debug
    + std::ops::BitOr<Output = Self>
    + std::ops::BitXor<Output = Self>
    + 'static
{
    /// Table words per label.
    const WORDS: usize;
    /// Appends the label's table words.
    fn push_words(self, out: &mut Vec<u32>);
    /// Reads a label from its table words (`words.len() == WORDS`).
    fn from_words(words: &[u32]) -> Self;
    /// Mixes the label into a running hash (table de-duplication).
    fn mix(self, h: u64) -> u64;
    /// Whether the label is 0.
    fn is_zero(self) -> bool;
    /// The label widened to 64 bits (for branch-free equality scans).
    fn to_u64(self) -> u64;
}

#[inline]
fn fx(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95)
}

impl Label for u32 {
    const WORDS: usize = 1;
    #[inline]
    fn push_words(self, out: &mut Vec<u32>) {
        out.push(self);
    }
    #[inline]
    fn from_words(words: &[u32]) -> Self {
        words[0]
    }
    #[inline]
    fn mix(self, h: u64) -> u64 {
        fx(h, u64::from(self))
    }
    #[inline]
    fn is_zero(self) -> bool {
        self == 0
    }
    #[inline]
    fn to_u64(self) -> u64 {
        u64::from(self)
    }
}

impl Label for u64 {
    const WORDS: usize = 2;
    #[inline]
    fn push_words(self, out: &mut Vec<u32>) {
        out.push(self as u32);
        out.push((self >> 32) as u32);
    }
    #[inline]
    fn from_words(words: &[u32]) -> Self {
        u64::from(words[0]) | (u64::from(words[1]) << 32)
    }
    #[inline]
    fn mix(self, h: u64) -> u64 {
        fx(h, self)
    }
    #[inline]
    fn is_zero(self) -> bool {
        self == 0
    }
    #[inline]
    fn to_u64(self) -> u64 {
        self
    }
}
