//! The Arrow IPC *file* format (`ARROW1` magic, stream-framed messages, flatbuffer footer):
//! DVID writes streams, but other tools may convert exports to files; the footer gives each
//! record batch's byte range for random access.

use std::ops::Range;
use std::sync::Arc;

use arrow_ipc::Endianness;
use arrow_schema::SchemaRef;

use super::ExportError;
use super::batch::BatchDecoder;
use super::message::{self, Preamble};
use super::record::DvidRecord;

/// Trailer of an IPC file: footer length (i32) and the magic.
const TRAILER_LEN: usize = 10;

/// The footer of an Arrow IPC file: schema and record batch locations.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFooter {
    /// The file's schema.
    pub schema: SchemaRef,
    /// Byte range of each record batch message (prefix included), in file order; each can be
    /// decoded with [`BatchDecoder::decode`].
    pub batches: Vec<Range<u64>>,
}

impl FileFooter {
    /// Parses the footer from `tail`, the last `tail.len()` bytes of an IPC file that is
    /// `file_len` bytes long. When `tail` is too short the error (`ARROW_TRUNCATED`) says how
    /// many tail bytes are needed.
    pub fn parse(tail: &[u8], file_len: u64) -> Result<Self, ExportError> {
        let truncated = |needed: usize| ExportError::Truncated {
            context: "IPC file footer",
            needed: needed as u64,
            available: tail.len() as u64,
        };
        let corrupt = |reason: String| ExportError::Corrupt(format!("IPC file footer: {reason}"));
        if tail.len() as u64 > file_len {
            return Err(ExportError::InvalidArgument(format!(
                "a {}-byte tail cannot come from a {file_len}-byte file",
                tail.len()
            )));
        }
        let Some(trailer) = tail.len().checked_sub(TRAILER_LEN).map(|at| &tail[at..]) else {
            return Err(truncated(TRAILER_LEN));
        };
        if trailer[4..] != *b"ARROW1" {
            return Err(corrupt("no ARROW1 magic at the end; not an Arrow IPC file".into()));
        }
        let footer_len = i32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let footer_len = usize::try_from(footer_len)
            .map_err(|_| corrupt(format!("negative footer length {footer_len}")))?;
        let needed = footer_len + TRAILER_LEN;
        // Messages start after the 8-byte leading magic, so the footer cannot reach into it.
        let footer_start = file_len
            .checked_sub(needed as u64)
            .filter(|&s| s >= message::FILE_PREAMBLE_LEN as u64)
            .ok_or_else(|| corrupt(format!("footer length {footer_len} exceeds the {file_len}-byte file")))?;
        let Some(footer_bytes) = tail.len().checked_sub(needed).map(|at| &tail[at..tail.len() - TRAILER_LEN])
        else {
            return Err(truncated(needed));
        };
        let footer = arrow_ipc::root_as_footer(footer_bytes)
            .map_err(|e| corrupt(format!("invalid flatbuffer: {e}")))?;
        let ipc_schema = footer.schema().ok_or_else(|| corrupt("no schema".into()))?;
        if ipc_schema.endianness() != Endianness::Little {
            return Err(ExportError::Unsupported("big-endian Arrow data".into()));
        }
        let schema = arrow_ipc::convert::try_fb_to_schema(ipc_schema)
            .map_err(|e| ExportError::arrow("IPC file footer schema", e))?;
        let batches = footer
            .recordBatches()
            .iter()
            .flatten()
            .map(|block| {
                let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
                u64::try_from(offset)
                    .ok()
                    .filter(|&o| o >= message::FILE_PREAMBLE_LEN as u64)
                    .zip(u64::try_from(meta).ok().filter(|&m| m > 0))
                    .zip(u64::try_from(body).ok())
                    .and_then(|((o, m), b)| Some(o..o.checked_add(m)?.checked_add(b)?))
                    .filter(|r| r.end <= footer_start)
                    .ok_or_else(|| {
                        corrupt(format!(
                            "record batch block (offset {offset}, metadata {meta}, body {body}) \
                             lies outside the file's messages"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(FileFooter { schema: Arc::new(schema), batches })
    }

    /// A decoder for this file's record batches (fails if the schema is not the export schema).
    pub fn decoder(&self) -> Result<BatchDecoder, ExportError> {
        BatchDecoder::from_schema(Arc::clone(&self.schema))
    }
}

/// Reads every record of a complete Arrow IPC file held in memory, in footer order.
pub fn read_file_format(bytes: &[u8]) -> Result<Vec<DvidRecord>, ExportError> {
    if !matches!(message::preamble(bytes), Preamble::File(_)) {
        return Err(ExportError::Corrupt("no ARROW1 magic at the start; not an Arrow IPC file".into()));
    }
    let footer = FileFooter::parse(bytes, bytes.len() as u64)?;
    let decoder = footer.decoder()?;
    let mut records = Vec::new();
    for range in &footer.batches {
        // `parse` bounded every range by the footer start, itself inside `bytes`.
        records.extend(decoder.decode(&bytes[range.start as usize..range.end as usize])?);
    }
    Ok(records)
}
