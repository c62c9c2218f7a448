//! DVID's formats: [`block`], the compressed label block (one 64³ chunk of a labelmap), and
//! [`export`], the `export-shards` Arrow IPC files that carry those blocks with their label
//! mappings, and their CSV indexes.

pub mod block;
pub mod export;
