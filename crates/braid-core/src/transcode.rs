//! DVID block (optionally zstd-wrapped) → remap → crop → compressed_segmentation → gzip, in
//! one pass when the cseg block size is the DVID sub-block size (8³): each sub-block's
//! palette becomes the cseg table directly and no 64³ volume is materialised.

use crate::Error;
use crate::compress::gzip_into;
use crate::dvid::block::{
    BlockError, DvidBlock, SUB_BLOCK_EDGE, SUB_BLOCK_VOXELS, SubBlock, decode_block_into, for_each_row,
    label_resolver, with_raw_block,
};
use crate::precomputed::compressed_segmentation::{ChannelWriter, or_row8, words_le_bytes};
use crate::volume::{Shape, crop};

/// How [`transcode_dvid_block`] turns one DVID block into one chunk payload.
#[derive(Debug, Clone)]
pub struct TranscodeOptions<'a> {
    /// Positional replacement of the block label list (the record's `labels` column).
    pub mapping: Option<&'a [u64]>,
    /// Clipped extent of the output chunk; `None` keeps the whole block.
    pub extent: Option<Shape>,
    /// compressed_segmentation block size.
    pub block_size: Shape,
    /// gzip level for the payload; `None` leaves it raw.
    pub gzip_level: Option<u32>,
    /// Decompressed size of a zstd-wrapped block (DVID's `uncompressed_size`), enforced when given.
    pub uncompressed_size: Option<usize>,
}

impl Default for TranscodeOptions<'_> {
    fn default() -> Self {
        TranscodeOptions {
            mapping: None,
            extent: None,
            block_size: [8, 8, 8],
            gzip_level: None,
            uncompressed_size: None,
        }
    }
}

/// Transcodes one DVID block to a neuroglancer chunk payload. Returns `None` when every
/// voxel of the (mapped, cropped) chunk is 0: such chunks are not stored.
pub fn transcode_dvid_block(input: &[u8], opts: &TranscodeOptions<'_>) -> Result<Option<Vec<u8>>, Error> {
    with_raw_block(input, opts.uncompressed_size, |raw| {
        let block = DvidBlock::parse(raw)?;
        let shape = block.shape();
        let extent = opts.extent.unwrap_or(shape);
        // Options are checked before any voxel is seen: an all-zero chunk returns early and
        // must not make a bad request look valid.
        crate::precomputed::compressed_segmentation::block_grid(extent, opts.block_size)?;
        if let Some(level) = opts.gzip_level {
            crate::compress::check_gzip_level(level)?;
        }
        if extent.iter().zip(shape.iter()).any(|(e, s)| e > s || *e == 0) {
            return Err(Error::InvalidArgument(format!(
                "chunk extent {extent:?} must be non-empty and within the block shape {shape:?}"
            )));
        }
        let Some(words) = chunk_words(&block, opts.mapping, extent, opts.block_size)? else {
            return Ok(None);
        };
        Ok(Some(payload(&words, opts.gzip_level)?))
    })
}

/// The compressed_segmentation words of a parsed block's `extent` (checked by the caller),
/// `None` when all 0.
pub(crate) fn chunk_words(
    block: &DvidBlock<'_>,
    mapping: Option<&[u64]>,
    extent: Shape,
    block_size: Shape,
) -> Result<Option<Vec<u32>>, Error> {
    if block_size == [SUB_BLOCK_EDGE; 3] {
        fused(block, mapping, extent)
    } else {
        via_volume(block, mapping, extent, block_size)
    }
}

/// The stored payload of compressed_segmentation words: gzip'd or raw.
pub(crate) fn payload(words: &[u32], gzip_level: Option<u32>) -> Result<Vec<u8>, Error> {
    let bytes = words_le_bytes(words);
    Ok(match gzip_level {
        Some(level) => {
            let mut out = Vec::with_capacity(bytes.len() / 4 + 32);
            gzip_into(&bytes, level, &mut out)?;
            out
        }
        None => bytes.into_owned(),
    })
}

fn via_volume(
    block: &DvidBlock<'_>,
    mapping: Option<&[u64]>,
    extent: Shape,
    block_size: Shape,
) -> Result<Option<Vec<u32>>, Error> {
    let shape = block.shape();
    let mut volume = vec![0u64; shape.iter().product()];
    decode_block_into(block, mapping, &mut volume)?;
    let volume = crop(&volume, shape, extent)?;
    if volume.iter().all(|&v| v == 0) {
        return Ok(None);
    }
    Ok(Some(crate::precomputed::compressed_segmentation::encode(&volume, extent, 1, block_size)?))
}

fn fused(block: &DvidBlock<'_>, mapping: Option<&[u64]>, extent: Shape) -> Result<Option<Vec<u32>>, Error> {
    let resolve = label_resolver(block, mapping)?;
    let cgrid = extent.map(|e| e.div_ceil(SUB_BLOCK_EDGE));
    let blocks: usize = cgrid.iter().product();
    let mut out: Vec<u32> = Vec::with_capacity(1 + 2 * blocks + 1024);
    out.push(1);
    let mut writer = ChannelWriter::<u64>::new(&mut out, blocks, SUB_BLOCK_VOXELS);
    let mut any_nonzero = false;

    if block.solid_label().is_some() {
        let label = if block.label_count() == 0 { 0 } else { resolve(0) };
        if label == 0 {
            return Ok(None);
        }
        for index in 0..blocks {
            writer.push_block(index, &[label])?;
        }
        return Ok(Some(out));
    }

    let mut sb = SubBlockScratch::default();
    for sub in block.sub_blocks() {
        let k = sub.origin.map(|o| o / SUB_BLOCK_EDGE);
        if (0..3).any(|d| k[d] >= cgrid[d]) {
            // Outside the clipped chunk, but a corrupt value must still not pass silently.
            sb.check_values(&sub)?;
            continue;
        }
        let inside = [0, 1, 2].map(|d| SUB_BLOCK_EDGE.min(extent[d] - sub.origin[d]));
        let index = k[0] + cgrid[0] * (k[1] + cgrid[1] * k[2]);
        if inside == [SUB_BLOCK_EDGE; 3] && push_two_labels(&sub, &resolve, &mut writer, index)? {
            any_nonzero = true;
            continue;
        }
        sb.load(&sub, inside, &resolve)?;
        any_nonzero |= sb.table != [0];
        let (bits, area) = writer.push_block(index, &sb.table)?;
        if bits > 0 {
            sb.pack(inside, bits, area);
        }
    }
    Ok(any_nonzero.then_some(out))
}

/// The commonest non-uniform sub-block has two labels, both present: DVID packs it at 1 bit
/// MSB-first, cseg at 1 bit LSB-first, so each 8-voxel row byte is bit-reversed (and inverted
/// when the palette order is the reverse of the sorted table). Returns false when the
/// sub-block does not qualify and must take the general path.
fn push_two_labels(
    sub: &SubBlock<'_>,
    resolve: &impl Fn(usize) -> u64,
    writer: &mut ChannelWriter<'_, u64>,
    index: usize,
) -> Result<bool, Error> {
    if sub.palette_len() != 2 {
        return Ok(false);
    }
    let (any, all) = sub.packed.iter().fold((0u8, 0xffu8), |(o, a), &r| (o | r, a & r));
    let (first, second) = (resolve(sub.palette_entry(0)), resolve(sub.palette_entry(1)));
    if any == 0 || all == 0xff || first == second {
        return Ok(false);
    }
    let (table, invert) = if first < second { ([first, second], 0) } else { ([second, first], 0xff) };
    let (_, area) = writer.push_block(index, &table)?;
    for (word, rows) in area.iter_mut().zip(sub.packed.chunks_exact(4)) {
        *word = u32::from_le_bytes([0, 1, 2, 3].map(|i| rows[i].reverse_bits() ^ invert));
    }
    Ok(true)
}

/// Working memory for one sub-block of the fused path.
struct SubBlockScratch {
    /// Palette index per voxel (x-fastest within the sub-block).
    values: [u16; SUB_BLOCK_VOXELS],
    /// Mapped label per palette slot.
    labels: Vec<u64>,
    /// Table index per palette slot (valid for used slots).
    remap: Vec<u32>,
    used: Vec<bool>,
    /// Sorted distinct labels of the in-bounds voxels.
    table: Vec<u64>,
}

impl Default for SubBlockScratch {
    fn default() -> Self {
        SubBlockScratch {
            values: [0; SUB_BLOCK_VOXELS],
            labels: Vec::with_capacity(SUB_BLOCK_VOXELS),
            remap: vec![0; SUB_BLOCK_VOXELS],
            used: vec![false; SUB_BLOCK_VOXELS],
            table: Vec::with_capacity(SUB_BLOCK_VOXELS),
        }
    }
}

impl SubBlockScratch {
    fn check_values(&mut self, sub: &SubBlock<'_>) -> Result<(), Error> {
        if sub.bits > 0 {
            self.unpack(sub)?;
        }
        Ok(())
    }

    fn unpack(&mut self, sub: &SubBlock<'_>) -> Result<(), Error> {
        let mut worst = 0u16;
        let values = &mut self.values;
        for_each_row(sub.packed, sub.bits, |row, idx| {
            for &i in &idx {
                worst = worst.max(i);
            }
            values[row * 8..row * 8 + 8].copy_from_slice(&idx);
        });
        if worst as usize >= sub.palette_len() {
            return Err(BlockError::ValueOutOfRange {
                sub_block: sub.index,
                value: worst,
                palette_len: sub.palette_len(),
            }
            .into());
        }
        Ok(())
    }

    fn load(
        &mut self,
        sub: &SubBlock<'_>,
        inside: Shape,
        resolve: &impl Fn(usize) -> u64,
    ) -> Result<(), Error> {
        self.table.clear();
        let n = sub.palette_len();
        if sub.bits == 0 {
            self.table.push(if n == 0 { 0 } else { resolve(sub.palette_entry(0)) });
            return Ok(());
        }
        self.unpack(sub)?;
        self.labels.clear();
        self.labels.extend((0..n).map(|k| resolve(sub.palette_entry(k))));
        let used = &mut self.used[..n];
        if inside == [SUB_BLOCK_EDGE; 3] {
            // DVID's encoder only lists palette entries that occur, but merges may leave
            // stale ones; marking by occurrence keeps tables byte-identical to TensorStore.
            used.fill(false);
            for &v in self.values.iter() {
                used[v as usize] = true;
            }
        } else {
            used.fill(false);
            for z in 0..inside[2] {
                for y in 0..inside[1] {
                    for &v in &self.values[8 * (y + 8 * z)..8 * (y + 8 * z) + inside[0]] {
                        used[v as usize] = true;
                    }
                }
            }
        }
        self.table.extend(self.labels.iter().zip(used.iter()).filter(|(_, u)| **u).map(|(l, _)| *l));
        self.table.sort_unstable();
        self.table.dedup();
        for k in 0..n {
            if self.used[k] {
                self.remap[k] =
                    self.table.binary_search(&self.labels[k]).expect("used label is in table") as u32;
            }
        }
        Ok(())
    }

    /// ORs the table index of every in-bounds voxel into the cseg values area, a row at a time.
    fn pack(&self, inside: Shape, bits: u32, area: &mut [u32]) {
        let mut idx = [0u32; 8];
        for z in 0..inside[2] {
            for y in 0..inside[1] {
                let row = y + 8 * z;
                for (slot, &v) in idx.iter_mut().zip(&self.values[8 * row..8 * row + inside[0]]) {
                    *slot = self.remap[v as usize];
                }
                or_row8(area, row, bits, &idx, inside[0]);
            }
        }
    }
}
