//! Mode downsampling and whole pyramid-step chunks over flat arguments.

use super::args::gzip_level;
use super::args::shape3;
use crate::Error;
use crate::downres::{ChunkEncoding, DownresStep, SourceChunk, StoredStep, VoxelBox, downres_stored_chunk};
use crate::downsample::{Domain, Method, downsample_into, request_domain};
use crate::label::Label;
use crate::volume::Shape;

fn origin(v: &[f64]) -> Result<[i64; 3], Error> {
    match v {
        [x, y, z] if [x, y, z].iter().all(|c| c.fract() == 0.0 && c.abs() < 9.0e15) => {
            Ok([*x as i64, *y as i64, *z as i64])
        }
        _ => Err(Error::InvalidArgument(format!("origin must be 3 integers, got {v:?}"))),
    }
}

/// Reads a method code: 0 = `mode` (TensorStore), 1 = `mode-nonzero` (DVID).
pub fn method(code: u32) -> Result<Method, Error> {
    match code {
        0 => Ok(Method::Mode),
        1 => Ok(Method::ModeNonzero),
        m => Err(Error::InvalidArgument(format!(
            "downsampling method {m} is not 0 (mode) or 1 (mode-nonzero)"
        ))),
    }
}

/// A downsampled volume with its domain.
#[derive(Debug)]
pub struct DownsampledParts<T> {
    /// x-fastest output voxels.
    pub data: Vec<T>,
    /// Absolute voxel origin of the output.
    pub origin: [f64; 3],
    /// Output shape.
    pub shape: [u32; 3],
}

/// Downsamples `input` (x-fastest, absolute `origin`, `shape`) by `factors`.
pub fn run<T: Label>(
    input: &[T],
    origin_xyz: &[f64],
    shape: &[u32],
    factors: &[u32],
    method_code: u32,
) -> Result<DownsampledParts<T>, Error> {
    let request = Request::new(input.len(), origin_xyz, shape, factors, method_code)?;
    let mut data = vec![T::default(); request.output_len()];
    request.run_into(input, &mut data)?;
    Ok(DownsampledParts { data, origin: request.output_origin(), shape: request.output_shape() })
}

/// A validated downsampling request whose output size is known before any voxel is
/// computed, so a binding can hand the kernel memory its JavaScript engine owns.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    origin: [i64; 3],
    shape: Shape,
    factors: [usize; 3],
    method: Method,
    output: Domain,
}

impl Request {
    /// Parses flat arguments as [`run`] takes them, for an input of `input_len` voxels.
    pub fn new(
        input_len: usize,
        origin_xyz: &[f64],
        shape: &[u32],
        factors: &[u32],
        method_code: u32,
    ) -> Result<Self, Error> {
        let (origin, shape, factors) =
            (origin(origin_xyz)?, shape3(shape, "shape")?, shape3(factors, "factors")?);
        let output = request_domain(input_len, origin, shape, factors)?;
        Ok(Request { origin, shape, factors, method: method(method_code)?, output })
    }

    /// Output voxel count: at most the input's, which `new` checked against the shape.
    pub fn output_len(&self) -> usize {
        self.output.voxel_count().unwrap_or(0)
    }

    /// Absolute voxel origin of the output.
    pub fn output_origin(&self) -> [f64; 3] {
        self.output.origin.map(|o| o as f64)
    }

    /// Output shape.
    pub fn output_shape(&self) -> [u32; 3] {
        self.output.shape.map(|s| s as u32)
    }

    /// Downsamples `input` into `out` (`output_len()` voxels).
    pub fn run_into<T: Label>(&self, input: &[T], out: &mut [T]) -> Result<(), Error> {
        downsample_into(input, self.origin, self.shape, self.factors, self.method, out)?;
        Ok(())
    }
}

fn voxel_box(v: &[f64], what: &str) -> Result<VoxelBox, Error> {
    match v {
        [ox, oy, oz, sx, sy, sz] => {
            let extent = |s: f64| {
                (s >= 0.0 && s.fract() == 0.0 && s < 9.0e15).then_some(s as usize).ok_or_else(|| {
                    Error::InvalidArgument(format!("{what} extent {s} is not a whole number of voxels"))
                })
            };
            Ok(VoxelBox {
                origin: origin(&[*ox, *oy, *oz])?,
                shape: [extent(*sx)?, extent(*sy)?, extent(*sz)?],
            })
        }
        _ => Err(Error::InvalidArgument(format!("{what} needs 6 numbers (origin, shape), got {}", v.len()))),
    }
}

fn encoding(words: &[u32]) -> Result<ChunkEncoding, Error> {
    match words {
        [0, ..] => Ok(ChunkEncoding::Raw),
        [1, rest @ ..] => Ok(ChunkEncoding::CompressedSegmentation(shape3(rest, "block size")?)),
        _ => Err(Error::InvalidArgument(format!(
            "chunk encoding {words:?} is not [0] (raw) or [1, bx, by, bz]"
        ))),
    }
}

/// One output chunk of a pyramid step from the stored payloads of its source chunks (see
/// [`downres_stored_chunk`]): `payloads` concatenated with their `lengths`, `boxes` 6 numbers
/// each; `encodings` is `[source…, output…]` in the form `[0]` (raw) or `[1, bx, by, bz]`
/// (compressed_segmentation), each padded to 4 words; `label_bits` 64 or 32. Source payloads
/// are gzip members when `source_gzip`; `output_gzip` is -1 to return the output as encoded,
/// else its gzip level (absent: [`crate::compress::DEFAULT_GZIP_LEVEL`]). `None` when the chunk
/// is all 0. A failing source chunk's error message starts with `source chunk <index>: `.
#[allow(clippy::too_many_arguments)]
pub fn chunk(
    payloads: &[u8],
    lengths: &[u32],
    boxes: &[f64],
    source_domain: &[f64],
    output: &[f64],
    encodings: &[u32],
    label_bits: u32,
    factors: &[u32],
    method_code: u32,
    source_gzip: bool,
    output_gzip: Option<i32>,
) -> Result<Option<Vec<u8>>, Error> {
    let (sources, output, step) =
        parse(payloads, lengths, boxes, source_domain, output, encodings, factors, method_code)?;
    let output_gzip = match output_gzip {
        None => Some(crate::compress::DEFAULT_GZIP_LEVEL),
        level => gzip_level(level)?,
    };
    let stored = StoredStep { step, source_gzip, output_gzip };
    match label_bits {
        64 => downres_stored_chunk::<u64>(&sources, output, &stored),
        32 => downres_stored_chunk::<u32>(&sources, output, &stored),
        b => Err(Error::InvalidArgument(format!("label width {b} is not 32 or 64"))),
    }
}

#[allow(clippy::too_many_arguments)]
fn parse<'a>(
    payloads: &'a [u8],
    lengths: &[u32],
    boxes: &[f64],
    source_domain: &[f64],
    output: &[f64],
    encodings: &[u32],
    factors: &[u32],
    method_code: u32,
) -> Result<(Vec<SourceChunk<'a>>, VoxelBox, DownresStep), Error> {
    if boxes.len() != 6 * lengths.len() || encodings.len() != 8 {
        return Err(Error::InvalidArgument(
            "downres chunk: 6 box numbers per payload and 8 encoding words".into(),
        ));
    }
    let mut sources = Vec::with_capacity(lengths.len());
    let mut at = 0usize;
    for (i, &len) in lengths.iter().enumerate() {
        let end = at.checked_add(len as usize).filter(|&e| e <= payloads.len()).ok_or_else(|| {
            Error::InvalidArgument(format!("payload {i} runs past the {} concatenated bytes", payloads.len()))
        })?;
        sources.push(SourceChunk {
            payload: &payloads[at..end],
            bounds: voxel_box(&boxes[6 * i..6 * i + 6], "box")?,
        });
        at = end;
    }
    if at != payloads.len() {
        return Err(Error::InvalidArgument(format!(
            "the payload lengths add up to {at} bytes, but {} were passed",
            payloads.len()
        )));
    }
    let step = DownresStep {
        source_domain: voxel_box(source_domain, "source domain")?,
        source_encoding: encoding(&encodings[..4])?,
        output_encoding: encoding(&encodings[4..])?,
        factors: shape3(factors, "factors")?,
        method: method(method_code)?,
    };
    Ok((sources, voxel_box(output, "output box")?, step))
}
