//! Random access to the blocks of one channel (docs/formats/compressed-segmentation.md §3.2):
//! block headers checked as TensorStore's decoder checks them (§3.4), table entries, and the
//! packed indices of a whole block. The decoder and the pyramid step on compressed blocks
//! both read through here, so both refuse the same buffers.

use super::CsegError;
use crate::Error;
use crate::label::Label;

/// A channel's words, little-endian.
#[derive(Clone, Copy)]
pub(crate) struct Words<'a>(pub(crate) &'a [u8]);

impl Words<'_> {
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u32 {
        u32::from_le_bytes(self.0[4 * i..4 * i + 4].try_into().expect("4 bytes"))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len() / 4
    }

    /// The header of block `b` of a channel of `blocks` blocks of `block_voxels` voxels, after
    /// checking its bit width and that its table and packed values lie inside the channel.
    pub(crate) fn block_header<T: Label>(
        &self,
        b: usize,
        blocks: usize,
        block_voxels: usize,
    ) -> Result<BlockHeader, String> {
        let len = self.len();
        if len < 2 * blocks {
            return Err(format!("{len} words cannot hold {blocks} block headers"));
        }
        let h0 = self.get(2 * b);
        let table_offset = (h0 & 0xff_ffff) as usize;
        let bits = h0 >> 24;
        let values_offset = (self.get(2 * b + 1) & 0xff_ffff) as usize;
        if !matches!(bits, 0 | 1 | 2 | 4 | 8 | 16 | 32) {
            return Err(format!("block {b} has invalid encoding bits {bits}"));
        }
        if table_offset > len || values_offset > len {
            return Err(format!("block {b} offsets point past the {len}-word channel"));
        }
        let value_words = (bits as usize * block_voxels).div_ceil(32);
        if values_offset + value_words > len {
            return Err(format!("block {b} packed values run past the channel end"));
        }
        let table_len = (len - table_offset) / T::WORDS;
        if table_len == 0 {
            return Err(format!("block {b} has an empty lookup table"));
        }
        Ok(BlockHeader { index: b, table_offset, table_len, bits, values_offset })
    }

    /// Entry `i` (below `h.table_len`) of a block's table.
    #[inline]
    pub(crate) fn table_entry<T: Label>(&self, h: &BlockHeader, i: usize) -> T {
        self.label_at(h.table_offset + i * T::WORDS)
    }

    /// The label whose table words start at word `at`.
    #[inline]
    pub(crate) fn label_at<T: Label>(&self, at: usize) -> T {
        let mut w = [0u32; 2];
        for (k, slot) in w.iter_mut().take(T::WORDS).enumerate() {
            *slot = self.get(at + k);
        }
        T::from_words(&w[..T::WORDS])
    }

    /// Unpacks every index of a block of `out.len()` voxels (`h.bits > 0`, and at most
    /// `I::BITS`) and returns the largest, after checking it has a table entry.
    pub(crate) fn block_indices<I: PackedIndex>(
        &self,
        h: &BlockHeader,
        out: &mut [I],
    ) -> Result<usize, String> {
        debug_assert!(h.bits <= I::BITS);
        let words = (h.bits as usize * out.len()).div_ceil(32);
        let packed = &self.0[4 * h.values_offset..4 * (h.values_offset + words)];
        // One loop per width, so each unrolls and vectorises.
        let max = match h.bits {
            1 => unpack::<1, I>(packed, out),
            2 => unpack::<2, I>(packed, out),
            4 => unpack::<4, I>(packed, out),
            8 => unpack::<8, I>(packed, out),
            16 => unpack::<16, I>(packed, out),
            _ => unpack::<32, I>(packed, out),
        };
        if max >= h.table_len {
            return Err(format!("block {} index {max} exceeds its {}-entry table", h.index, h.table_len));
        }
        Ok(max)
    }
}

/// Indices of `BITS` bits from little-endian words (they never straddle a word), and the
/// largest. Constant trip counts let each width unroll; the maximum is a separate pass so it
/// vectorises.
#[inline]
fn unpack<const BITS: usize, I: PackedIndex>(packed: &[u8], out: &mut [I]) -> usize {
    let per_word = 32 / BITS;
    let mask = (u64::from(u32::MAX) >> (32 - BITS)) as u32;
    let field = |word: u32, j: usize| {
        I::from_field(u64::from(word.checked_shr((j * BITS) as u32).unwrap_or(0) & mask))
    };
    let mut words = packed.chunks_exact(4).map(|w| u32::from_le_bytes(w.try_into().expect("4 bytes")));
    let mut slots = out.chunks_exact_mut(per_word);
    // Slots first: zip then stops without taking the word of a partial last group.
    for (slots, word) in (&mut slots).zip(&mut words) {
        for (j, slot) in slots.iter_mut().enumerate() {
            *slot = field(word, j);
        }
    }
    // A block whose voxel count is not a multiple of the indices per word ends mid-word.
    if let Some(word) = words.next() {
        for (j, slot) in slots.into_remainder().iter_mut().enumerate() {
            *slot = field(word, j);
        }
    }
    out.iter().fold(I::default(), |m, &v| m.max(v)).index()
}

/// An unpacked table index: `u8` for blocks of at most 8 bits (a row of 8 is one `u64`),
/// `u32` for any block.
pub(crate) trait PackedIndex: Copy + Ord + Default {
    /// Widest index it holds, in bits.
    const BITS: u32;
    /// The index from a field that fits.
    fn from_field(v: u64) -> Self;
    /// The index, to index a table with.
    fn index(self) -> usize;
}

/// Both widths convert the same way.
macro_rules! packed_index {
    ($($t:ty),*) => {$(
        impl PackedIndex for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline]
            fn from_field(v: u64) -> Self {
                v as $t
            }
            #[inline]
            fn index(self) -> usize {
                self as usize
            }
        }
    )*};
}
packed_index!(u8, u32);

/// A block's header fields, checked against its channel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockHeader {
    /// The block's number in the channel.
    pub(crate) index: usize,
    /// Word offset of the table within the channel.
    pub(crate) table_offset: usize,
    /// Table entries that fit before the channel's end (an upper bound on the real table).
    pub(crate) table_len: usize,
    /// Bits per packed index; 0 for a one-label block.
    pub(crate) bits: u32,
    /// Word offset of the packed indices within the channel.
    pub(crate) values_offset: usize,
}

/// The words of channel 0 of `data`, a channel of `blocks` blocks, after checking the buffer
/// and the channel's offset. The buffer must hold the offset word and every header besides, as
/// `decode` requires, even when an offset of 0 lets the headers overlap that word.
pub(crate) fn first_channel(data: &[u8], blocks: usize) -> Result<Words<'_>, Error> {
    let corrupt = |m: String| Error::from(CsegError::Corrupt(m));
    if data.len() % 4 != 0 || data.len() < 4 {
        return Err(corrupt(format!("length {} is not a positive multiple of 4", data.len())));
    }
    if data.len() / 4 < blocks.saturating_mul(2).saturating_add(1) {
        return Err(corrupt(format!("{} bytes cannot hold 1 channel(s) of {blocks} blocks", data.len())));
    }
    let words = Words(data);
    let start = words.get(0) as usize;
    // Offset 0 (the channel overlapping its own offset word) is odd but decodable, and
    // `decode` takes it, so it is taken here too.
    if start > words.len() {
        return Err(corrupt(format!("channel offset {start} is outside the {}-word buffer", words.len())));
    }
    Ok(Words(&data[4 * start..]))
}
