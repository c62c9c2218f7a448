//! DVID `export-shards` Arrow IPC files and their CSV indexes (docs/formats/dvid.md §6.2–6.5). DVID calls
//! each file a shard: one region of a labelmap as rows of (chunk coordinate, label mapping,
//! zstd-wrapped [block](crate::dvid::block)). It has nothing to do with neuroglancer sharding
//! ([`crate::precomputed::sharded`]).
//!
//! * [`ExportStreamDecoder`] / [`read_stream`]: sequential reading of the Arrow IPC stream with
//!   memory bounded by the largest message, fed arbitrary byte slices.
//! * [`BatchDecoder`]: random access to one record batch message by byte range (CSV index or
//!   IPC file footer).
//! * [`CsvIndex`]: the three `.csv` index variants, and [`scan_batch_ranges`] to recover byte
//!   ranges for the legacy one.
//! * [`ExportWriter`]: a streaming writer of DVID-like export files (stream + current-format CSV).
//! * [`FileFooter`] / [`read_file_format`]: the Arrow IPC *file* format (`ARROW1` + footer).
//!
//! Framing and metadata are parsed here (with the flatbuffer verifier) and every field node
//! and buffer descriptor is checked against the schema before arrow-rs sees a message:
//! arrow-ipc's own `StreamDecoder` panics on some corrupt layouts (see `layout`). Column
//! decoding itself is arrow-ipc's `RecordBatchDecoder`.

mod batch;
mod csv_index;
mod file;
mod layout;
mod message;
mod record;
mod scan;
mod schema;
mod stream;
mod writer;

pub use batch::BatchDecoder;
pub use csv_index::{CsvIndex, CsvVariant, IndexRow};
pub use file::{FileFooter, read_file_format};
pub use record::{DvidRecord, ExportBatch};
pub use scan::{BatchScan, ScannedBatch, scan_batch_ranges};
pub use schema::{ExportColumns, export_schema};
pub use stream::{DecodedBatch, ExportStreamDecoder, StreamSummary, read_stream};
pub use writer::{ExportWriter, build_export_batch};

use arrow_schema::ArrowError;

/// A failure reading or writing an export shard.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The Arrow bytes are malformed.
    #[error("corrupt Arrow data: {0}")]
    Corrupt(String),
    /// The bytes end before a message (or the stream's end-of-stream marker) is complete.
    #[error("Arrow data truncated: {context} needs {needed} bytes, only {available} available")]
    Truncated {
        /// What was being read.
        context: &'static str,
        /// Bytes needed to make progress, counted from the start of the given input.
        needed: u64,
        /// Bytes given.
        available: u64,
    },
    /// The schema is not the DVID export schema.
    #[error("Arrow schema is not the DVID export schema: field `{field}` {reason}")]
    SchemaMismatch {
        /// The missing or mistyped field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A row violates the export's invariants (nulls, negative coordinates, list lengths).
    #[error("invalid export record (row {row} of its batch): {reason}")]
    InvalidRecord {
        /// Row within its record batch.
        row: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Valid Arrow that this reader does not handle (body compression, big-endian data, ...).
    #[error("unsupported Arrow feature: {0}")]
    Unsupported(String),
    /// A line of a CSV index is malformed.
    #[error("invalid CSV index, line {line}: {reason}")]
    CsvInvalid {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A CSV index row disagrees with the Arrow stream it indexes.
    #[error("CSV index row {row} disagrees with the Arrow stream: {reason}")]
    IndexMismatch {
        /// 0-based data row of the index.
        row: usize,
        /// What disagrees.
        reason: String,
    },
    /// The shard has no row for this chunk (it is all-zero or belongs to another shard).
    #[error("chunk {chunk:?} is not in this shard")]
    ChunkNotInShard {
        /// The chunk coordinate looked up.
        chunk: [i32; 3],
    },
    /// An argument is outside what the operation supports.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl ExportError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Corrupt(_) => "ARROW_CORRUPT",
            ExportError::Truncated { .. } => "ARROW_TRUNCATED",
            ExportError::SchemaMismatch { .. } => "ARROW_SCHEMA_MISMATCH",
            ExportError::InvalidRecord { .. } => "ARROW_INVALID_RECORD",
            ExportError::Unsupported(_) => "ARROW_UNSUPPORTED",
            ExportError::CsvInvalid { .. } => "CSV_INVALID",
            ExportError::IndexMismatch { .. } => "CSV_INDEX_MISMATCH",
            ExportError::ChunkNotInShard { .. } => "CHUNK_NOT_IN_SHARD",
            ExportError::InvalidArgument(_) => "INVALID_ARGUMENT",
        }
    }

    /// Wraps an arrow-rs error with what was being done when it occurred.
    pub(crate) fn arrow(context: impl std::fmt::Display, err: ArrowError) -> Self {
        ExportError::Corrupt(format!("{context}: {err}"))
    }
}
