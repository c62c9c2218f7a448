//! Synthetic DVID blocks over flat arguments.

use crate::Error;
use crate::compress::zstd_compress;
use crate::synth::{SynthParams, synth_dvid_block};

/// Reads `[seed, cell, background, body_group, grain, roughness, extent_x, extent_y, extent_z]`
/// (an infinite extent means unbounded).
pub fn params(v: &[f64]) -> Result<SynthParams, Error> {
    let [seed, cell, background, group, grain, roughness, ex, ey, ez] = v else {
        return Err(Error::InvalidArgument(format!("synthetic parameters need 9 numbers, got {}", v.len())));
    };
    let int = |x: f64, what: &str| {
        if x.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&x) {
            Ok(x as u32)
        } else {
            Err(Error::InvalidArgument(format!("{what} must be a non-negative integer, got {x}")))
        }
    };
    let extent = |x: f64| if x.is_finite() { x.max(0.0) as u64 } else { u64::MAX };
    Ok(SynthParams {
        seed: if seed.is_finite() && *seed >= 0.0 { *seed as u64 } else { 0 },
        cell: int(*cell, "cell")?,
        background: *background,
        body_group: int(*group, "body_group")?,
        grain: int(*grain, "grain")?,
        roughness: *roughness,
        extent: [extent(*ex), extent(*ey), extent(*ez)],
    })
}

/// A zstd-wrapped synthetic block and its record columns.
#[derive(Debug)]
pub struct SynthRecordParts {
    /// zstd frame of the DVID block.
    pub block: Vec<u8>,
    /// Decompressed size of the block.
    pub uncompressed_size: u32,
    /// Block label list.
    pub supervoxels: Vec<u64>,
    /// Body per label-list entry.
    pub labels: Vec<u64>,
}

/// Generates the 64³ block at `chunk`, zstd-wrapped at `zstd_level`.
pub fn record(params_v: &[f64], chunk: &[i32], zstd_level: i32) -> Result<SynthRecordParts, Error> {
    let [x, y, z] = chunk else {
        return Err(Error::InvalidArgument(format!("chunk needs 3 coordinates, got {}", chunk.len())));
    };
    let r = synth_dvid_block(&params(params_v)?, [*x, *y, *z])?;
    Ok(SynthRecordParts {
        uncompressed_size: r.block.len() as u32,
        block: zstd_compress(&r.block, zstd_level)?,
        supervoxels: r.supervoxels,
        labels: r.labels,
    })
}
