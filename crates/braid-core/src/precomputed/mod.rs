//! Neuroglancer precomputed chunk grids (FORMATS.md §1.3), compressed Morton chunk ids (§2.2)
//! and the geometry of downsampled scales (§1.5).

mod domain;
mod grid;

pub use domain::downsampled_domain;
pub(crate) use grid::morton_bits;
pub use grid::{ChunkGrid, bit_width};
