//! Neuroglancer precomputed chunk grids and compressed Morton chunk ids (FORMATS.md §1–2.2).
//! Placeholder: being written.
