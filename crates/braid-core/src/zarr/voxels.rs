//! Inner chunks as voxel bytes: the part of a chunk inside the array, padding an edge chunk to
//! full size with the fill value (0), and fill detection.

use super::ZarrError;

/// Voxels of a `chunk`-shaped inner chunk at `origin` (both `[x, y, z]`, in voxels from the
/// shard corner) that lie inside the first `extent` voxels of the shard; zero on an axis
/// where the chunk is wholly outside.
pub fn clipped_extent(origin: [u64; 3], chunk: [u32; 3], extent: [u32; 3]) -> [u32; 3] {
    [0, 1, 2].map(|a| u64::from(extent[a]).saturating_sub(origin[a]).min(u64::from(chunk[a])) as u32)
}

/// Writes the `extent` corner of an x-fastest `source` of shape `source_shape` (voxels of
/// `size` bytes) into `out`, resized to a zero-filled `chunk`-shaped buffer. Lengths are the
/// caller's to check.
pub fn pad_into(
    source: &[u8],
    source_shape: [u32; 3],
    extent: [u32; 3],
    chunk: [u32; 3],
    size: usize,
    out: &mut Vec<u8>,
) {
    let [sx, sy, _] = source_shape.map(|d| d as usize);
    let [cx, cy, cz] = chunk.map(|d| d as usize);
    let [ex, ey, ez] = extent.map(|d| d as usize);
    out.clear();
    out.resize(cx * cy * cz * size, 0);
    let row = ex * size;
    for z in 0..ez {
        for y in 0..ey {
            let from = (sx * (y + sy * z)) * size;
            let to = (cx * (y + cy * z)) * size;
            out[to..to + row].copy_from_slice(&source[from..from + row]);
        }
    }
}

/// Whether every byte is 0, i.e. every voxel equals the fill value.
pub fn is_fill(bytes: &[u8]) -> bool {
    // OR-folding fixed blocks vectorises; a byte-wise `all` stops early but runs one byte a step.
    let mut blocks = bytes.chunks_exact(64);
    blocks.all(|b| b.iter().fold(0u8, |acc, &v| acc | v) == 0) && blocks.remainder().iter().all(|&v| v == 0)
}

/// Checks that `len` bytes hold `shape` voxels of `size` bytes.
pub fn check_voxel_bytes(len: usize, shape: [u32; 3], size: usize, what: &str) -> Result<(), ZarrError> {
    let expected = shape.iter().map(|&d| d as usize).product::<usize>() * size;
    if len != expected {
        return Err(ZarrError::InvalidArgument(format!(
            "{what} of {shape:?} voxels of {size} byte(s) is {expected} bytes, got {len}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_edge_chunks_to_the_shard_extent() {
        assert_eq!(clipped_extent([0, 0, 0], [4, 4, 4], [10, 10, 10]), [4, 4, 4]);
        assert_eq!(clipped_extent([8, 4, 0], [4, 4, 4], [10, 6, 10]), [2, 2, 4]);
        assert_eq!(clipped_extent([12, 0, 0], [4, 4, 4], [10, 10, 10]), [0, 4, 4]);
    }

    #[test]
    fn pads_rows_into_place_with_zeros() {
        // A 3x2x1 corner of a 4x2x2 u16 source into a 4x3x1 chunk.
        let source: Vec<u8> = (1..=16u16).flat_map(|v| v.to_le_bytes()).collect();
        let mut out = vec![9; 3];
        pad_into(&source, [4, 2, 2], [3, 2, 1], [4, 3, 1], 2, &mut out);
        let words: Vec<u16> = out.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        assert_eq!(words, [1, 2, 3, 0, 5, 6, 7, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn fill_detection_sees_every_byte() {
        for len in [0, 1, 63, 64, 65, 200] {
            let zeros = vec![0u8; len];
            assert!(is_fill(&zeros));
            for i in 0..len {
                let mut one = zeros.clone();
                one[i] = 1;
                assert!(!is_fill(&one), "len {len}, byte {i}");
            }
        }
    }
}
