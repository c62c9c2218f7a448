//! Random access: decoding one record batch message, given its bytes and the schema.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::RecordBatchDecoder;
use arrow_ipc::{Endianness, Message, MessageHeader};
use arrow_schema::{Schema, SchemaRef};

use super::ExportError;
use super::layout::check_layout;
use super::message::{self, Framed, Unit};
use super::record::{DvidRecord, ExportBatch};
use super::schema::ExportColumns;

/// Decodes record batch messages of one export shard, each from its own byte range
/// (`[offset, offset + size)` of the CSV index, or a block of an IPC file footer).
#[derive(Debug, Clone)]
pub struct BatchDecoder {
    schema: SchemaRef,
    projection: [usize; 7],
}

impl BatchDecoder {
    /// Parses the schema message at the start of `bytes`: the `[0, schema_size)` bytes of the
    /// `.arrow` file, or any longer prefix of it (needed when the CSV says `schema_size=0`).
    /// An IPC file's `ARROW1` preamble is skipped. Fails with `ARROW_TRUNCATED` (saying how
    /// many bytes are needed) when the prefix ends inside the schema message.
    pub fn new(bytes: &[u8]) -> Result<Self, ExportError> {
        let truncated = |needed: usize| ExportError::Truncated {
            context: "schema message",
            needed: needed as u64,
            available: bytes.len() as u64,
        };
        let start = message::first_message(bytes, "schema message")?;
        match message::frame(&bytes[start..], start as u64)? {
            Unit::Incomplete { needed } => Err(truncated(start + needed)),
            Unit::EndOfStream { .. } => {
                Err(ExportError::Corrupt("the stream ends before its schema message".into()))
            }
            Unit::Message(framed) => Self::from_schema(Arc::new(schema_of(&framed.message, start as u64)?)),
        }
    }

    /// A decoder for batches of an already known schema (e.g. from an IPC file footer).
    pub fn from_schema(schema: SchemaRef) -> Result<Self, ExportError> {
        let projection = ExportColumns::resolve(&schema)?.projection();
        Ok(BatchDecoder { schema, projection })
    }

    /// The shard's full schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Decodes every row of the record batch message that `message` holds exactly. A leading
    /// Schema message is skipped: fresh DVID indexes may say `schema_size=0` and give the first
    /// batch a range that starts at byte 0 (docs/formats/dvid.md §6.4).
    pub fn decode(&self, message: &[u8]) -> Result<Vec<DvidRecord>, ExportError> {
        ExportBatch::new(&self.decode_batch(message)?)?.records()
    }

    /// Decodes row `row` (the CSV's `batch_idx`) of the record batch message in `message`.
    pub fn decode_row(&self, message: &[u8], row: u32) -> Result<DvidRecord, ExportError> {
        ExportBatch::new(&self.decode_batch(message)?)?.row(row as usize)
    }

    fn decode_batch(&self, bytes: &[u8]) -> Result<RecordBatch, ExportError> {
        let truncated = |needed: usize| ExportError::Truncated {
            context: "record batch message",
            needed: needed as u64,
            available: bytes.len() as u64,
        };
        let mut pos = message::first_message(bytes, "record batch message")?;
        let first = pos;
        loop {
            let rest = &bytes[pos..];
            let framed = match message::frame(rest, pos as u64)? {
                Unit::Incomplete { needed } => return Err(truncated(pos + needed)),
                Unit::EndOfStream { .. } => {
                    return Err(ExportError::Corrupt(format!(
                        "byte {pos} holds the end-of-stream marker, not a record batch"
                    )));
                }
                Unit::Message(framed) => framed,
            };
            if !framed.is_complete(rest.len()) {
                return Err(truncated(pos.saturating_add(framed.len())));
            }
            let header = framed.message.header_type();
            if header == MessageHeader::Schema && pos == first {
                pos += framed.len();
                continue;
            }
            if header != MessageHeader::RecordBatch {
                return Err(ExportError::Corrupt(format!(
                    "message at byte {pos} is a {}, expected a RecordBatch",
                    message::kind_name(header)
                )));
            }
            let end = pos + framed.len();
            if end != bytes.len() {
                return Err(ExportError::Corrupt(format!(
                    "{} bytes follow the record batch message that ends at byte {end}",
                    bytes.len() - end
                )));
            }
            return self.decode_framed(&framed, rest, pos as u64);
        }
    }

    /// Decodes a complete framed RecordBatch message; `bytes` is the slice it was framed from
    /// and `at` its absolute offset, for error messages.
    pub(crate) fn decode_framed(
        &self,
        framed: &Framed<'_>,
        bytes: &[u8],
        at: u64,
    ) -> Result<RecordBatch, ExportError> {
        let corrupt = |reason: String| ExportError::Corrupt(format!("record batch at byte {at}: {reason}"));
        let batch = framed
            .message
            .header_as_record_batch()
            .ok_or_else(|| corrupt("the message has no RecordBatch header".into()))?;
        let body = &bytes[framed.body.clone()];
        let version = framed.message.version();
        check_layout(&batch, &self.schema, &self.projection, version, body.len(), at)?;
        // A fresh 64-byte-aligned copy: arrow-rs would copy misaligned buffers anyway, and the
        // decoded batch must not borrow the caller's slice.
        let body = Buffer::from_slice_ref(body);
        let dictionaries = HashMap::new();
        RecordBatchDecoder::try_new(&body, batch, Arc::clone(&self.schema), &dictionaries, &version)
            .and_then(|d| d.with_projection(Some(&self.projection)).read_record_batch())
            .map_err(|e| ExportError::arrow(format_args!("record batch at byte {at}"), e))
    }
}

/// The Arrow schema carried by a Schema message.
pub(crate) fn schema_of(message: &Message<'_>, at: u64) -> Result<Schema, ExportError> {
    let ipc = message.header_as_schema().ok_or_else(|| {
        ExportError::Corrupt(format!(
            "message at byte {at} is a {}, expected the Schema",
            message::kind_name(message.header_type())
        ))
    })?;
    if ipc.endianness() != Endianness::Little {
        return Err(ExportError::Unsupported("big-endian Arrow data".into()));
    }
    arrow_ipc::convert::try_fb_to_schema(ipc)
        .map_err(|e| ExportError::arrow(format_args!("schema message at byte {at}"), e))
}
