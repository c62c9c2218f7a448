//! Writing DVID-like export shards: the Arrow IPC stream and its current-format CSV index,
//! streamed out as batches fill (docs/formats/dvid.md §6.3, §6.4).

use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::{ArrayRef, BinaryArray, Int32Array, ListArray, RecordBatch, UInt32Array, UInt64Array};
use arrow_buffer::{Buffer, OffsetBuffer};
use arrow_ipc::MetadataVersion;
use arrow_ipc::writer::{IpcWriteOptions, StreamWriter};
use arrow_schema::{ArrowError, SchemaRef};

use super::ExportError;
use super::csv_index::{CsvIndex, CsvVariant, IndexRow};
use super::record::DvidRecord;
use super::schema::{export_schema, label_item};

/// Streaming writer of one export shard: records go in one by one, in any order (DVID's own
/// rows are unsorted), and come out as Arrow IPC stream bytes each time `batch_size` records
/// fill a batch. [`finish`](Self::finish) returns the remaining bytes and the CSV index.
///
/// Like DVID's Go writer: 8-byte alignment, metadata V5, no body compression, non-nullable
/// top-level fields, `{"compression":"true","codec":"zstd"}` on the block field.
pub struct ExportWriter {
    schema: SchemaRef,
    writer: StreamWriter<Vec<u8>>,
    batch_size: usize,
    pending: Vec<DvidRecord>,
    /// Bytes written so far, drained or not: the offset of the next message.
    written: u64,
    schema_size: u64,
    index: Vec<IndexRow>,
    chunks: HashSet<[i32; 3]>,
    lazy_schema: bool,
}

impl std::fmt::Debug for ExportWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // arrow-rs's StreamWriter has no Debug; its state is summed up by the counters.
        f.debug_struct("ExportWriter")
            .field("batch_size", &self.batch_size)
            .field("pending", &self.pending.len())
            .field("written", &self.written)
            .field("rows", &self.index.len())
            .finish()
    }
}

impl ExportWriter {
    /// A writer putting `batch_size` (≥ 1; DVID's default is 1) records in each record batch.
    pub fn new(batch_size: usize) -> Result<Self, ExportError> {
        if batch_size == 0 {
            return Err(ExportError::InvalidArgument("batch_size must be at least 1".into()));
        }
        let schema = Arc::new(export_schema());
        let options = IpcWriteOptions::try_new(8, false, MetadataVersion::V5).map_err(write_error)?;
        let writer = StreamWriter::try_new_with_options(Vec::new(), &schema, options).map_err(write_error)?;
        let schema_size = writer.get_ref().len() as u64;
        Ok(ExportWriter {
            schema,
            writer,
            batch_size,
            pending: Vec::with_capacity(batch_size.min(1 << 16)),
            written: schema_size,
            schema_size,
            index: Vec::new(),
            chunks: HashSet::new(),
            lazy_schema: false,
        })
    }

    /// Indexes the way DVID's exporter actually does: arrow-go emits the schema lazily with
    /// the first batch, so the CSV says `schema_size=0` and the first batch's range starts at
    /// byte 0, schema message included (dvid.md §6.4).
    pub fn with_lazy_schema_index(mut self) -> Self {
        self.lazy_schema = true;
        self
    }

    /// Length of the schema message, the CSV's `schema_size`.
    pub fn schema_size(&self) -> u64 {
        self.schema_size
    }

    /// Adds a record and returns the stream bytes now ready (the schema message on the first
    /// call, a record batch message whenever a batch fills, otherwise nothing). Records with
    /// negative coordinates, unequal `labels`/`supervoxels` lengths or an already written
    /// chunk are rejected.
    pub fn append(&mut self, record: DvidRecord) -> Result<Vec<u8>, ExportError> {
        let invalid = |reason: String| ExportError::InvalidRecord { row: self.pending.len(), reason };
        record.check().map_err(invalid)?;
        if self.chunks.contains(&record.chunk) {
            return Err(invalid(format!("chunk {:?} was already written", record.chunk)));
        }
        self.chunks.insert(record.chunk);
        self.pending.push(record);
        if self.pending.len() == self.batch_size {
            self.flush_batch()?;
        }
        Ok(std::mem::take(self.writer.get_mut()))
    }

    /// Writes the last partial batch and the end-of-stream marker; returns the remaining
    /// stream bytes and the CSV index text (`# schema_size=N`, `x,y,z,offset,size,batch_idx`).
    pub fn finish(mut self) -> Result<(Vec<u8>, String), ExportError> {
        if !self.pending.is_empty() {
            self.flush_batch()?;
        }
        self.writer.finish().map_err(write_error)?;
        let tail = std::mem::take(self.writer.get_mut());
        let mut rows = self.index;
        let schema_size = if self.lazy_schema {
            for row in rows.iter_mut() {
                if let Some(r) = row.range.as_mut().filter(|r| r.start == self.schema_size) {
                    r.start = 0;
                }
            }
            0
        } else {
            self.schema_size
        };
        let index = CsvIndex { variant: CsvVariant::Current, schema_size: Some(schema_size), rows };
        Ok((tail, index.to_csv()?))
    }

    fn flush_batch(&mut self) -> Result<(), ExportError> {
        let batch = batch_with_schema(&self.schema, &self.pending)?;
        let before = self.writer.get_ref().len();
        self.writer.write(&batch).map_err(write_error)?;
        let size = (self.writer.get_ref().len() - before) as u64;
        let range = self.written..self.written + size;
        self.written += size;
        for (row, record) in self.pending.drain(..).enumerate() {
            // `batch_with_schema` refused batches whose row count exceeds i32, hence u32.
            let batch_row = row as u32;
            self.index.push(IndexRow {
                chunk: record.chunk,
                record: None,
                range: Some(range.clone()),
                batch_row,
            });
        }
        Ok(())
    }
}

/// Builds a record batch of the export schema ([`export_schema`](super::export_schema)) from
/// records; the inverse of [`ExportBatch::records`](super::ExportBatch::records).
pub fn build_export_batch(records: &[DvidRecord]) -> Result<RecordBatch, ExportError> {
    batch_with_schema(&Arc::new(export_schema()), records)
}

fn batch_with_schema(schema: &SchemaRef, records: &[DvidRecord]) -> Result<RecordBatch, ExportError> {
    let too_large = |what: &str| {
        ExportError::InvalidArgument(format!("a batch's {what} exceed the 2 GiB of 32-bit Arrow offsets"))
    };
    if i32::try_from(records.len()).is_err() {
        return Err(too_large("rows"));
    }
    let coord = |axis: usize| Arc::new(Int32Array::from_iter_values(records.iter().map(|r| r.chunk[axis])));
    let list = |lists: &dyn Fn(&DvidRecord) -> &[u64], what: &str| -> Result<ArrayRef, ExportError> {
        let offsets = OffsetBuffer::try_from_lengths(records.iter().map(|r| lists(r).len()))
            .map_err(|_| too_large(what))?;
        let values = UInt64Array::from_iter_values(records.iter().flat_map(|r| lists(r).iter().copied()));
        let array = ListArray::try_new(label_item(), offsets, Arc::new(values), None).map_err(write_error)?;
        Ok(Arc::new(array))
    };
    let block_offsets = OffsetBuffer::try_from_lengths(records.iter().map(|r| r.block.len()))
        .map_err(|_| too_large("blocks"))?;
    let blocks = Buffer::from_vec(records.iter().flat_map(|r| r.block.iter().copied()).collect::<Vec<u8>>());
    let columns: Vec<ArrayRef> = vec![
        coord(0),
        coord(1),
        coord(2),
        list(&|r| &r.labels, "labels")?,
        list(&|r| &r.supervoxels, "supervoxels")?,
        Arc::new(BinaryArray::try_new(block_offsets, blocks, None).map_err(write_error)?),
        Arc::new(UInt32Array::from_iter_values(records.iter().map(|r| r.uncompressed_size))),
    ];
    RecordBatch::try_new(Arc::clone(schema), columns).map_err(write_error)
}

/// arrow-rs rejecting what this module built is a bug here, not bad input; report it as such.
fn write_error(err: ArrowError) -> ExportError {
    ExportError::InvalidArgument(format!("Arrow writer failed: {err}"))
}
