//! The order in which zarr-python lays inner chunks out in a shard: ascending compressed
//! Morton code over zarr's `[z, y, x]` chunk grid, z taking the lowest bit (zarr-python's
//! `morton_order_iter`). The index itself is always C order; only the data order differs.

use crate::precomputed::{bit_width, morton_bits};

/// Every inner chunk position (`[x, y, z]`) of a shard with `chunks_per_shard` (`[x, y, z]`)
/// in zarr-python's write order. Feeding a [`super::ZarrShardWriter`] in this order makes its
/// file byte-identical to zarr-python's for the same chunk bytes.
pub fn zarr_python_chunk_order(chunks_per_shard: [u32; 3]) -> Vec<[u32; 3]> {
    let [nx, ny, nz] = chunks_per_shard;
    let bits_zyx = [nz, ny, nx].map(|n| bit_width(u64::from(n.saturating_sub(1))));
    let code = |p: &[u32; 3]| {
        let zyx = [p[2], p[1], p[0]];
        morton_bits(bits_zyx)
            .enumerate()
            .fold(0u128, |acc, (j, (axis, bit))| acc | (u128::from((zyx[axis] >> bit) & 1) << j))
    };
    let mut positions: Vec<[u32; 3]> =
        (0..nz).flat_map(|z| (0..ny).flat_map(move |y| (0..nx).map(move |x| [x, y, z]))).collect();
    positions.sort_by_cached_key(code);
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cube_interleaves_z_then_y_then_x() {
        let order = zarr_python_chunk_order([2, 2, 2]);
        // zarr [z, y, x] Morton: (0,0,0) (1,0,0) (0,1,0) (1,1,0) (0,0,1) ... in zarr coordinates.
        let zarr: Vec<[u32; 3]> = order.iter().map(|p| [p[2], p[1], p[0]]).collect();
        assert_eq!(
            zarr,
            [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]]
        );
    }

    #[test]
    fn non_power_of_two_shapes_match_zarr_python() {
        // zarr-python 3.1: list(morton_order_iter((3, 1, 2))), zarr order [z, y, x].
        let expected_zarr = [[0, 0, 0], [1, 0, 0], [0, 0, 1], [1, 0, 1], [2, 0, 0], [2, 0, 1]];
        let order = zarr_python_chunk_order([2, 1, 3]);
        let zarr: Vec<[u32; 3]> = order.iter().map(|p| [p[2], p[1], p[0]]).collect();
        assert_eq!(zarr, expected_zarr);
    }

    #[test]
    fn lists_every_position_once() {
        let mut order = zarr_python_chunk_order([5, 3, 4]);
        assert_eq!(order.len(), 60);
        order.sort();
        order.dedup();
        assert_eq!(order.len(), 60);
        assert_eq!(zarr_python_chunk_order([1, 1, 1]), vec![[0, 0, 0]]);
    }
}
