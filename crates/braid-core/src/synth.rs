//! Synthetic DVID-like segmentation for tests, demos and benchmarks: a jittered-lattice
//! Voronoi partition into supervoxels, some of them background, grouped into bodies by
//! lattice neighbourhood. Deterministic in `(seed, voxel coordinate)`, so any block of an
//! arbitrarily large volume can be generated independently, in any order, on any worker.

use std::collections::HashMap;

use crate::Error;
use crate::dvid::block::encode_block;

/// Shape of the generated segmentation.
#[derive(Debug, Clone, Copy)]
pub struct SynthParams {
    /// Seed of every random choice.
    pub seed: u64,
    /// Lattice spacing in voxels: the typical supervoxel diameter.
    pub cell: u32,
    /// Fraction of supervoxels that are background (label 0).
    pub background: f64,
    /// Lattice cells per body along each axis: bodies merge up to `group³` supervoxels.
    pub body_group: u32,
    /// Voxels per sample along each axis; boundaries are evaluated on this coarser grid.
    pub grain: u32,
    /// Amplitude in voxels of the noise added to boundaries.
    pub roughness: f64,
    /// Voxels at or beyond this extent are 0 (the volume's size), per axis.
    pub extent: [u64; 3],
}

impl Default for SynthParams {
    /// Tuned to mCNS statistics: a median of ~22 labels per 64³ block, ~40% solid sub-blocks.
    fn default() -> Self {
        SynthParams {
            seed: 1,
            cell: 38,
            background: 0.12,
            body_group: 2,
            grain: 2,
            roughness: 2.0,
            extent: [u64::MAX; 3],
        }
    }
}

fn mix(mut h: u64) -> u64 {
    // splitmix64 finaliser: a cheap, well-distributed hash of lattice coordinates.
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn hash3(seed: u64, salt: u64, c: [i64; 3]) -> u64 {
    let mut h = mix(seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    for v in c {
        h = mix(h ^ (v as u64));
    }
    h
}

impl SynthParams {
    fn check(&self) -> Result<(), Error> {
        if self.cell < 2
            || self.grain == 0
            || self.body_group == 0
            || !(0.0..1.0).contains(&self.background)
            || !(0.0..=f64::from(self.cell)).contains(&self.roughness)
        {
            return Err(Error::InvalidArgument(format!(
                "synthetic parameters need cell >= 2, grain >= 1, body_group >= 1, background in [0, 1), roughness in [0, cell]: {self:?}"
            )));
        }
        Ok(())
    }

    /// Supervoxel id of a lattice cell (0 for background); ids stay below 2^48.
    fn supervoxel(&self, c: [i64; 3]) -> u64 {
        let h = hash3(self.seed, 1, c);
        if (h >> 11) as f64 / (1u64 << 53) as f64 <= self.background { 0 } else { 1 + (h >> 16) }
    }

    /// Body of the supervoxel in lattice cell `c`: lattice cells grouped in `group³` boxes.
    fn body(&self, c: [i64; 3]) -> u64 {
        let g = i64::from(self.body_group);
        let b = hash3(self.seed, 2, c.map(|v| v.div_euclid(g)));
        (1 << 48) | (b >> 16)
    }

    /// Seed point of lattice cell `c`, in voxels.
    fn seed_point(&self, c: [i64; 3]) -> [f64; 3] {
        let h = hash3(self.seed, 3, c);
        let cell = f64::from(self.cell);
        let jitter = |shift: u32| ((h >> shift) & 0xffff) as f64 / 65536.0;
        [0, 1, 2].map(|d| (c[d] as f64 + 0.15 + 0.7 * jitter(16 * d as u32)) * cell)
    }
}

/// A generated block: its supervoxel volume and the supervoxel → body mapping of its labels.
#[derive(Debug, Clone)]
pub struct SynthBlock {
    /// Supervoxel ids, x-fastest.
    pub supervoxels: Vec<u64>,
    /// Body of every supervoxel present (0 maps to 0).
    pub bodies: HashMap<u64, u64>,
}

/// Generates the block of `shape` voxels whose first voxel is `origin`.
pub fn synth_block(params: &SynthParams, origin: [i64; 3], shape: [usize; 3]) -> Result<SynthBlock, Error> {
    params.check()?;
    let n = crate::volume::voxel_count(shape)?;
    let (cell, grain) = (i64::from(params.cell), params.grain as usize);
    // One lattice ring around the block, plus whatever the boundary noise can reach.
    let margin = 1 + (params.roughness / cell as f64).ceil() as i64;
    let lo = origin.map(|o| o.div_euclid(cell) - margin);
    let hi = [0, 1, 2].map(|d| (origin[d] + shape[d] as i64).div_euclid(cell) + margin);
    let dims = [0, 1, 2].map(|d| (hi[d] - lo[d] + 1) as usize);
    // Seeds, supervoxels and bodies of the lattice neighbourhood, computed once per block.
    let mut seeds = Vec::with_capacity(dims.iter().product());
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                let c = [lo[0] + i as i64, lo[1] + j as i64, lo[2] + k as i64];
                seeds.push((params.seed_point(c), params.supervoxel(c), c));
            }
        }
    }
    let mut out = vec![0u64; n];
    let mut bodies = HashMap::new();
    let mut nearest = |p: [f64; 3]| {
        let c = [0, 1, 2].map(|d| (p[d] / cell as f64).floor() as i64);
        let mut best = (f64::INFINITY, 0u64, [0i64; 3]);
        for dz in -1..=1i64 {
            for dy in -1..=1i64 {
                for dx in -1..=1i64 {
                    let l = [c[0] + dx - lo[0], c[1] + dy - lo[1], c[2] + dz - lo[2]];
                    let (s, sv, cc) =
                        seeds[l[0] as usize + dims[0] * (l[1] as usize + dims[1] * l[2] as usize)];
                    let d2 = (0..3).map(|d| (s[d] - p[d]).powi(2)).sum::<f64>();
                    if d2 < best.0 {
                        best = (d2, sv, cc);
                    }
                }
            }
        }
        if best.1 != 0 {
            bodies.entry(best.1).or_insert_with(|| params.body(best.2));
        }
        best.1
    };
    for z in (0..shape[2]).step_by(grain) {
        for y in (0..shape[1]).step_by(grain) {
            for x in (0..shape[0]).step_by(grain) {
                let p = [origin[0] + x as i64, origin[1] + y as i64, origin[2] + z as i64];
                // Jittering the sample point roughens boundaries the way real membranes are.
                let h = hash3(params.seed, 4, p);
                let q = [0, 1, 2].map(|d| {
                    p[d] as f64 + 0.5 + params.roughness * (((h >> (16 * d)) & 0xffff) as f64 / 32768.0 - 1.0)
                });
                let sv = nearest(q);
                for zz in z..(z + grain).min(shape[2]) {
                    for yy in y..(y + grain).min(shape[1]) {
                        let row = shape[0] * (yy + shape[1] * zz);
                        out[row + x..row + (x + grain).min(shape[0])].fill(sv);
                    }
                }
            }
        }
    }
    // Outside the volume's extent DVID blocks hold background.
    for z in 0..shape[2] {
        for y in 0..shape[1] {
            let row = shape[0] * (y + shape[1] * z);
            for x in 0..shape[0] {
                let p = [origin[0] + x as i64, origin[1] + y as i64, origin[2] + z as i64];
                if (0..3).any(|d| p[d] < 0 || p[d] as u64 >= params.extent[d]) {
                    out[row + x] = 0;
                }
            }
        }
    }
    bodies.insert(0, 0);
    Ok(SynthBlock { supervoxels: out, bodies })
}

/// A synthetic DVID block as an export record needs it.
#[derive(Debug, Clone)]
pub struct SynthRecord {
    /// The serialized DVID block (not zstd-wrapped).
    pub block: Vec<u8>,
    /// The block's label list (supervoxels), in block order.
    pub supervoxels: Vec<u64>,
    /// Body of each entry of `supervoxels`.
    pub labels: Vec<u64>,
}

/// Generates and encodes the 64³ DVID block at block coordinate `chunk`.
pub fn synth_dvid_block(params: &SynthParams, chunk: [i32; 3]) -> Result<SynthRecord, Error> {
    let origin = chunk.map(|c| i64::from(c) * 64);
    let b = synth_block(params, origin, [64; 3])?;
    let block = encode_block(&b.supervoxels, [64; 3])?;
    let parsed = crate::dvid::block::DvidBlock::parse(&block)?;
    let supervoxels: Vec<u64> = parsed.labels().collect();
    let labels = supervoxels.iter().map(|sv| b.bodies.get(sv).copied().unwrap_or(*sv)).collect();
    Ok(SynthRecord { block, supervoxels, labels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dvid::block::{DvidBlock, decode_block};

    #[test]
    fn is_deterministic_and_position_independent() {
        let p = SynthParams::default();
        let a = synth_block(&p, [64, 0, 0], [64, 64, 64]).unwrap();
        let big = synth_block(&p, [0, 0, 0], [128, 64, 64]).unwrap();
        for z in 0..64 {
            for y in 0..64 {
                for x in 0..64 {
                    assert_eq!(
                        a.supervoxels[x + 64 * (y + 64 * z)],
                        big.supervoxels[64 + x + 128 * (y + 64 * z)]
                    );
                }
            }
        }
        assert_eq!(synth_block(&p, [64, 0, 0], [64, 64, 64]).unwrap().supervoxels, a.supervoxels);
    }

    #[test]
    fn looks_like_mcns() {
        let p = SynthParams::default();
        let mut labels = Vec::new();
        let (mut solid, mut subs) = (0, 0);
        for i in 0..12 {
            let r = synth_dvid_block(&p, [i, 2 * i, 7 - i]).unwrap();
            let b = DvidBlock::parse(&r.block).unwrap();
            labels.push(b.label_count());
            for s in b.sub_blocks() {
                subs += 1;
                solid += usize::from(s.palette_len() == 1);
            }
            let (bodies, _) = decode_block(&r.block, Some(&r.labels)).unwrap();
            let (svs, _) = decode_block(&r.block, None).unwrap();
            assert!(bodies.iter().zip(&svs).all(|(b, s)| (*b == 0) == (*s == 0)));
        }
        labels.sort_unstable();
        let median = labels[labels.len() / 2];
        assert!((10..=40).contains(&median), "median labels per block {median}");
        let fraction = solid as f64 / subs as f64;
        assert!((0.3..=0.5).contains(&fraction), "solid sub-block fraction {fraction}");
    }

    #[test]
    fn respects_the_extent_and_rejects_bad_parameters() {
        let p = SynthParams { extent: [100, 64, 64], ..SynthParams::default() };
        let b = synth_block(&p, [64, 0, 0], [64, 64, 64]).unwrap();
        assert!((0..64 * 64 * 64).filter(|i| i % 64 >= 36).all(|i| b.supervoxels[i] == 0));
        assert!(synth_block(&SynthParams { cell: 0, ..p }, [0; 3], [8; 3]).is_err());
    }
}
