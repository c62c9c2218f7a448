//! DVID export shards over flat arguments: decoded records kept on the Rust side (so block
//! bytes need not cross into JS to be transcoded), streaming and ranged decoders, the CSV
//! index as columns, and the writer used for synthetic exports.

use super::args::{gzip_level, shape3};
use super::codec::TranscodeSettings;
use super::zarr::zarr_spec_from_words;
use crate::Error;
use crate::dvid::block::decode_block;
use crate::dvid::export::{
    BatchDecoder, CsvIndex, DvidRecord, ExportStreamDecoder, ExportWriter, scan_batch_ranges,
};
use crate::transcode_zarr::{PrecomputedPayload, ZarrTranscoded, transcode_dvid_block_to_zarr};
use crate::volume::Shape;

/// Decoded export records.
#[derive(Debug, Default)]
pub struct Records(pub Vec<DvidRecord>);

impl Records {
    fn get(&self, i: usize) -> Result<&DvidRecord, Error> {
        self.0.get(i).ok_or_else(|| Error::InvalidArgument(format!("record {i} of {}", self.0.len())))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Chunk coordinates `[x, y, z, ...]` of all records.
    pub fn chunks(&self) -> Vec<i32> {
        self.0.iter().flat_map(|r| r.chunk).collect()
    }

    /// Body ids of record `i` (parallel to its block label list).
    pub fn labels(&self, i: usize) -> Result<Vec<u64>, Error> {
        Ok(self.get(i)?.labels.clone())
    }

    /// Supervoxel ids of record `i` (the block label list).
    pub fn supervoxels(&self, i: usize) -> Result<Vec<u64>, Error> {
        Ok(self.get(i)?.supervoxels.clone())
    }

    /// The stored (zstd-wrapped) block of record `i`.
    pub fn block(&self, i: usize) -> Result<Vec<u8>, Error> {
        Ok(self.get(i)?.block.clone())
    }

    /// Decompressed block size of record `i`.
    pub fn uncompressed_size(&self, i: usize) -> Result<u32, Error> {
        Ok(self.get(i)?.uncompressed_size)
    }

    /// Transcodes record `i` to a chunk payload (`None` when all zero); body ids unless
    /// `supervoxels`.
    pub fn transcode(
        &self,
        i: usize,
        supervoxels: bool,
        extent: Option<&[u32]>,
        block_size: Option<&[u32]>,
        gzip: Option<i32>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let r = self.get(i)?;
        let settings = TranscodeSettings::new(extent, block_size, gzip, Some(r.uncompressed_size))?;
        settings.run(&r.block, (!supervoxels).then_some(&r.labels[..]))
    }

    /// Transcodes record `i` to a zarr inner chunk of the array with shard spec `zarr_spec`
    /// (see [`super::zarr::zarr_spec_from_words`]), and, when `block_size` is given, to the
    /// precomputed payload too (`gzip` a level, or -1/absent for none) from the same decode.
    /// Both are `None` when the clipped chunk is all zero.
    pub fn transcode_zarr(
        &self,
        i: usize,
        supervoxels: bool,
        extent: Option<&[u32]>,
        zarr_spec: &[u32],
        block_size: Option<&[u32]>,
        gzip: Option<i32>,
    ) -> Result<ZarrTranscoded, Error> {
        let r = self.get(i)?;
        let precomputed = block_size
            .map(|b| -> Result<_, Error> {
                Ok(PrecomputedPayload { block_size: shape3(b, "blockSize")?, gzip_level: gzip_level(gzip)? })
            })
            .transpose()?;
        let extent = extent.map(|e| shape3(e, "extent")).transpose()?;
        transcode_dvid_block_to_zarr(
            &r.block,
            (!supervoxels).then_some(&r.labels[..]),
            Some(r.uncompressed_size as usize),
            extent,
            &zarr_spec_from_words(zarr_spec)?,
            precomputed,
        )
    }

    /// Decodes record `i` to a volume; body ids unless `supervoxels`.
    pub fn decode(&self, i: usize, supervoxels: bool) -> Result<(Vec<u64>, Shape), Error> {
        let r = self.get(i)?;
        decode_block(&r.block, (!supervoxels).then_some(&r.labels[..]))
    }
}

/// Push decoder for a whole export stream (or IPC file) fed in arbitrary slices.
#[derive(Default)]
pub struct StreamDecoderHandle(ExportStreamDecoder);

impl StreamDecoderHandle {
    /// Feeds bytes; returns the records of every batch completed by them.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Records, Error> {
        let batches = self.0.push(bytes)?;
        Ok(Records(batches.into_iter().flat_map(|b| b.records).collect()))
    }

    /// Checks the stream ended cleanly; returns `[batches, records]`.
    pub fn finish(&self) -> Result<[u64; 2], Error> {
        let s = self.0.finish()?;
        Ok([s.batches, s.records])
    }
}

/// Decodes single record-batch messages by byte range, given the schema message.
pub struct BatchDecoderHandle(BatchDecoder);

impl BatchDecoderHandle {
    /// `schema` is the start of the file (at least the schema message).
    pub fn new(schema: &[u8]) -> Result<Self, Error> {
        Ok(BatchDecoderHandle(BatchDecoder::new(schema)?))
    }

    /// Decodes the message at a CSV range (a leading schema message is skipped).
    pub fn decode(&self, message: &[u8]) -> Result<Records, Error> {
        Ok(Records(self.0.decode(message)?))
    }
}

/// A parsed CSV index as parallel columns.
#[derive(Debug)]
pub struct CsvColumns {
    /// `"legacy"`, `"transitional"` or `"current"`.
    pub variant: &'static str,
    /// The `# schema_size=` header, if present.
    pub schema_size: Option<u64>,
    /// `[x, y, z, ...]` chunk coordinates.
    pub chunks: Vec<i32>,
    /// Global record number per row (`NaN` when the variant has none).
    pub records: Vec<f64>,
    /// Byte offset of each row's batch message (`NaN` when absent).
    pub offsets: Vec<f64>,
    /// Byte size of each row's batch message (`NaN` when absent).
    pub sizes: Vec<f64>,
    /// Row within the batch.
    pub batch_rows: Vec<u32>,
}

/// Parses a `.csv` index in any of its three variants.
pub fn parse_csv_index(text: &[u8]) -> Result<CsvColumns, Error> {
    let index = CsvIndex::parse(text)?;
    Ok(CsvColumns {
        variant: match index.variant {
            crate::dvid::export::CsvVariant::Legacy => "legacy",
            crate::dvid::export::CsvVariant::Transitional => "transitional",
            crate::dvid::export::CsvVariant::Current => "current",
        },
        schema_size: index.schema_size,
        chunks: index.rows.iter().flat_map(|r| r.chunk).collect(),
        records: index.rows.iter().map(|r| r.record.map_or(f64::NAN, |v| v as f64)).collect(),
        offsets: index.rows.iter().map(|r| r.range.as_ref().map_or(f64::NAN, |v| v.start as f64)).collect(),
        sizes: index
            .rows
            .iter()
            .map(|r| r.range.as_ref().map_or(f64::NAN, |v| (v.end - v.start) as f64))
            .collect(),
        batch_rows: index.rows.iter().map(|r| r.batch_row).collect(),
    })
}

/// Message layout of a stream prefix, for indexes without byte ranges.
#[derive(Debug)]
pub struct ScanColumns {
    /// End of the schema message.
    pub schema_end: u64,
    /// `[offset, size, ...]` of each complete batch message.
    pub ranges: Vec<f64>,
    /// Rows per batch.
    pub rows: Vec<f64>,
    /// Where scanning stopped (feed the bytes from here to continue).
    pub next_offset: u64,
    /// Whether the end-of-stream marker was reached.
    pub finished: bool,
}

/// Scans message headers of a stream prefix without decoding bodies.
pub fn scan_ranges(bytes: &[u8]) -> Result<ScanColumns, Error> {
    let scan = scan_batch_ranges(bytes)?;
    Ok(ScanColumns {
        schema_end: scan.schema.end,
        ranges: scan
            .batches
            .iter()
            .flat_map(|b| [b.range.start as f64, (b.range.end - b.range.start) as f64])
            .collect(),
        rows: scan.batches.iter().map(|b| b.rows as f64).collect(),
        next_offset: scan.next_offset,
        finished: scan.finished,
    })
}

/// Writes an export shard (Arrow stream + current-format CSV) record by record.
pub struct ExportWriterHandle(Option<ExportWriter>);

impl ExportWriterHandle {
    /// `batch_size` rows per record batch, as DVID's export spec; `lazy_schema_index` writes
    /// the CSV as DVID does (`schema_size=0`, first range from byte 0).
    pub fn new(batch_size: u32, lazy_schema_index: bool) -> Result<Self, Error> {
        let w = ExportWriter::new(batch_size as usize)?;
        Ok(ExportWriterHandle(Some(if lazy_schema_index { w.with_lazy_schema_index() } else { w })))
    }

    /// Appends a record; returns the stream bytes ready to be written.
    pub fn append(
        &mut self,
        chunk: &[i32],
        labels: &[u64],
        supervoxels: &[u64],
        block: &[u8],
        uncompressed_size: u32,
    ) -> Result<Vec<u8>, Error> {
        let [x, y, z] = chunk else {
            return Err(Error::InvalidArgument(format!("chunk needs 3 coordinates, got {}", chunk.len())));
        };
        let w =
            self.0.as_mut().ok_or_else(|| Error::InvalidArgument("export writer already finished".into()))?;
        let record = DvidRecord {
            chunk: [*x, *y, *z],
            labels: labels.to_vec(),
            supervoxels: supervoxels.to_vec(),
            block: block.to_vec(),
            uncompressed_size,
        };
        Ok(w.append(record)?)
    }

    /// Ends the stream: `(remaining stream bytes, CSV text)`.
    pub fn finish(&mut self) -> Result<(Vec<u8>, String), Error> {
        let w =
            self.0.take().ok_or_else(|| Error::InvalidArgument("export writer already finished".into()))?;
        Ok(w.finish()?)
    }
}
