//! DVID export shards: decoded records, stream and range decoders, CSV index, writer.

use braid_core::boundary::dvid_export as b;
use napi::bindgen_prelude::{BigUint64Array, Float64Array, Int32Array, Uint8Array, Uint32Array};
use napi_derive::napi;

use crate::codec::DecodedVolume;
use crate::error::OrJs;

/// A record as a zarr inner chunk and, when asked, a precomputed payload.
#[napi(object)]
pub struct ZarrTranscoded {
    pub zarr: Option<Uint8Array>,
    pub precomputed: Option<Uint8Array>,
}

/// Records decoded from an export shard, held on the Rust side.
#[napi]
pub struct DvidRecords(b::Records);

#[napi]
impl DvidRecords {
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.0.len() as u32
    }

    #[napi]
    pub fn chunks(&self) -> Int32Array {
        Int32Array::new(self.0.chunks())
    }

    #[napi]
    pub fn labels(&self, i: u32) -> napi::Result<BigUint64Array> {
        self.0.labels(i as usize).or_js().map(BigUint64Array::new)
    }

    #[napi]
    pub fn supervoxels(&self, i: u32) -> napi::Result<BigUint64Array> {
        self.0.supervoxels(i as usize).or_js().map(BigUint64Array::new)
    }

    #[napi]
    pub fn block(&self, i: u32) -> napi::Result<Uint8Array> {
        self.0.block(i as usize).or_js().map(Uint8Array::new)
    }

    #[napi]
    pub fn uncompressed_size(&self, i: u32) -> napi::Result<u32> {
        self.0.uncompressed_size(i as usize).or_js()
    }

    #[napi]
    pub fn transcode(
        &self,
        i: u32,
        supervoxels: bool,
        extent: Option<&[u32]>,
        block_size: Option<&[u32]>,
        gzip_level: Option<i32>,
    ) -> napi::Result<Option<Uint8Array>> {
        Ok(self
            .0
            .transcode(i as usize, supervoxels, extent, block_size, gzip_level)
            .or_js()?
            .map(Uint8Array::new))
    }

    #[napi]
    pub fn transcode_zarr(
        &self,
        i: u32,
        supervoxels: bool,
        extent: Option<&[u32]>,
        zarr_spec: &[u32],
        block_size: Option<&[u32]>,
        gzip_level: Option<i32>,
    ) -> napi::Result<ZarrTranscoded> {
        let t = self
            .0
            .transcode_zarr(i as usize, supervoxels, extent, zarr_spec, block_size, gzip_level)
            .or_js()?;
        Ok(ZarrTranscoded {
            zarr: t.zarr.map(Uint8Array::new),
            precomputed: t.precomputed.map(Uint8Array::new),
        })
    }

    #[napi]
    pub fn decode(&self, i: u32, supervoxels: bool) -> napi::Result<DecodedVolume> {
        self.0.decode(i as usize, supervoxels).or_js().map(DecodedVolume::from)
    }
}

/// Push decoder for a whole export stream.
#[napi]
pub struct ArrowStreamDecoder(b::StreamDecoderHandle);

#[napi]
impl ArrowStreamDecoder {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        ArrowStreamDecoder(b::StreamDecoderHandle::default())
    }

    #[napi]
    pub fn push(&mut self, bytes: &[u8]) -> napi::Result<DvidRecords> {
        self.0.push(bytes).or_js().map(DvidRecords)
    }

    #[napi]
    pub fn finish(&self) -> napi::Result<Float64Array> {
        self.0.finish().or_js().map(|s| Float64Array::new(s.map(|v| v as f64).to_vec()))
    }
}

/// Decoder of single record-batch messages.
#[napi]
pub struct ArrowBatchDecoder(b::BatchDecoderHandle);

#[napi]
impl ArrowBatchDecoder {
    #[napi(constructor)]
    pub fn new(schema: &[u8]) -> napi::Result<Self> {
        b::BatchDecoderHandle::new(schema).or_js().map(ArrowBatchDecoder)
    }

    #[napi]
    pub fn decode(&self, message: &[u8]) -> napi::Result<DvidRecords> {
        self.0.decode(message).or_js().map(DvidRecords)
    }
}

/// A CSV index as columns.
#[napi(object)]
pub struct CsvIndexColumns {
    pub variant: String,
    pub schema_size: Option<f64>,
    pub chunks: Int32Array,
    pub records: Float64Array,
    pub offsets: Float64Array,
    pub sizes: Float64Array,
    pub batch_rows: Uint32Array,
}

#[napi]
pub fn parse_csv_index(text: &[u8]) -> napi::Result<CsvIndexColumns> {
    let c = b::parse_csv_index(text).or_js()?;
    Ok(CsvIndexColumns {
        variant: c.variant.to_string(),
        schema_size: c.schema_size.map(|s| s as f64),
        chunks: Int32Array::new(c.chunks),
        records: Float64Array::new(c.records),
        offsets: Float64Array::new(c.offsets),
        sizes: Float64Array::new(c.sizes),
        batch_rows: Uint32Array::new(c.batch_rows),
    })
}

/// Message layout of a stream prefix.
#[napi(object)]
pub struct StreamScan {
    pub schema_end: f64,
    pub ranges: Float64Array,
    pub rows: Float64Array,
    pub next_offset: f64,
    pub finished: bool,
}

#[napi]
pub fn scan_arrow_stream(bytes: &[u8]) -> napi::Result<StreamScan> {
    let s = b::scan_ranges(bytes).or_js()?;
    Ok(StreamScan {
        schema_end: s.schema_end as f64,
        ranges: Float64Array::new(s.ranges),
        rows: Float64Array::new(s.rows),
        next_offset: s.next_offset as f64,
        finished: s.finished,
    })
}

/// The end of an export shard: remaining stream bytes and the CSV index.
#[napi(object)]
pub struct FinishedExport {
    pub tail: Uint8Array,
    pub csv: String,
}

/// Writer of DVID-like export shards (synthetic data).
#[napi]
pub struct ExportShardWriter(b::ExportWriterHandle);

#[napi]
impl ExportShardWriter {
    #[napi(constructor)]
    pub fn new(batch_size: u32, lazy_schema_index: bool) -> napi::Result<Self> {
        b::ExportWriterHandle::new(batch_size, lazy_schema_index).or_js().map(ExportShardWriter)
    }

    #[napi]
    pub fn append(
        &mut self,
        chunk: &[i32],
        labels: &[u64],
        supervoxels: &[u64],
        block: &[u8],
        uncompressed_size: u32,
    ) -> napi::Result<Uint8Array> {
        self.0.append(chunk, labels, supervoxels, block, uncompressed_size).or_js().map(Uint8Array::new)
    }

    #[napi]
    pub fn finish(&mut self) -> napi::Result<FinishedExport> {
        let (tail, csv) = self.0.finish().or_js()?;
        Ok(FinishedExport { tail: Uint8Array::new(tail), csv })
    }
}
