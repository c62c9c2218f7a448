//! One output chunk of a pyramid step, from its source chunks' stored payloads to its own:
//! decode (compressed_segmentation or raw) → mode-downsample with windows anchored at
//! absolute 0 (TensorStore's `downsample(…, "mode")`) → encode. Doing the whole step here
//! keeps 2 MiB label arrays out of JavaScript, where copying BigInt arrays and collecting
//! them cost more than the downsampling itself.
//!
//! The common step — 2×2×2 between 8³-block compressed_segmentation scales, chunks on
//! 16-voxel boundaries — skips the labels altogether and votes on table indices
//! (`downres/compressed.rs`, docs/formats/downsampling.md §4.6); every other step decodes.

mod compressed;

use crate::Error;
use crate::downsample::{Domain, Method, downsample_into, output_domain};
use crate::label::Label;
use crate::precomputed::compressed_segmentation as cseg;
use crate::volume::{Shape, voxel_count};

/// A box of voxels: absolute origin and extent (the downsampler's [`Domain`]).
pub type VoxelBox = Domain;

impl Domain {
    /// Refuses a box whose end does not fit in `i64` (every other computation relies on it).
    fn check(&self, what: &str) -> Result<(), Error> {
        let fits = (0..3)
            .all(|d| i64::try_from(self.shape[d]).ok().and_then(|s| self.origin[d].checked_add(s)).is_some());
        if fits {
            Ok(())
        } else {
            Err(Error::InvalidArgument(format!("{what} {self:?} does not fit in i64 coordinates")))
        }
    }

    /// The box times per-axis factors; `None` when that leaves `i64` coordinates.
    fn scaled(&self, f: [usize; 3]) -> Option<VoxelBox> {
        let mut b = *self;
        for (d, &f) in f.iter().enumerate() {
            b.origin[d] = self.origin[d].checked_mul(i64::try_from(f).ok()?)?;
            b.shape[d] = self.shape[d].checked_mul(f)?;
        }
        b.check("").ok().map(|()| b)
    }

    fn end(&self, d: usize) -> i64 {
        self.origin[d] + self.shape[d] as i64
    }

    fn intersect(&self, other: &VoxelBox) -> VoxelBox {
        let lo = [0, 1, 2].map(|d| self.origin[d].max(other.origin[d]));
        let hi = [0, 1, 2].map(|d| self.end(d).min(other.end(d)));
        VoxelBox { origin: lo, shape: [0, 1, 2].map(|d| (hi[d] - lo[d]).max(0) as usize) }
    }
}

/// How chunks of a scale are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkEncoding {
    /// Little-endian labels, x-fastest.
    Raw,
    /// compressed_segmentation with this block size.
    CompressedSegmentation(Shape),
}

/// A source chunk: its payload (after undoing the shard's data encoding) and its voxel box.
#[derive(Debug, Clone, Copy)]
pub struct SourceChunk<'a> {
    /// Stored chunk bytes in the source scale's encoding.
    pub payload: &'a [u8],
    /// The chunk's (clipped) voxel box.
    pub bounds: VoxelBox,
}

/// What one pyramid step does.
#[derive(Debug, Clone, Copy)]
pub struct DownresStep {
    /// The whole source scale's voxel domain: windows never reach outside it.
    pub source_domain: VoxelBox,
    /// Encoding of the source chunks.
    pub source_encoding: ChunkEncoding,
    /// Encoding of the output chunk.
    pub output_encoding: ChunkEncoding,
    /// Downsampling factors per axis.
    pub factors: [usize; 3],
    /// Voting rule.
    pub method: Method,
}

/// Computes the output chunk covering `output` from `sources` (every stored source chunk that
/// intersects the output's source box; absent chunks are all 0 and vote as such). Returns
/// `None` when the output chunk is all 0, which is not stored.
pub fn downres_chunk<T: Label + Into<u64> + TryFrom<u64>>(
    sources: &[SourceChunk<'_>],
    output: VoxelBox,
    step: &DownresStep,
) -> Result<Option<Vec<u8>>, Error> {
    let from = source_box(sources, output, step)?;
    // This entry point's errors predate chunk indexes; callers match on their text.
    downres_decoded::<T>(sources, output, step, from).map_err(|e| match e {
        Error::InChunk { source, .. } => *source,
        e => e,
    })
}

/// How a scale's chunk payloads are stored on top of their encoding (a sharded precomputed
/// scale's `data_encoding`).
#[derive(Debug, Clone, Copy)]
pub struct StoredStep {
    /// The pyramid step on the payloads.
    pub step: DownresStep,
    /// Whether source payloads are gzip members.
    pub source_gzip: bool,
    /// gzip level for the output payload, `None` to store it as encoded.
    pub output_gzip: Option<u32>,
}

/// [`downres_chunk`] from and to stored bytes: source payloads as storage holds them (gzip
/// members when `source_gzip`), the output payload ready to store. Doing the gunzip and gzip
/// here makes a pyramid step one call per output chunk, with only bytes crossing to the caller.
/// A source region that is one label in compressed form (every block of every source a
/// one-entry table of that label, covering the region) is encoded as such without decoding
/// a voxel. Failures of a source chunk are [`Error::InChunk`] with its position in `sources`.
pub fn downres_stored_chunk<T: Label + Into<u64> + TryFrom<u64>>(
    sources: &[SourceChunk<'_>],
    output: VoxelBox,
    stored: &StoredStep,
) -> Result<Option<Vec<u8>>, Error> {
    let step = &stored.step;
    let from = source_box(sources, output, step)?;
    if let Some(level) = stored.output_gzip {
        crate::compress::check_gzip_level(level)?;
    }
    let unpacked: Vec<std::borrow::Cow<'_, [u8]>> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if !stored.source_gzip {
                return Ok(std::borrow::Cow::Borrowed(s.payload));
            }
            let limit = max_payload_bytes(&s.bounds, step.source_encoding);
            crate::compress::gunzip_limited(s.payload, limit)
                .map(std::borrow::Cow::Owned)
                .map_err(|e| Error::in_chunk(i, e))
        })
        .collect::<Result<_, Error>>()?;
    let sources: Vec<SourceChunk<'_>> =
        sources.iter().zip(&unpacked).map(|(s, p)| SourceChunk { payload: p, bounds: s.bounds }).collect();
    let encoded = match uniform_source::<T>(&sources, &from, step.source_encoding)? {
        Some(label) if label.is_zero() => None,
        Some(label) => Some(encode_uniform(label, output.shape, step.output_encoding)?),
        None => downres_decoded::<T>(&sources, output, step, from)?,
    };
    match (encoded, stored.output_gzip) {
        (None, _) => Ok(None),
        (Some(e), None) => Ok(Some(e)),
        (Some(e), Some(level)) => Ok(Some(crate::compress::gzip(&e, level)?)),
    }
}

/// Bound on a source payload after gunzip, against gzip bombs: a compressed_segmentation
/// chunk's worst case is a 2-word header per block and a 32-bit index plus a table entry per
/// voxel (as the TypeScript shard reader bounds it).
fn max_payload_bytes(bounds: &VoxelBox, encoding: ChunkEncoding) -> usize {
    let n = bounds.shape.iter().product::<usize>();
    let per_voxel = if encoding == ChunkEncoding::Raw { 8 } else { 20 };
    n.saturating_mul(per_voxel).saturating_add(64 * 1024)
}

/// The one label of the whole source region, when the compressed_segmentation sources say so
/// from their block headers and cover the region (absent chunks are 0 and would vote).
fn uniform_source<T: Label>(
    sources: &[SourceChunk<'_>],
    from: &VoxelBox,
    encoding: ChunkEncoding,
) -> Result<Option<T>, Error> {
    let ChunkEncoding::CompressedSegmentation(block) = encoding else { return Ok(None) };
    let mut covered = 0usize;
    let mut label: Option<T> = None;
    for (i, s) in sources.iter().enumerate() {
        let part = s.bounds.intersect(from);
        if part.shape.contains(&0) {
            continue;
        }
        match cseg::uniform_label::<T>(s.payload, s.bounds.shape, block).map_err(|e| Error::in_chunk(i, e))? {
            Some(l) if label.is_none_or(|m| m == l) => label = Some(l),
            _ => return Ok(None),
        }
        covered += part.shape.iter().product::<usize>();
    }
    // All-0 sources with absent (0) chunks beside them are still all 0.
    Ok(label.filter(|l| l.is_zero() || covered == from.shape.iter().product::<usize>()))
}

/// The output chunk of `shape` all of `label`.
fn encode_uniform<T: Label + Into<u64>>(
    label: T,
    shape: Shape,
    encoding: ChunkEncoding,
) -> Result<Vec<u8>, Error> {
    match encoding {
        ChunkEncoding::CompressedSegmentation(block) => {
            Ok(cseg::words_le_bytes(&cseg::encode_uniform(label, shape, block)?).into_owned())
        }
        ChunkEncoding::Raw => encode(&vec![label; voxel_count(shape)?], shape, encoding),
    }
}

/// Checks the arguments and returns the source box the output is computed from.
fn source_box(sources: &[SourceChunk<'_>], output: VoxelBox, step: &DownresStep) -> Result<VoxelBox, Error> {
    let f = step.factors;
    check_step(sources, output, step)?;
    let wanted = output.scaled(f).ok_or_else(|| {
        Error::InvalidArgument(format!("output box {output:?} times the factors {f:?} overflows"))
    })?;
    let from = wanted.intersect(&step.source_domain);
    let domain = output_domain(from.origin, from.shape, f)?;
    if domain.origin != output.origin || domain.shape != output.shape {
        return Err(Error::InvalidArgument(format!(
            "output box {output:?} is not the downsampled domain {domain:?} of its source box {from:?}"
        )));
    }
    Ok(from)
}

/// The output payload from decoded-on-the-fly sources (`from` checked by [`source_box`]);
/// `None` when all 0. Source failures are [`Error::InChunk`].
fn downres_decoded<T: Label + Into<u64> + TryFrom<u64>>(
    sources: &[SourceChunk<'_>],
    output: VoxelBox,
    step: &DownresStep,
    from: VoxelBox,
) -> Result<Option<Vec<u8>>, Error> {
    if let Some(payload) = compressed::downres_compressed::<T>(sources, output, step, &from)? {
        return Ok(payload);
    }
    let f = step.factors;
    let mut out: Vec<T> = vec![T::default(); voxel_count(output.shape)?];
    if sources.iter().all(|s| holds_whole_windows(&s.bounds.intersect(&from), &from, f)) {
        // No window straddles two chunks: each downsamples alone and is pasted in.
        for (i, s) in sources.iter().enumerate() {
            let part_box = s.bounds.intersect(&from);
            if part_box.shape.contains(&0) {
                continue;
            }
            if let ChunkEncoding::CompressedSegmentation(block) = step.source_encoding {
                if part_box == s.bounds && blocks_hold_whole_windows(&s.bounds, block, f) {
                    let mut sink = DownsampleSink::new(&s.bounds, block, f, step.method, &mut out, &output);
                    cseg::visit_blocks(s.payload, s.bounds.shape, block, &mut sink)
                        .map_err(|e| Error::in_chunk(i, e))?;
                    sink.error.map_or(Ok(()), Err)?;
                    continue;
                }
            }
            let voxels = decode::<T>(s, step.source_encoding).map_err(|e| Error::in_chunk(i, e))?;
            let within = if part_box == s.bounds { voxels } else { crop(&voxels, &s.bounds, &part_box) };
            let part_domain = output_domain(part_box.origin, part_box.shape, f)?;
            let mut part = vec![T::default(); voxel_count(part_domain.shape)?];
            downsample_into(&within, part_box.origin, part_box.shape, f, step.method, &mut part)?;
            paste(
                &part,
                &VoxelBox { origin: part_domain.origin, shape: part_domain.shape },
                &mut out,
                &output,
            );
        }
    } else {
        let mut region = vec![T::default(); voxel_count(from.shape)?];
        for (i, s) in sources.iter().enumerate() {
            let voxels = decode::<T>(s, step.source_encoding).map_err(|e| Error::in_chunk(i, e))?;
            paste(&voxels, &s.bounds, &mut region, &from);
        }
        downsample_into(&region, from.origin, from.shape, f, step.method, &mut out)?;
    }
    if out.iter().all(|v| v.is_zero()) {
        return Ok(None);
    }
    encode(&out, output.shape, step.output_encoding).map(Some)
}

/// Validates what the arithmetic below relies on, so bad arguments are errors, not overflow:
/// factors in range, boxes that fit in `i64`, an output and block sizes of at most
/// `MAX_VOXELS` voxels.
fn check_step(sources: &[SourceChunk<'_>], output: VoxelBox, step: &DownresStep) -> Result<(), Error> {
    crate::downsample::check_factors(step.factors)?;
    output.check("output box")?;
    voxel_count(output.shape)?;
    step.source_domain.check("source domain")?;
    for (i, s) in sources.iter().enumerate() {
        s.bounds.check(&format!("source chunk {i}"))?;
    }
    for encoding in [step.source_encoding, step.output_encoding] {
        if let ChunkEncoding::CompressedSegmentation(block) = encoding {
            if block.contains(&0) {
                return Err(Error::InvalidArgument(format!("block size {block:?} has a zero axis")));
            }
            voxel_count(block)?;
        }
    }
    Ok(())
}

/// Whether every compressed_segmentation block of a chunk at `bounds` holds whole windows:
/// the chunk starts on a window boundary and the block size is a multiple of the factor.
fn blocks_hold_whole_windows(bounds: &VoxelBox, block: Shape, f: [usize; 3]) -> bool {
    (0..3).all(|d| block[d] % f[d] == 0 && bounds.origin[d].rem_euclid(f[d] as i64) == 0)
}

/// Downsamples a chunk block by block straight out of its compressed_segmentation: a block
/// with one label (most of a segmentation) becomes its output voxels without decoding, the
/// others are decoded into a block-sized scratch and downsampled alone.
struct DownsampleSink<'o, T> {
    chunk_origin: [i64; 3],
    block: Shape,
    f: [usize; 3],
    method: Method,
    out: &'o mut [T],
    out_box: VoxelBox,
    scratch: Vec<T>,
    dense: Vec<T>,
    part: Vec<T>,
    error: Option<Error>,
}

impl<'o, T: Label> DownsampleSink<'o, T> {
    fn new(
        bounds: &VoxelBox,
        block: Shape,
        f: [usize; 3],
        method: Method,
        out: &'o mut [T],
        out_box: &VoxelBox,
    ) -> Self {
        let n: usize = block.iter().product();
        DownsampleSink {
            chunk_origin: bounds.origin,
            block,
            f,
            method,
            out,
            out_box: *out_box,
            scratch: vec![T::default(); n],
            dense: Vec::with_capacity(n),
            part: Vec::with_capacity(n),
            error: None,
        }
    }

    fn absolute(&self, origin: Shape, extent: Shape) -> VoxelBox {
        VoxelBox { origin: [0, 1, 2].map(|d| self.chunk_origin[d] + origin[d] as i64), shape: extent }
    }

    /// The output voxels the windows of an input box fill.
    fn output_of(&self, input: &VoxelBox) -> VoxelBox {
        let f = self.f.map(|v| v as i64);
        let lo = [0, 1, 2].map(|d| input.origin[d].div_euclid(f[d]));
        let hi = [0, 1, 2].map(|d| (input.end(d) + f[d] - 1).div_euclid(f[d]));
        VoxelBox { origin: lo, shape: [0, 1, 2].map(|d| (hi[d] - lo[d]) as usize) }
    }
}

impl<T: Label> cseg::BlockSink<T> for DownsampleSink<'_, T> {
    fn uniform(&mut self, origin: Shape, extent: Shape, label: T) {
        let target = self.output_of(&self.absolute(origin, extent)).intersect(&self.out_box);
        fill(self.out, &self.out_box, &target, label);
    }

    fn row(&mut self, _origin: Shape, y: usize, z: usize, len: usize) -> &mut [T] {
        let at = self.block[0] * (y + self.block[1] * z);
        &mut self.scratch[at..at + len]
    }

    fn end_block(&mut self, origin: Shape, extent: Shape) {
        let input = if extent == self.block {
            &self.scratch[..]
        } else {
            self.dense.clear();
            for z in 0..extent[2] {
                for y in 0..extent[1] {
                    let at = self.block[0] * (y + self.block[1] * z);
                    self.dense.extend_from_slice(&self.scratch[at..at + extent[0]]);
                }
            }
            &self.dense[..]
        };
        let abs = self.absolute(origin, extent);
        let target = self.output_of(&abs);
        self.part.clear();
        self.part.resize(target.shape.iter().product(), T::default());
        match downsample_into(input, abs.origin, extent, self.f, self.method, &mut self.part) {
            Ok(_) => paste(&self.part, &target, self.out, &self.out_box),
            Err(e) => self.error = Some(e.into()),
        }
    }
}

/// Sets the voxels of `target` (inside `dst_box`) to `label`.
fn fill<T: Copy>(dst: &mut [T], dst_box: &VoxelBox, target: &VoxelBox, label: T) {
    if target.shape.contains(&0) {
        return;
    }
    let d0 = [0, 1, 2].map(|d| (target.origin[d] - dst_box.origin[d]) as usize);
    for z in 0..target.shape[2] {
        for y in 0..target.shape[1] {
            let t = d0[0] + dst_box.shape[0] * (d0[1] + y + dst_box.shape[1] * (d0[2] + z));
            dst[t..t + target.shape[0]].fill(label);
        }
    }
}

/// Whether the windows of `part` (a chunk's share of the source box) lie wholly inside it:
/// its faces fall on multiples of the factor or on the source box's own faces.
fn holds_whole_windows(part: &VoxelBox, from: &VoxelBox, f: [usize; 3]) -> bool {
    (0..3).all(|d| {
        let on_grid = |v: i64| v.rem_euclid(f[d] as i64) == 0;
        (on_grid(part.origin[d]) || part.origin[d] == from.origin[d])
            && (on_grid(part.end(d)) || part.end(d) == from.end(d))
    })
}

fn decode<T: Label + TryFrom<u64>>(s: &SourceChunk<'_>, encoding: ChunkEncoding) -> Result<Vec<T>, Error> {
    let n = voxel_count(s.bounds.shape)?;
    match encoding {
        ChunkEncoding::CompressedSegmentation(block) => {
            Ok(cseg::decode::<T>(s.payload, s.bounds.shape, 1, block)?)
        }
        ChunkEncoding::Raw => {
            let width = std::mem::size_of::<T>();
            if s.payload.len() != n * width {
                return Err(Error::InvalidArgument(format!(
                    "raw chunk at {:?} has {} bytes, its {:?} voxels need {}",
                    s.bounds.origin,
                    s.payload.len(),
                    s.bounds.shape,
                    n * width
                )));
            }
            Ok(s.payload
                .chunks_exact(width)
                .map(|b| {
                    let mut le = [0u8; 8];
                    le[..width].copy_from_slice(b);
                    T::try_from(u64::from_le_bytes(le)).unwrap_or_default()
                })
                .collect())
        }
    }
}

/// The part of `data` (covering `bounds`) inside `part`, densely packed.
fn crop<T: Copy>(data: &[T], bounds: &VoxelBox, part: &VoxelBox) -> Vec<T> {
    let mut out = Vec::with_capacity(part.shape.iter().product());
    let rel = [0, 1, 2].map(|d| (part.origin[d] - bounds.origin[d]) as usize);
    for z in 0..part.shape[2] {
        for y in 0..part.shape[1] {
            let at = rel[0] + bounds.shape[0] * (rel[1] + y + bounds.shape[1] * (rel[2] + z));
            out.extend_from_slice(&data[at..at + part.shape[0]]);
        }
    }
    out
}

/// Copies the intersection of `src` (covering `src_box`) into `dst` (covering `dst_box`).
fn paste<T: Copy>(src: &[T], src_box: &VoxelBox, dst: &mut [T], dst_box: &VoxelBox) {
    let i = src_box.intersect(dst_box);
    if i.shape.contains(&0) {
        return;
    }
    let s0 = [0, 1, 2].map(|d| (i.origin[d] - src_box.origin[d]) as usize);
    let d0 = [0, 1, 2].map(|d| (i.origin[d] - dst_box.origin[d]) as usize);
    for z in 0..i.shape[2] {
        for y in 0..i.shape[1] {
            let s = s0[0] + src_box.shape[0] * (s0[1] + y + src_box.shape[1] * (s0[2] + z));
            let t = d0[0] + dst_box.shape[0] * (d0[1] + y + dst_box.shape[1] * (d0[2] + z));
            dst[t..t + i.shape[0]].copy_from_slice(&src[s..s + i.shape[0]]);
        }
    }
}

fn encode<T: Label + Into<u64>>(
    voxels: &[T],
    shape: Shape,
    encoding: ChunkEncoding,
) -> Result<Vec<u8>, Error> {
    match encoding {
        ChunkEncoding::CompressedSegmentation(block) => {
            Ok(cseg::words_le_bytes(&cseg::encode(voxels, shape, 1, block)?).into_owned())
        }
        ChunkEncoding::Raw => {
            let width = std::mem::size_of::<T>();
            Ok(voxels.iter().flat_map(|&v| v.into().to_le_bytes().into_iter().take(width)).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downsample::downsample;

    fn cseg_bytes(v: &[u64], shape: Shape) -> Vec<u8> {
        encode(v, shape, ChunkEncoding::CompressedSegmentation([8; 3])).unwrap()
    }

    /// A 40×24×20 volume at an odd offset cut into 16³ chunks, downsampled chunk by chunk,
    /// must equal downsampling the whole volume — in both the aligned and unaligned paths.
    #[test]
    fn chunkwise_equals_whole_volume() {
        for (offset, method) in
            [([0i64, 0, 0], Method::Mode), ([3, -5, 7], Method::Mode), ([4, 2, -6], Method::ModeNonzero)]
        {
            let size = [40usize, 24, 20];
            let domain = VoxelBox { origin: offset, shape: size };
            let vol: Vec<u64> = (0..size.iter().product::<usize>())
                .map(|i| {
                    let (x, y, z) = (i % 40, i / 40 % 24, i / 960);
                    if (x + y) % 11 == 0 { 0 } else { ((x / 5 + y / 3 + z / 4) % 4) as u64 + 10 }
                })
                .collect();
            let whole = downsample(&vol, offset, size, [2; 3], method).unwrap();
            let chunk = [16usize; 3];
            let grid = [0, 1, 2].map(|d| size[d].div_ceil(chunk[d]));
            let chunk_box = |g: [usize; 3], c: Shape, o: [i64; 3], s: Shape| {
                let origin = [0, 1, 2].map(|d| o[d] + (g[d] * c[d]) as i64);
                VoxelBox { origin, shape: [0, 1, 2].map(|d| c[d].min(s[d] - g[d] * c[d])) }
            };
            let payloads: Vec<(VoxelBox, Vec<u8>)> = (0..grid.iter().product::<usize>())
                .map(|k| {
                    let g = [k % grid[0], k / grid[0] % grid[1], k / (grid[0] * grid[1])];
                    let b = chunk_box(g, chunk, offset, size);
                    let mut v = Vec::new();
                    for z in 0..b.shape[2] {
                        for y in 0..b.shape[1] {
                            let at = (g[0] * 16) + size[0] * (g[1] * 16 + y + size[1] * (g[2] * 16 + z));
                            v.extend_from_slice(&vol[at..at + b.shape[0]]);
                        }
                    }
                    (b, cseg_bytes(&v, b.shape))
                })
                .collect();
            let sources: Vec<SourceChunk> =
                payloads.iter().map(|(b, p)| SourceChunk { payload: p, bounds: *b }).collect();
            let step = DownresStep {
                source_domain: domain,
                source_encoding: ChunkEncoding::CompressedSegmentation([8; 3]),
                output_encoding: ChunkEncoding::Raw,
                factors: [2; 3],
                method,
            };
            // Output chunks of 8³ over the downsampled domain.
            let od = VoxelBox { origin: whole.origin, shape: whole.shape };
            let out_grid = [0, 1, 2].map(|d| od.shape[d].div_ceil(8));
            for k in 0..out_grid.iter().product::<usize>() {
                let g = [k % out_grid[0], k / out_grid[0] % out_grid[1], k / (out_grid[0] * out_grid[1])];
                let b = chunk_box(g, [8; 3], od.origin, od.shape);
                let got = downres_chunk::<u64>(&sources, b, &step).unwrap();
                let mut expected = vec![0u64; b.shape.iter().product()];
                paste(&whole.data, &od, &mut expected, &b);
                match got {
                    None => assert!(expected.iter().all(|&v| v == 0), "{offset:?} {g:?}"),
                    Some(bytes) => {
                        let v: Vec<u64> = bytes
                            .chunks_exact(8)
                            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
                            .collect();
                        assert_eq!(v, expected, "{offset:?} {g:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn rejects_boxes_off_the_downsampled_grid() {
        let step = DownresStep {
            source_domain: VoxelBox { origin: [0; 3], shape: [16; 3] },
            source_encoding: ChunkEncoding::Raw,
            output_encoding: ChunkEncoding::Raw,
            factors: [2; 3],
            method: Method::Mode,
        };
        let err =
            downres_chunk::<u64>(&[], VoxelBox { origin: [0; 3], shape: [9, 8, 8] }, &step).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        let bad = [0u8; 10];
        let src = [SourceChunk { payload: &bad, bounds: VoxelBox { origin: [0; 3], shape: [16; 3] } }];
        assert!(downres_chunk::<u64>(&src, VoxelBox { origin: [0; 3], shape: [8; 3] }, &step).is_err());
    }

    #[test]
    fn refuses_arguments_that_would_overflow() {
        let step = DownresStep {
            source_domain: VoxelBox { origin: [0; 3], shape: [16; 3] },
            source_encoding: ChunkEncoding::CompressedSegmentation([8; 3]),
            output_encoding: ChunkEncoding::Raw,
            factors: [2; 3],
            method: Method::Mode,
        };
        let out = VoxelBox { origin: [0; 3], shape: [8; 3] };
        let code = |sources: &[SourceChunk<'_>], output: VoxelBox, step: &DownresStep| {
            downres_chunk::<u64>(sources, output, step).unwrap_err().code()
        };
        assert_eq!(code(&[], out, &DownresStep { factors: [2, 0, 2], ..step }), "INVALID_ARGUMENT");
        assert_eq!(code(&[], out, &DownresStep { factors: [2, 2, 9], ..step }), "INVALID_ARGUMENT");
        let far = VoxelBox { origin: [i64::MAX / 2, 0, 0], shape: [8; 3] };
        assert_eq!(code(&[], far, &step), "INVALID_ARGUMENT");
        let wide = VoxelBox { origin: [0; 3], shape: [usize::MAX, 0, 1] };
        assert_eq!(code(&[], wide, &step), "INVALID_ARGUMENT");
        let huge_block = ChunkEncoding::CompressedSegmentation([1 << 20, 1 << 20, 1 << 20]);
        assert_eq!(code(&[], out, &DownresStep { source_encoding: huge_block, ..step }), "INVALID_ARGUMENT");
        let empty = [0u8; 0];
        let escaping =
            [SourceChunk { payload: &empty, bounds: VoxelBox { origin: [i64::MAX, 0, 0], shape: [2; 3] } }];
        assert_eq!(code(&escaping, out, &step), "INVALID_ARGUMENT");
    }

    fn stored(step: DownresStep, gzip_in: bool, gzip_out: Option<u32>) -> StoredStep {
        StoredStep { step, source_gzip: gzip_in, output_gzip: gzip_out }
    }

    /// 32³ at (2, 0, -4) in 16³ chunks: non-uniform, uniform and clipped chunks mixed.
    fn mixed_sources(uniform: Option<u64>) -> (VoxelBox, Vec<(VoxelBox, Vec<u8>)>) {
        let domain = VoxelBox { origin: [2, 0, -4], shape: [30, 32, 32] };
        let mut chunks = Vec::new();
        for k in 0..8usize {
            let g = [k & 1, (k >> 1) & 1, k >> 2];
            let origin = [0, 1, 2].map(|d| domain.origin[d] + 16 * g[d] as i64);
            let shape = [0, 1, 2].map(|d| 16.min(domain.shape[d] - 16 * g[d]));
            let n: usize = shape.iter().product();
            let v: Vec<u64> = match uniform {
                Some(l) => vec![l; n],
                None if k % 3 == 0 => vec![5; n],
                None => (0..n).map(|i| ((i / 7 + k) % 4) as u64).collect(),
            };
            chunks.push((VoxelBox { origin, shape }, cseg_bytes(&v, shape)));
        }
        (domain, chunks)
    }

    #[test]
    fn stored_path_equals_decoded_path() {
        for uniform in [None, Some(9), Some(0)] {
            let (domain, chunks) = mixed_sources(uniform);
            let gz: Vec<Vec<u8>> = chunks.iter().map(|(_, p)| crate::compress::gzip(p, 5).unwrap()).collect();
            for method in [Method::Mode, Method::ModeNonzero] {
                let step = DownresStep {
                    source_domain: domain,
                    source_encoding: ChunkEncoding::CompressedSegmentation([8; 3]),
                    output_encoding: ChunkEncoding::CompressedSegmentation([8; 3]),
                    factors: [2; 3],
                    method,
                };
                // Every output chunk of 8³ over the 15×16×16 output, and each with a source missing.
                for drop in [None, Some(3)] {
                    let plain: Vec<SourceChunk> = chunks
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| Some(*i) != drop)
                        .map(|(_, (b, p))| SourceChunk { payload: p, bounds: *b })
                        .collect();
                    let zipped: Vec<SourceChunk> = chunks
                        .iter()
                        .zip(&gz)
                        .enumerate()
                        .filter(|(i, _)| Some(*i) != drop)
                        .map(|(_, ((b, _), z))| SourceChunk { payload: z, bounds: *b })
                        .collect();
                    for k in 0..8usize {
                        let origin =
                            [1 + 8 * (k & 1) as i64, 8 * ((k >> 1) & 1) as i64, -2 + 8 * (k >> 2) as i64];
                        let shape = [if k & 1 == 1 { 7 } else { 8 }, 8, 8];
                        let out = VoxelBox { origin, shape };
                        let want = downres_chunk::<u64>(&plain, out, &step).unwrap();
                        let raw =
                            downres_stored_chunk::<u64>(&plain, out, &stored(step, false, None)).unwrap();
                        assert_eq!(raw, want, "{uniform:?} {drop:?} {k}");
                        let got =
                            downres_stored_chunk::<u64>(&zipped, out, &stored(step, true, Some(5))).unwrap();
                        assert_eq!(got.map(|z| crate::compress::gunzip(&z).unwrap()), want);
                    }
                }
            }
        }
    }

    #[test]
    fn uniform_sources_short_circuit_and_match_the_encoder() {
        let (domain, chunks) = mixed_sources(Some(9));
        let sources: Vec<SourceChunk> =
            chunks.iter().map(|(b, p)| SourceChunk { payload: p, bounds: *b }).collect();
        let from = VoxelBox { origin: [2, 0, -4], shape: [16, 16, 16] };
        assert_eq!(
            uniform_source::<u64>(&sources, &from, ChunkEncoding::CompressedSegmentation([8; 3])).unwrap(),
            Some(9)
        );
        // A region not wholly covered is not uniform: the absent part votes 0.
        assert_eq!(
            uniform_source::<u64>(&sources[1..], &domain, ChunkEncoding::CompressedSegmentation([8; 3]))
                .unwrap(),
            None
        );
        for shape in [[8, 8, 8], [7, 8, 3], [16, 9, 1]] {
            for block in [[8, 8, 8], [4, 4, 4]] {
                let want = encode(
                    &vec![9u64; shape.iter().product()],
                    shape,
                    ChunkEncoding::CompressedSegmentation(block),
                )
                .unwrap();
                assert_eq!(
                    encode_uniform(9u64, shape, ChunkEncoding::CompressedSegmentation(block)).unwrap(),
                    want
                );
            }
        }
    }

    #[test]
    fn a_corrupt_source_is_named_by_its_index() {
        let (domain, chunks) = mixed_sources(None);
        let mut gz: Vec<Vec<u8>> = chunks.iter().map(|(_, p)| crate::compress::gzip(p, 5).unwrap()).collect();
        let step = DownresStep {
            source_domain: domain,
            source_encoding: ChunkEncoding::CompressedSegmentation([8; 3]),
            output_encoding: ChunkEncoding::CompressedSegmentation([8; 3]),
            factors: [2; 3],
            method: Method::Mode,
        };
        let out = VoxelBox { origin: [1, 0, -2], shape: [8; 3] };
        let last = VoxelBox { origin: [9, 8, 6], shape: [7, 8, 8] };
        let n = gz[0].len();
        gz[0][n - 5] ^= 0xff;
        let sources: Vec<SourceChunk> =
            chunks.iter().zip(&gz).map(|((b, _), z)| SourceChunk { payload: z, bounds: *b }).collect();
        let err = downres_stored_chunk::<u64>(&sources, out, &stored(step, true, Some(5))).unwrap_err();
        assert!(matches!(err, Error::InChunk { index: 0, .. }), "{err}");
        assert_eq!(err.code(), "GZIP_CORRUPT");
        // A gzip member holding a corrupt compressed_segmentation chunk.
        let bad = crate::compress::gzip(&[1, 0, 0, 0, 7, 7], 5).unwrap();
        gz[0] = crate::compress::gzip(&chunks[0].1, 5).unwrap();
        gz[7] = bad;
        let sources: Vec<SourceChunk> =
            chunks.iter().zip(&gz).map(|((b, _), z)| SourceChunk { payload: z, bounds: *b }).collect();
        assert!(downres_stored_chunk::<u64>(&sources, out, &stored(step, true, None)).is_ok());
        let err = downres_stored_chunk::<u64>(&sources, last, &stored(step, true, None)).unwrap_err();
        assert!(matches!(err, Error::InChunk { index: 7, .. }), "{err}");
        assert_eq!(err.code(), "CSEG_CORRUPT");
        assert!(err.to_string().starts_with("source chunk 7: "), "{err}");
    }
}
