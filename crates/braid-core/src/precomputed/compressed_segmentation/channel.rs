//! Emits one channel in TensorStore's order: all block headers, then per block its packed
//! values followed by its table unless an identical table was already written.

use std::marker::PhantomData;

use super::{CsegError, MAX_OFFSET_WORDS, encoding_bits};
use crate::label::Label;

/// Builds one channel of a compressed_segmentation buffer inside a shared word vector.
pub(crate) struct ChannelWriter<'o, T: Label> {
    out: &'o mut Vec<u32>,
    base: usize,
    cache: TableCache,
    block_voxels: usize,
    _label: PhantomData<T>,
}

impl<'o, T: Label> ChannelWriter<'o, T> {
    /// Starts a channel at the end of `out` with `blocks` headers for blocks of
    /// `block_voxels` voxels each.
    pub(crate) fn new(out: &'o mut Vec<u32>, blocks: usize, block_voxels: usize) -> Self {
        let base = out.len();
        out.resize(base + 2 * blocks, 0);
        ChannelWriter { out, base, cache: TableCache::new(blocks), block_voxels, _label: PhantomData }
    }

    /// Adds block `index` whose sorted, distinct in-bounds labels are `table`. Returns the
    /// encoding bits and the zeroed packed-values area (sized for the full block) for the
    /// caller to OR indices into.
    pub(crate) fn push_block(&mut self, index: usize, table: &[T]) -> Result<(u32, &mut [u32]), CsegError> {
        debug_assert!(!table.is_empty() && table.windows(2).all(|w| w[0] < w[1]));
        let bits = encoding_bits(table.len());
        let words = (bits as usize * self.block_voxels).div_ceil(32);
        let values_at = self.out.len();
        let values_offset = values_at - self.base;
        self.out.resize(values_at + words, 0);
        let hash = table.iter().fold(table.len() as u64, |h, &l| l.mix(h));
        let table_offset = match self.cache.find(hash, table, self.out, self.base) {
            Some(offset) => offset,
            None => {
                let offset = self.out.len() - self.base;
                for &l in table {
                    l.push_words(self.out);
                }
                self.cache.insert(hash, offset, table.len());
                offset
            }
        };
        if values_offset >= MAX_OFFSET_WORDS || table_offset >= MAX_OFFSET_WORDS {
            return Err(CsegError::TooLarge { words: self.out.len() - self.base });
        }
        let header = self.base + 2 * index;
        self.out[header] = table_offset as u32 | (bits << 24);
        self.out[header + 1] = values_offset as u32;
        Ok((bits, &mut self.out[values_at..values_at + words]))
    }
}

/// Open-addressed map from a table's label list to its offset, comparing candidates against
/// the words already written (no per-table allocation).
struct TableCache {
    slots: Vec<(u64, u32, u32)>,
}

impl TableCache {
    fn new(blocks: usize) -> Self {
        let cap = (2 * blocks).next_power_of_two().max(16);
        TableCache { slots: vec![(0, 0, 0); cap] }
    }

    fn find<T: Label>(&self, hash: u64, table: &[T], out: &[u32], base: usize) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let (h, offset, len) = self.slots[i];
            if len == 0 {
                return None;
            }
            if h == hash && len as usize == table.len() {
                let start = base + offset as usize;
                let stored = &out[start..start + table.len() * T::WORDS];
                if stored.chunks_exact(T::WORDS).zip(table).all(|(w, &l)| T::from_words(w) == l) {
                    return Some(offset as usize);
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn insert(&mut self, hash: u64, offset: usize, len: usize) {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while self.slots[i].2 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (hash, offset as u32, len as u32);
    }
}
