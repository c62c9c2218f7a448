//! Neuroglancer precomputed volumes: the [`ChunkGrid`] of a scale and its compressed Morton chunk ids
//! (docs/formats/precomputed.md §1.3, docs/formats/sharded.md §2.2), the [`compressed_segmentation`] chunk
//! encoding (docs/formats/compressed-segmentation.md §3) and [`sharded`] storage,
//! `neuroglancer_uint64_sharded_v1` (sharded.md §2). Sharding builds on the grid; the grid knows nothing of
//! sharding. (Downsampled scale domains are [`crate::downsample::output_domain`].)

pub mod compressed_segmentation;
mod grid;
pub mod sharded;

pub(crate) use grid::morton_bits;
pub use grid::{ChunkGrid, GridError, bit_width};
