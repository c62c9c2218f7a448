//! Locating record batch messages in a stream by walking message headers only: the legacy CSV
//! index has no byte ranges, and this recovers them without decoding any body.

use std::ops::Range;

use arrow_ipc::MessageHeader;

use super::ExportError;
use super::message::{self, Unit};

/// One record batch message found by [`scan_batch_ranges`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScannedBatch {
    /// Byte range of the whole message, prefix included (what the current CSV calls
    /// `offset`, `offset + size`).
    pub range: Range<u64>,
    /// Number of rows in the batch.
    pub rows: u64,
}

/// The message layout of a stream (or of a prefix of it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchScan {
    /// Byte range of the schema message (what the CSV's `schema_size` counts, from byte 0
    /// of a stream).
    pub schema: Range<u64>,
    /// Record batch messages in stream order.
    pub batches: Vec<ScannedBatch>,
    /// Offset of the first unit not scanned: the end of the input's last complete header walk,
    /// or the end of the end-of-stream marker when `finished`.
    pub next_offset: u64,
    /// Whether the end-of-stream marker was reached.
    pub finished: bool,
}

impl BatchScan {
    /// Total rows of the scanned batches.
    pub fn rows(&self) -> u64 {
        self.batches.iter().map(|b| b.rows).sum()
    }
}

/// Walks the message headers of an Arrow IPC stream held (entirely or as a prefix) by `bytes`.
/// Bodies are skipped by length, so a batch is listed as soon as its header is in `bytes`
/// even if its body is not. Stops at the end-of-stream marker, or where `bytes` ends inside a
/// header (`finished == false`; a prefix that does not even hold the schema message gives
/// `ARROW_TRUNCATED`).
pub fn scan_batch_ranges(bytes: &[u8]) -> Result<BatchScan, ExportError> {
    let mut pos = message::first_message(bytes, "schema message")?;
    let mut scan = BatchScan::default();
    let mut seen_schema = false;
    while let Some(rest) = bytes.get(pos..) {
        let framed = match message::frame(rest, pos as u64)? {
            Unit::Incomplete { needed } if !seen_schema => return Err(truncated(pos + needed, bytes.len())),
            Unit::Incomplete { .. } => break,
            Unit::EndOfStream { len } if seen_schema => {
                pos += len;
                scan.finished = true;
                break;
            }
            Unit::EndOfStream { .. } => {
                return Err(ExportError::Corrupt("the stream ends before its schema message".into()));
            }
            Unit::Message(framed) => framed,
        };
        // Checked: on 32-bit targets (wasm) a forged body length could wrap the position
        // back to an earlier message and loop forever.
        let end = pos.checked_add(framed.len()).ok_or_else(|| {
            ExportError::Corrupt(format!(
                "message at byte {pos} claims {} bytes, past what this platform can address",
                framed.len()
            ))
        })?;
        let range = pos as u64..end as u64;
        match framed.message.header_type() {
            MessageHeader::Schema if !seen_schema => {
                seen_schema = true;
                scan.schema = range;
            }
            MessageHeader::RecordBatch if seen_schema => {
                let rows = framed.message.header_as_record_batch().map_or(-1, |b| b.length());
                let rows = u64::try_from(rows).map_err(|_| {
                    ExportError::Corrupt(format!("record batch at byte {pos} has row count {rows}"))
                })?;
                scan.batches.push(ScannedBatch { range, rows });
            }
            // Dictionary batches index nothing in the CSV; the export schema has none anyway.
            MessageHeader::DictionaryBatch if seen_schema => {}
            other => {
                return Err(ExportError::Corrupt(format!(
                    "unexpected {} message at byte {pos}",
                    message::kind_name(other)
                )));
            }
        }
        pos = end;
    }
    scan.next_offset = pos as u64;
    Ok(scan)
}

fn truncated(needed: usize, available: usize) -> ExportError {
    ExportError::Truncated { context: "schema message", needed: needed as u64, available: available as u64 }
}
