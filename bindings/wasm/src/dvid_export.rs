//! DVID export shards: decoded records, stream and range decoders, CSV index, writer.

use braid_core::boundary::dvid_export as b;
use wasm_bindgen::prelude::*;

use crate::error::OrJs;
use crate::object::{f64s, i32s, object, u8s, u32s, volume_object};

/// Records decoded from an export shard, held on the Rust side.
#[wasm_bindgen]
pub struct DvidRecords {
    inner: b::Records,
}

#[wasm_bindgen]
impl DvidRecords {
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    pub fn chunks(&self) -> Vec<i32> {
        self.inner.chunks()
    }

    pub fn labels(&self, i: u32) -> Result<Vec<u64>, JsError> {
        self.inner.labels(i as usize).or_js()
    }

    pub fn supervoxels(&self, i: u32) -> Result<Vec<u64>, JsError> {
        self.inner.supervoxels(i as usize).or_js()
    }

    pub fn block(&self, i: u32) -> Result<Vec<u8>, JsError> {
        self.inner.block(i as usize).or_js()
    }

    #[wasm_bindgen(js_name = uncompressedSize)]
    pub fn uncompressed_size(&self, i: u32) -> Result<u32, JsError> {
        self.inner.uncompressed_size(i as usize).or_js()
    }

    pub fn transcode(
        &self,
        i: u32,
        supervoxels: bool,
        extent: Option<Vec<u32>>,
        block_size: Option<Vec<u32>>,
        gzip_level: Option<i32>,
    ) -> Result<Option<Vec<u8>>, JsError> {
        self.inner
            .transcode(i as usize, supervoxels, extent.as_deref(), block_size.as_deref(), gzip_level)
            .or_js()
    }

    #[wasm_bindgen(js_name = transcodeZarr)]
    pub fn transcode_zarr(
        &self,
        i: u32,
        supervoxels: bool,
        extent: Option<Vec<u32>>,
        zarr_spec: &[u32],
        block_size: Option<Vec<u32>>,
        gzip_level: Option<i32>,
    ) -> Result<JsValue, JsError> {
        let t = self
            .inner
            .transcode_zarr(
                i as usize,
                supervoxels,
                extent.as_deref(),
                zarr_spec,
                block_size.as_deref(),
                gzip_level,
            )
            .or_js()?;
        let field = |v: Option<Vec<u8>>| v.map_or(JsValue::NULL, |b| crate::object::u8s(&b));
        crate::object::object(&[("zarr", field(t.zarr)), ("precomputed", field(t.precomputed))])
    }

    pub fn decode(&self, i: u32, supervoxels: bool) -> Result<JsValue, JsError> {
        let (data, shape) = self.inner.decode(i as usize, supervoxels).or_js()?;
        volume_object(data, shape)
    }
}

/// Push decoder for a whole export stream.
#[wasm_bindgen]
pub struct ArrowStreamDecoder {
    inner: b::StreamDecoderHandle,
}

#[wasm_bindgen]
impl ArrowStreamDecoder {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> ArrowStreamDecoder {
        ArrowStreamDecoder { inner: b::StreamDecoderHandle::default() }
    }

    pub fn push(&mut self, bytes: &[u8]) -> Result<DvidRecords, JsError> {
        self.inner.push(bytes).or_js().map(|inner| DvidRecords { inner })
    }

    pub fn finish(&self) -> Result<Vec<f64>, JsError> {
        self.inner.finish().or_js().map(|s| s.map(|v| v as f64).to_vec())
    }
}

/// Decoder of single record-batch messages.
#[wasm_bindgen]
pub struct ArrowBatchDecoder {
    inner: b::BatchDecoderHandle,
}

#[wasm_bindgen]
impl ArrowBatchDecoder {
    #[wasm_bindgen(constructor)]
    pub fn new(schema: &[u8]) -> Result<ArrowBatchDecoder, JsError> {
        b::BatchDecoderHandle::new(schema).or_js().map(|inner| ArrowBatchDecoder { inner })
    }

    pub fn decode(&self, message: &[u8]) -> Result<DvidRecords, JsError> {
        self.inner.decode(message).or_js().map(|inner| DvidRecords { inner })
    }
}

#[wasm_bindgen(js_name = parseCsvIndex)]
pub fn parse_csv_index(text: &[u8]) -> Result<JsValue, JsError> {
    let c = b::parse_csv_index(text).or_js()?;
    object(&[
        ("variant", JsValue::from_str(c.variant)),
        ("schemaSize", c.schema_size.map_or(JsValue::UNDEFINED, |s| JsValue::from_f64(s as f64))),
        ("chunks", i32s(&c.chunks)),
        ("records", f64s(&c.records)),
        ("offsets", f64s(&c.offsets)),
        ("sizes", f64s(&c.sizes)),
        ("batchRows", u32s(&c.batch_rows)),
    ])
}

#[wasm_bindgen(js_name = scanArrowStream)]
pub fn scan_arrow_stream(bytes: &[u8]) -> Result<JsValue, JsError> {
    let s = b::scan_ranges(bytes).or_js()?;
    object(&[
        ("schemaEnd", JsValue::from_f64(s.schema_end as f64)),
        ("ranges", f64s(&s.ranges)),
        ("rows", f64s(&s.rows)),
        ("nextOffset", JsValue::from_f64(s.next_offset as f64)),
        ("finished", JsValue::from_bool(s.finished)),
    ])
}

/// Writer of DVID-like export shards (synthetic data).
#[wasm_bindgen]
pub struct ExportShardWriter {
    inner: b::ExportWriterHandle,
}

#[wasm_bindgen]
impl ExportShardWriter {
    #[wasm_bindgen(constructor)]
    pub fn new(batch_size: u32, lazy_schema_index: bool) -> Result<ExportShardWriter, JsError> {
        b::ExportWriterHandle::new(batch_size, lazy_schema_index)
            .or_js()
            .map(|inner| ExportShardWriter { inner })
    }

    pub fn append(
        &mut self,
        chunk: &[i32],
        labels: &[u64],
        supervoxels: &[u64],
        block: &[u8],
        uncompressed_size: u32,
    ) -> Result<Vec<u8>, JsError> {
        self.inner.append(chunk, labels, supervoxels, block, uncompressed_size).or_js()
    }

    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let (tail, csv) = self.inner.finish().or_js()?;
        object(&[("tail", u8s(&tail)), ("csv", JsValue::from_str(&csv))])
    }
}
