//! Shapes of x-fastest voxel arrays (`i = x + sx*(y + sy*z)`), the layout shared by DVID
//! blocks, neuroglancer chunks and C-order `[z][y][x]` arrays.

use crate::Error;

/// Voxel extent `[x, y, z]`.
pub type Shape = [usize; 3];

/// Upper bound on the voxels one call may materialise: 2^30 voxels (8 GiB of uint64). Header
/// fields that claim more are rejected before any allocation.
pub const MAX_VOXELS: usize = 1 << 30;

/// Number of voxels in `shape`, or an error when it overflows or exceeds [`MAX_VOXELS`].
pub fn voxel_count(shape: Shape) -> Result<usize, Error> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_VOXELS)
        .ok_or_else(|| Error::InvalidArgument(format!("shape {shape:?} has more than {MAX_VOXELS} voxels")))
}

/// Checks that `len` equals the voxel count of `shape` times `channels`.
pub fn check_len(len: usize, shape: Shape, channels: usize, what: &str) -> Result<usize, Error> {
    let n = voxel_count(shape)?;
    let expected = n.checked_mul(channels).filter(|&t| t <= MAX_VOXELS);
    match expected {
        Some(e) if e == len => Ok(n),
        _ => Err(Error::InvalidArgument(format!(
            "{what} has {len} elements but shape {shape:?} x {channels} channel(s) needs {}",
            n.saturating_mul(channels)
        ))),
    }
}

/// Copies the `[0, extent)` corner of an x-fastest volume of shape `full` into a new,
/// densely packed volume of shape `extent`.
pub fn crop<T: Copy>(volume: &[T], full: Shape, extent: Shape) -> Result<Vec<T>, Error> {
    check_len(volume.len(), full, 1, "volume")?;
    if extent.iter().zip(full.iter()).any(|(e, f)| e > f) {
        return Err(Error::InvalidArgument(format!("crop extent {extent:?} exceeds volume shape {full:?}")));
    }
    if extent == full {
        return Ok(volume.to_vec());
    }
    let mut out = Vec::with_capacity(voxel_count(extent)?);
    for z in 0..extent[2] {
        for y in 0..extent[1] {
            let start = full[0] * (y + full[1] * z);
            out.extend_from_slice(&volume[start..start + extent[0]]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crop_keeps_x_fastest_order() {
        let full = [4, 3, 2];
        let v: Vec<u32> = (0..24).collect();
        let c = crop(&v, full, [2, 2, 2]).unwrap();
        assert_eq!(c, vec![0, 1, 4, 5, 12, 13, 16, 17]);
    }

    #[test]
    fn rejects_oversized_shapes() {
        assert!(voxel_count([1 << 20, 1 << 20, 1]).is_err());
        assert!(voxel_count([usize::MAX, 2, 1]).is_err());
        assert_eq!(voxel_count([64, 64, 64]).unwrap(), 262_144);
    }
}
