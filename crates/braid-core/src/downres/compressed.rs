//! The pyramid step as it nearly always runs — 2×2×2 over compressed_segmentation chunks
//! with 8³ blocks, every chunk on 16-voxel boundaries — computed block by block on table
//! indices. Each 2×2×2 window then lies inside one source block, so an output 8³ block is the
//! 4³ votes of its eight source blocks side by side: votes run on table indices (ordered as
//! the labels they stand for), the output table is the union of the winners, and no voxel is
//! decoded to a label or re-encoded from one. The words are the ones decode → downsample →
//! encode would write (docs/formats/downsampling.md §4.6).

use super::{ChunkEncoding, DownresStep, SourceChunk, VoxelBox};
use crate::Error;
use crate::downsample::{Method, vote_fixed};
use crate::label::Label;
use crate::precomputed::compressed_segmentation::{
    self as cseg, BlockHeader, ChannelWriter, CsegError, PackedIndex, Words,
};

/// Block edge, in source and output chunks alike.
const EDGE: usize = 8;
/// Voxels per block.
const BLOCK: usize = EDGE * EDGE * EDGE;
/// Source voxels per output block edge.
const SPAN: usize = 2 * EDGE;

/// The output payload, or `None` when the step is not the common one (the caller then
/// decodes); `Some(None)` when the output chunk is all 0. `from` is the checked source box.
pub(super) fn downres_compressed<T: Label>(
    sources: &[SourceChunk<'_>],
    output: VoxelBox,
    step: &DownresStep,
    from: &VoxelBox,
) -> Result<Option<Option<Vec<u8>>>, Error> {
    let Some(owners) = plan(sources, step, from) else { return Ok(None) };
    let channels = sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let blocks = s.bounds.shape.iter().map(|n| n / EDGE).product();
            cseg::first_channel(s.payload, blocks).map_err(|e| Error::in_chunk(i, e))
        })
        .collect::<Result<Vec<Words<'_>>, Error>>()?;
    let grid = output.shape.map(|s| s / EDGE);
    let blocks: usize = grid.iter().product();
    let mut words = vec![1u32];
    let mut writer = ChannelWriter::<T>::new(&mut words, blocks, BLOCK);
    let mut octants: [Octant<T>; 8] = std::array::from_fn(|_| Octant::default());
    let mut scratch = Scratch::default();
    let mut nonzero = false;
    for (b, owner) in owners.iter().enumerate() {
        let at = [b % grid[0], b / grid[0] % grid[1], b / (grid[0] * grid[1])];
        match *owner {
            None => octants.iter_mut().for_each(|o| o.set_uniform(T::default())),
            Some(i) => {
                let s = &sources[i];
                let corrupt = |m: String| Error::in_chunk(i, CsegError::Corrupt(format!("channel 0: {m}")));
                // The output block's source corner, in blocks of the source chunk.
                let corner: [usize; 3] = std::array::from_fn(|d| {
                    2 * at[d] - 2 * ((s.bounds.origin[d] - from.origin[d]) as usize / SPAN)
                });
                let sgrid = s.bounds.shape.map(|n| n / EDGE);
                let sblocks: usize = sgrid.iter().product();
                for (k, octant) in octants.iter_mut().enumerate() {
                    let c = [0, 1, 2].map(|d| corner[d] + (k >> d & 1));
                    let sb = c[0] + sgrid[0] * (c[1] + sgrid[1] * c[2]);
                    let h = channels[i].block_header::<T>(sb, sblocks, BLOCK).map_err(corrupt)?;
                    octant.read(&channels[i], &h, step.method, &mut scratch).map_err(corrupt)?;
                }
            }
        }
        scratch.merge(&octants);
        nonzero |= scratch.table.iter().any(|l| !l.is_zero());
        let (bits, area) = writer.push_block(b, &scratch.table)?;
        if bits > 0 {
            scratch.pack(&octants, bits, area);
        }
    }
    if !nonzero {
        return Ok(Some(None));
    }
    Ok(Some(Some(cseg::words_le_bytes(&words).into_owned())))
}

/// For each output block (x fastest), the source chunk holding its 16³ source voxels (`None`:
/// no chunk, all 0); `None` unless the step is 2×2×2 between 8³-block compressed_segmentation
/// scales and every source chunk inside the source box lies on 16-voxel boundaries.
fn plan(sources: &[SourceChunk<'_>], step: &DownresStep, from: &VoxelBox) -> Option<Vec<Option<usize>>> {
    let cseg8 = ChunkEncoding::CompressedSegmentation([EDGE; 3]);
    if step.factors != [2; 3] || step.source_encoding != cseg8 || step.output_encoding != cseg8 {
        return None;
    }
    let aligned =
        |b: &VoxelBox| (0..3).all(|d| b.origin[d].rem_euclid(SPAN as i64) == 0 && b.shape[d] % SPAN == 0);
    if !aligned(from) {
        return None;
    }
    let grid = from.shape.map(|s| s / SPAN);
    let mut owners = vec![None; grid.iter().product()];
    for (i, s) in sources.iter().enumerate() {
        let part = s.bounds.intersect(from);
        if part.shape.contains(&0) {
            continue;
        }
        if part != s.bounds || !aligned(&s.bounds) {
            return None;
        }
        let lo = [0, 1, 2].map(|d| (s.bounds.origin[d] - from.origin[d]) as usize / SPAN);
        let n = s.bounds.shape.map(|v| v / SPAN);
        for z in lo[2]..lo[2] + n[2] {
            for y in lo[1]..lo[1] + n[1] {
                let row = grid[0] * (y + grid[1] * z);
                owners[row + lo[0]..row + lo[0] + n[0]].fill(Some(i));
            }
        }
    }
    Some(owners)
}

/// One source block's share of an output block: its 4³ winners as indices into `labels`
/// (sorted and distinct), or one label throughout.
struct Octant<T> {
    labels: Vec<T>,
    /// Winners, x fastest; unused when `labels` has one entry.
    winners: [u32; 64],
}

impl<T> Default for Octant<T> {
    fn default() -> Self {
        Octant { labels: Vec::new(), winners: [0; 64] }
    }
}

impl<T: Label> Octant<T> {
    fn set_uniform(&mut self, label: T) {
        self.labels.clear();
        self.labels.push(label);
    }

    fn is_uniform(&self) -> bool {
        self.labels.len() == 1
    }

    /// Reads and votes the block `h` of `ch`.
    fn read(
        &mut self,
        ch: &Words<'_>,
        h: &BlockHeader,
        method: Method,
        s: &mut Scratch<T>,
    ) -> Result<(), String> {
        if h.bits == 0 {
            self.set_uniform(ch.table_entry(h, 0));
            return Ok(());
        }
        let nonzero = method == Method::ModeNonzero;
        if h.bits <= 8 {
            self.vote(ch, h, nonzero, &mut s.narrow, &mut s.raw, vote_rows::<false>, vote_rows::<true>)
        } else {
            self.vote(ch, h, nonzero, &mut s.wide, &mut s.raw, vote_windows::<false>, vote_windows::<true>)
        }
    }

    /// Unpacks the block's indices into `indices` and votes them with `mode` or, when zeros
    /// must not vote, `nonzero`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn vote<I: PackedIndex>(
        &mut self,
        ch: &Words<'_>,
        h: &BlockHeader,
        nonzero: bool,
        indices: &mut [I; BLOCK],
        raw: &mut Vec<T>,
        mode: fn(&[I; BLOCK], &mut [u32; 64]),
        mode_nonzero: fn(&[I; BLOCK], &mut [u32; 64]),
    ) -> Result<(), String> {
        let max = ch.block_indices(h, indices)?;
        self.labels.clear();
        self.labels.extend((0..=max).map(|i| ch.table_entry::<T>(h, i)));
        if !self.labels.windows(2).all(|w| w[0] < w[1]) {
            // Another encoder's table (unsorted, or repeating a label): votes need indices
            // ordered like their labels, so renumber them by rank (never more than before).
            raw.clear();
            raw.extend_from_slice(&self.labels);
            self.labels.sort_unstable();
            self.labels.dedup();
            for i in indices.iter_mut() {
                *i = I::from_field(self.labels.partition_point(|&l| l < raw[i.index()]) as u64);
            }
        }
        // Background is index 0 whenever present; without it both rules agree.
        if nonzero && self.labels[0].is_zero() {
            mode_nonzero(indices, &mut self.winners);
        } else {
            mode(indices, &mut self.winners);
        }
        // Non-short-circuiting so the test vectorises.
        let first = self.winners[0];
        if self.winners.iter().fold(true, |all, &w| all & (w == first)) {
            let only = self.labels[first as usize];
            self.set_uniform(only);
        }
        Ok(())
    }
}

/// The 4³ winners of an 8³ block of indices (x fastest in both), window by window.
fn vote_windows<const NZ: bool>(indices: &[u32; BLOCK], winners: &mut [u32; 64]) {
    for (w, slot) in winners.iter_mut().enumerate() {
        let (x, y, z) = (2 * (w & 3), 2 * (w >> 2 & 3), 2 * (w >> 4));
        let at = x + EDGE * (y + EDGE * z);
        let v: [u32; 8] =
            std::array::from_fn(|k| indices[at + (k & 1) + EDGE * ((k >> 1 & 1) + EDGE * (k >> 2))]);
        *slot = if v.iter().all(|&x| x == v[0]) { v[0] } else { vote_fixed::<u32, NZ, 8>(&v) };
    }
}

/// [`vote_windows`] for byte indices, four windows at a time: a block row of 8 indices is one
/// `u64`, so the four rows under a row of windows show in a few word operations which of its
/// windows are uniform (inside objects, most of them), and only the others are gathered.
fn vote_rows<const NZ: bool>(indices: &[u8; BLOCK], winners: &mut [u32; 64]) {
    const EVEN_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
    let row = |y: usize, z: usize| {
        let at = EDGE * (y + EDGE * z);
        u64::from_le_bytes(indices[at..at + EDGE].try_into().expect("8 bytes"))
    };
    for (k, out) in winners.chunks_exact_mut(4).enumerate() {
        let (y, z) = (2 * (k & 3), 2 * (k >> 2));
        let rows = [row(y, z), row(y + 1, z), row(y, z + 1), row(y + 1, z + 1)];
        let r = rows[0];
        // Per window (16 bits of each row), non-zero where any of its 8 bytes differs from
        // its first: the other rows against this one, and each pair in this row.
        let differs = (r ^ rows[1]) | (r ^ rows[2]) | (r ^ rows[3]) | ((r ^ (r >> 8)) & EVEN_BYTES);
        for (i, slot) in out.iter_mut().enumerate() {
            let first = (r >> (16 * i)) as u8;
            *slot = if (differs >> (16 * i)) as u16 == 0 {
                u32::from(first)
            } else {
                let window = rows
                    .iter()
                    .enumerate()
                    .fold(0u64, |w, (j, r)| w | ((r >> (16 * i)) & 0xffff) << (16 * j));
                vote_bytes::<NZ>(window)
            };
        }
    }
}

/// The winner of a window of 8 byte indices that are not all equal. Two distinct indices (a
/// boundary between two objects, nearly every such window) are counted in the word itself;
/// more go to the general vote.
#[inline]
fn vote_bytes<const NZ: bool>(window: u64) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let a = window & 0xff;
    let not_a = nonzero_bytes(window ^ (a * ONES));
    // The first byte that is not `a`: its high bit is the lowest set in `not_a`.
    let b = (window >> (not_a.trailing_zeros() & !7)) & 0xff;
    let not_b = nonzero_bytes(window ^ (b * ONES));
    if not_a & not_b != 0 {
        let v: [u32; 8] = std::array::from_fn(|k| u32::from((window >> (8 * k)) as u8));
        return vote_fixed::<u32, NZ, 8>(&v);
    }
    let (a, b) = (a as u32, b as u32);
    let count_a = 8 - not_a.count_ones();
    // Index 0 is background whenever the nonzero rule runs (see `Octant::vote`).
    match (NZ && a == 0, NZ && b == 0) {
        (true, _) => b,
        (_, true) => a,
        _ if count_a > 4 => a,
        _ if count_a < 4 => b,
        _ => a.min(b),
    }
}

/// The high bit of every non-zero byte of `x`.
#[inline(always)]
fn nonzero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    (((x & LOW7) + LOW7) | x) & !LOW7
}

/// Working memory reused across blocks.
struct Scratch<T> {
    narrow: [u8; BLOCK],
    wide: [u32; BLOCK],
    raw: Vec<T>,
    /// The output block's table.
    table: Vec<T>,
    /// Which of an octant's labels already entered `table` (octants of over 64 labels); all
    /// false between octants.
    seen: Vec<bool>,
    /// An octant's label indices → output table indices.
    map: Vec<u32>,
    /// Per octant, its 4³ output table indices.
    mapped: [[u32; 64]; 8],
}

impl<T> Default for Scratch<T> {
    fn default() -> Self {
        Scratch {
            narrow: [0; BLOCK],
            wide: [0; BLOCK],
            raw: Vec::new(),
            table: Vec::new(),
            seen: Vec::new(),
            map: Vec::new(),
            mapped: [[0; 64]; 8],
        }
    }
}

impl<T: Label> Scratch<T> {
    /// The output block's table: every octant's winning labels, sorted and distinct.
    fn merge(&mut self, octants: &[Octant<T>; 8]) {
        self.table.clear();
        let first = octants[0].labels[0];
        if octants.iter().all(|o| o.is_uniform() && o.labels[0] == first) {
            self.table.push(first);
            return;
        }
        for o in octants {
            if o.is_uniform() {
                self.table.push(o.labels[0]);
            } else if o.labels.len() <= 64 {
                // A label that won no window must not enter the table: collect the winners
                // as a bit set (branch-free), then take their labels in order.
                let mut won = o.winners.iter().fold(0u64, |m, &w| m | 1 << w);
                while won != 0 {
                    self.table.push(o.labels[won.trailing_zeros() as usize]);
                    won &= won - 1;
                }
            } else {
                if self.seen.len() < o.labels.len() {
                    self.seen.resize(o.labels.len(), false);
                }
                for &w in &o.winners {
                    let w = w as usize;
                    if !self.seen[w] {
                        self.seen[w] = true;
                        self.table.push(o.labels[w]);
                    }
                }
                for &w in &o.winners {
                    self.seen[w as usize] = false;
                }
            }
        }
        self.table.sort_unstable();
        self.table.dedup();
    }

    /// ORs the output block's indices into its packed area.
    fn pack(&mut self, octants: &[Octant<T>; 8], bits: u32, area: &mut [u32]) {
        let table = &self.table;
        for (o, mapped) in octants.iter().zip(self.mapped.iter_mut()) {
            let at = |l: &T| table.partition_point(|t| t < l) as u32;
            if o.is_uniform() {
                mapped.fill(at(&o.labels[0]));
            } else {
                self.map.clear();
                self.map.extend(o.labels.iter().map(at));
                for (m, &w) in mapped.iter_mut().zip(&o.winners) {
                    *m = self.map[w as usize];
                }
            }
        }
        let mut row = [0u32; EDGE];
        for z in 0..EDGE {
            for y in 0..EDGE {
                // The row's two halves are rows of two octants' 4³ indices.
                let k = (y >> 2) << 1 | (z >> 2) << 2;
                let at = 4 * ((y & 3) + 4 * (z & 3));
                row[..4].copy_from_slice(&self.mapped[k][at..at + 4]);
                row[4..].copy_from_slice(&self.mapped[k + 1][at..at + 4]);
                cseg::or_row8(area, y + EDGE * z, bits, &row, EDGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downsample::downsample;

    fn bytes(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// Labels with regions of 1 to 512 labels per block, and background.
    fn volume(shape: [usize; 3], seed: u64) -> Vec<u64> {
        (0..shape.iter().product::<usize>())
            .map(|i| {
                let (x, y, z) = (i % shape[0], i / shape[0] % shape[1], i / (shape[0] * shape[1]));
                let h = (i as u64 ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
                // Blocks of 1, 3, ~250 (8-bit indices), ~512 (16-bit) and 2–6 labels.
                match (x / 16 + y / 16 + z / 16) % 5 {
                    0 => 7,
                    1 => [0, 5, 9][(x / 3 + y / 5 + z) % 3],
                    2 => h % 300,
                    3 => h,
                    _ => (h % 3) * (1 << 40) + u64::from(h % 7 == 0),
                }
            })
            .collect()
    }

    /// The 16-voxel-aligned chunks of `shape` (`chunk` each) of a volume at `origin`.
    fn chunks(v: &[u64], origin: [i64; 3], shape: [usize; 3], chunk: usize) -> Vec<(VoxelBox, Vec<u64>)> {
        let g = shape.map(|s| s / chunk);
        (0..g.iter().product::<usize>())
            .map(|k| {
                let c = [k % g[0], k / g[0] % g[1], k / (g[0] * g[1])];
                let o = [0, 1, 2].map(|d| origin[d] + (c[d] * chunk) as i64);
                let mut part = Vec::new();
                for z in 0..chunk {
                    for y in 0..chunk {
                        let at = c[0] * chunk + shape[0] * (c[1] * chunk + y + shape[1] * (c[2] * chunk + z));
                        part.extend_from_slice(&v[at..at + chunk]);
                    }
                }
                (VoxelBox { origin: o, shape: [chunk; 3] }, part)
            })
            .collect()
    }

    fn step(method: Method) -> DownresStep {
        let cseg8 = ChunkEncoding::CompressedSegmentation([8; 3]);
        DownresStep {
            source_domain: VoxelBox { origin: [-1 << 20; 3], shape: [1 << 21; 3] },
            source_encoding: cseg8,
            output_encoding: cseg8,
            factors: [2; 3],
            method,
        }
    }

    /// Decode → downsample → encode, what the compressed path must reproduce word for word.
    fn reference<T: Label>(v: &[T], origin: [i64; 3], shape: [usize; 3], method: Method) -> Option<Vec<u8>> {
        let d = downsample(v, origin, shape, [2; 3], method).unwrap();
        d.data
            .iter()
            .any(|l| !l.is_zero())
            .then(|| bytes(&cseg::encode(&d.data, d.shape, 1, [8; 3]).unwrap()))
    }

    fn check<T: Label + TryFrom<u64>>(origin: [i64; 3], shape: [usize; 3], chunk: usize, absent: &[usize]) {
        let narrow = |v: &[u64]| {
            v.iter().map(|&x| T::try_from(x & 0xffff_ffff).unwrap_or_default()).collect::<Vec<T>>()
        };
        let mut whole = narrow(&volume(shape, 3));
        let parts = chunks(&volume(shape, 3), origin, shape, chunk);
        // Absent chunks vote as 0.
        for &a in absent {
            let b = parts[a].0;
            for z in 0..chunk {
                for y in 0..chunk {
                    let r = [0, 1, 2].map(|d| (b.origin[d] - origin[d]) as usize);
                    let at = r[0] + shape[0] * (r[1] + y + shape[1] * (r[2] + z));
                    whole[at..at + chunk].fill(T::default());
                }
            }
        }
        let payloads: Vec<(VoxelBox, Vec<u8>)> = parts
            .iter()
            .enumerate()
            .filter(|(i, _)| !absent.contains(i))
            .map(|(_, (b, v))| (*b, bytes(&cseg::encode(&narrow(v), b.shape, 1, [8; 3]).unwrap())))
            .collect();
        let sources: Vec<SourceChunk<'_>> =
            payloads.iter().map(|(b, p)| SourceChunk { payload: p, bounds: *b }).collect();
        let from = VoxelBox { origin, shape };
        let output = VoxelBox { origin: origin.map(|o| o / 2), shape: shape.map(|s| s / 2) };
        for method in [Method::Mode, Method::ModeNonzero] {
            let got =
                downres_compressed::<T>(&sources, output, &step(method), &from).unwrap().expect("applies");
            assert_eq!(
                got,
                reference(&whole, origin, shape, method),
                "{method:?} {origin:?} absent {absent:?}"
            );
        }
    }

    #[test]
    fn equals_decode_downsample_encode() {
        check::<u64>([0; 3], [64, 32, 32], 32, &[]);
        check::<u64>([-32, 16, 64], [64, 64, 32], 32, &[1, 2]);
        check::<u32>([32, 0, -16], [32, 48, 16], 16, &[4]);
        check::<u64>([0; 3], [64, 32, 32], 32, &[0, 1]);
    }

    /// Another encoder's chunk: one block per table, each table in order of first occurrence,
    /// with a repeated entry, nothing shared.
    fn unsorted_cseg(v: &[u64], shape: [usize; 3]) -> Vec<u8> {
        let g = shape.map(|s| s / EDGE);
        let blocks: usize = g.iter().product();
        let mut words = vec![1u32; 1 + 2 * blocks];
        for b in 0..blocks {
            let c = [b % g[0], b / g[0] % g[1], b / (g[0] * g[1])];
            let voxels: Vec<u64> = (0..BLOCK)
                .map(|i| {
                    let p = [i % 8, i / 8 % 8, i / 64];
                    v[c[0] * 8 + p[0] + shape[0] * (c[1] * 8 + p[1] + shape[1] * (c[2] * 8 + p[2]))]
                })
                .collect();
            let mut table: Vec<u64> = Vec::new();
            for &l in &voxels {
                if !table.contains(&l) {
                    table.push(l);
                }
            }
            table.insert(0, table[0]);
            let bits = cseg::encoding_bits(table.len());
            let header = 1 + 2 * b;
            words[header + 1] = (words.len() - 1) as u32;
            let area = words.len();
            words.resize(area + (bits as usize * BLOCK).div_ceil(32), 0);
            if bits > 0 {
                for (i, l) in voxels.iter().enumerate() {
                    let idx = 1 + table[1..].iter().position(|t| t == l).unwrap() as u32;
                    words[area + i * bits as usize / 32] |= idx << (i * bits as usize % 32);
                }
            }
            words[header] = (words.len() - 1) as u32 | bits << 24;
            for l in table {
                words.extend([l as u32, (l >> 32) as u32]);
            }
        }
        bytes(&words)
    }

    #[test]
    fn byte_windows_vote_like_the_general_vote() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for n in 0..200_000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // 2 to 4 distinct values, 0 and 255 among them often.
            let palette = [0u8, 255, (seed >> 56) as u8, (seed >> 48) as u8];
            let k = 2 + (n % 3) as u64;
            let bytes: [u8; 8] = std::array::from_fn(|i| palette[((seed >> (3 * i)) % k) as usize]);
            if bytes.iter().all(|&b| b == bytes[0]) {
                continue;
            }
            let window = u64::from_le_bytes(bytes);
            let v = bytes.map(u32::from);
            assert_eq!(vote_bytes::<false>(window), vote_fixed::<u32, false, 8>(&v), "{bytes:?}");
            assert_eq!(vote_bytes::<true>(window), vote_fixed::<u32, true, 8>(&v), "{bytes:?}");
        }
    }

    #[test]
    fn unsorted_tables_vote_by_label() {
        let shape = [32, 32, 32];
        let v = volume(shape, 9);
        let payload = unsorted_cseg(&v, shape);
        let bounds = VoxelBox { origin: [0; 3], shape };
        assert_eq!(cseg::decode::<u64>(&payload, shape, 1, [8; 3]).unwrap(), v);
        let sources = [SourceChunk { payload: &payload, bounds }];
        let output = VoxelBox { origin: [0; 3], shape: [16; 3] };
        for method in [Method::Mode, Method::ModeNonzero] {
            let got = downres_compressed::<u64>(&sources, output, &step(method), &bounds).unwrap().unwrap();
            assert_eq!(got, reference(&v, [0; 3], shape, method), "{method:?}");
        }
    }

    #[test]
    fn other_steps_are_left_to_the_decoder() {
        let v = vec![3u64; 32 * 32 * 32];
        let payload = bytes(&cseg::encode(&v, [32; 3], 1, [8; 3]).unwrap());
        let bounds = VoxelBox { origin: [0; 3], shape: [32; 3] };
        let sources = [SourceChunk { payload: &payload, bounds }];
        let output = VoxelBox { origin: [0; 3], shape: [16; 3] };
        let mut anisotropic = step(Method::Mode);
        anisotropic.factors = [2, 2, 1];
        assert!(downres_compressed::<u64>(&sources, output, &anisotropic, &bounds).unwrap().is_none());
        // A chunk off the 16-voxel grid.
        let shifted =
            [SourceChunk { payload: &payload, bounds: VoxelBox { origin: [8, 0, 0], shape: [32; 3] } }];
        let from = VoxelBox { origin: [0; 3], shape: [48, 32, 32] };
        let out = VoxelBox { origin: [0; 3], shape: [24, 16, 16] };
        assert!(downres_compressed::<u64>(&shifted, out, &step(Method::Mode), &from).unwrap().is_none());
    }

    #[test]
    fn corrupt_sources_name_their_chunk() {
        let v = volume([32; 3], 1);
        let mut payload = bytes(&cseg::encode(&v, [32; 3], 1, [8; 3]).unwrap());
        let bounds = VoxelBox { origin: [0; 3], shape: [32; 3] };
        payload.truncate(payload.len() - 8);
        let good = bytes(&cseg::encode(&vec![1u64; 32 * 32 * 32], [32; 3], 1, [8; 3]).unwrap());
        let far = VoxelBox { origin: [32, 0, 0], shape: [32; 3] };
        let sources =
            [SourceChunk { payload: &good, bounds: far }, SourceChunk { payload: &payload, bounds }];
        let from = VoxelBox { origin: [0; 3], shape: [64, 32, 32] };
        let out = VoxelBox { origin: [0; 3], shape: [32, 16, 16] };
        let err = downres_compressed::<u64>(&sources, out, &step(Method::Mode), &from).unwrap_err();
        match &err {
            Error::InChunk { index, source } => {
                assert_eq!(*index, 1);
                assert_eq!(source.code(), "CSEG_CORRUPT", "{source}");
            }
            e => panic!("expected a chunk error, got {e}"),
        }
    }
}
