//! Neuroglancer precomputed chunk grids (FORMATS.md §1.3), compressed Morton chunk ids (§2.2)
//! (downsampled scale domains live in `crate::downsample::output_domain`).

mod grid;

pub(crate) use grid::morton_bits;
pub use grid::{ChunkGrid, bit_width};
