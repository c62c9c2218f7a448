//! Sequential reading of an export shard: a push decoder fed arbitrary byte slices, holding at
//! most one incomplete message, so a multi-GB `.arrow` file streams through a fixed buffer.

use std::ops::Range;

use arrow_ipc::MessageHeader;
use arrow_schema::SchemaRef;

use super::ExportError;
use super::batch::{BatchDecoder, schema_of};
use super::message::{self, Framed, Preamble, Unit};
use super::record::{DvidRecord, ExportBatch};

/// The rows of one record batch message and where the message lies in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedBatch {
    /// Byte range of the whole message (prefix included), as the current CSV index records it.
    pub range: Range<u64>,
    /// The batch's rows, in order (row `i` is the CSV's `batch_idx = i`).
    pub records: Vec<DvidRecord>,
}

/// What a completely read stream contained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamSummary {
    /// Record batch messages read.
    pub batches: u64,
    /// Rows read.
    pub records: u64,
    /// Bytes up to and including the end-of-stream marker.
    pub bytes: u64,
    /// Whether the input was an IPC file (`ARROW1` magic; the footer after the stream is ignored).
    pub file_format: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Messages,
    Finished,
    Failed,
}

/// Push decoder of an export shard's Arrow IPC stream (or IPC file, read sequentially).
///
/// Feed the bytes in order with [`push`](Self::push), in slices of any size; each call returns
/// the batches completed by that slice. After the last slice, [`finish`](Self::finish) checks
/// that the end-of-stream marker was reached. The decoder buffers only the part of one message
/// that spans slices. An error is final: later calls fail too.
#[derive(Debug)]
pub struct ExportStreamDecoder {
    state: State,
    decoder: Option<BatchDecoder>,
    /// Bytes of the unit that started in an earlier slice.
    pending: Vec<u8>,
    /// Absolute offset of `pending[0]` (or of the next byte when `pending` is empty).
    offset: u64,
    /// Bytes from `offset` needed before the next unit can be framed.
    needed: usize,
    /// Absolute offset just past the end-of-stream marker, once read.
    end: u64,
    file_format: bool,
    batches: u64,
    records: u64,
}

impl Default for ExportStreamDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ExportStreamDecoder {
    /// A decoder expecting byte 0 of the stream.
    pub fn new() -> Self {
        ExportStreamDecoder {
            state: State::Start,
            decoder: None,
            pending: Vec::new(),
            offset: 0,
            needed: 0,
            end: 0,
            file_format: false,
            batches: 0,
            records: 0,
        }
    }

    /// Consumes the next slice of the stream and returns the batches it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<DecodedBatch>, ExportError> {
        if self.state == State::Failed {
            return Err(ExportError::Corrupt("the stream decoder stopped at an earlier error".into()));
        }
        let mut out = Vec::new();
        let result = self.push_into(chunk, &mut out);
        if result.is_err() {
            self.state = State::Failed;
            self.pending = Vec::new();
        }
        result.map(|()| out)
    }

    fn push_into(&mut self, mut chunk: &[u8], out: &mut Vec<DecodedBatch>) -> Result<(), ExportError> {
        // Complete the unit begun by an earlier slice, topping it up only with the bytes each
        // framing stage asks for, so `pending` never holds more than that one unit.
        while !self.pending.is_empty() {
            let mut pending = std::mem::take(&mut self.pending);
            let consumed = self.consume(&pending, out)?;
            pending.drain(..consumed);
            if pending.is_empty() {
                break;
            }
            let take = self.needed.saturating_sub(pending.len()).max(1).min(chunk.len());
            pending.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            self.pending = pending;
            if take == 0 {
                return Ok(());
            }
        }
        let consumed = self.consume(chunk, out)?;
        self.pending.extend_from_slice(&chunk[consumed..]);
        Ok(())
    }

    /// Handles every complete unit at the start of `bytes` and returns how many bytes they
    /// spanned; `self.needed` then says how many bytes the next unit needs.
    fn consume(&mut self, bytes: &[u8], out: &mut Vec<DecodedBatch>) -> Result<usize, ExportError> {
        let mut pos = 0;
        let result = loop {
            let rest = &bytes[pos..];
            let at = self.offset + pos as u64;
            match self.state {
                State::Finished if self.file_format || rest.is_empty() => {
                    // An IPC file's footer follows its end-of-stream marker.
                    pos = bytes.len();
                    break Ok(0);
                }
                State::Finished => {
                    break Err(ExportError::Corrupt(format!(
                        "{} bytes follow the end-of-stream marker at byte {at}",
                        rest.len()
                    )));
                }
                State::Failed => break Ok(0),
                State::Start => match message::preamble(rest) {
                    Preamble::Undecided(needed) => break Ok(needed),
                    Preamble::File(len) => {
                        self.file_format = true;
                        pos += len;
                        self.state = State::Messages;
                    }
                    Preamble::Stream => self.state = State::Messages,
                },
                State::Messages => match message::frame(rest, at) {
                    Err(e) => break Err(e),
                    Ok(Unit::Incomplete { needed }) => break Ok(needed),
                    Ok(Unit::EndOfStream { .. }) if self.decoder.is_none() => {
                        break Err(ExportError::Corrupt("the stream ends before its schema message".into()));
                    }
                    Ok(Unit::EndOfStream { len }) => {
                        pos += len;
                        self.end = at + len as u64;
                        self.state = State::Finished;
                    }
                    Ok(Unit::Message(framed)) if !framed.is_complete(rest.len()) => break Ok(framed.len()),
                    Ok(Unit::Message(framed)) => {
                        if let Err(e) = self.handle(&framed, rest, at, out) {
                            break Err(e);
                        }
                        pos += framed.len();
                    }
                },
            }
        };
        self.offset += pos as u64;
        self.needed = result?;
        Ok(pos)
    }

    fn handle(
        &mut self,
        framed: &Framed<'_>,
        bytes: &[u8],
        at: u64,
        out: &mut Vec<DecodedBatch>,
    ) -> Result<(), ExportError> {
        let header = framed.message.header_type();
        match (header, &self.decoder) {
            (MessageHeader::Schema, None) => {
                let schema = schema_of(&framed.message, at)?;
                self.decoder = Some(BatchDecoder::from_schema(schema.into())?);
            }
            (MessageHeader::RecordBatch, Some(decoder)) => {
                let batch = decoder.decode_framed(framed, bytes, at)?;
                let records = ExportBatch::new(&batch)?.records()?;
                self.batches += 1;
                self.records += records.len() as u64;
                out.push(DecodedBatch { range: at..at + framed.len() as u64, records });
            }
            // The export columns are never dictionary-encoded; other columns are not read.
            (MessageHeader::DictionaryBatch, Some(_)) => {}
            (_, None) => {
                return Err(ExportError::Corrupt(format!(
                    "the stream starts with a {} message, expected the Schema",
                    message::kind_name(header)
                )));
            }
            (_, Some(_)) => {
                return Err(ExportError::Corrupt(format!(
                    "unexpected {} message at byte {at}",
                    message::kind_name(header)
                )));
            }
        }
        Ok(())
    }

    /// The stream's schema, once its first message has been read.
    pub fn schema(&self) -> Option<&SchemaRef> {
        self.decoder.as_ref().map(BatchDecoder::schema)
    }

    /// Whether the end-of-stream marker has been read.
    pub fn is_finished(&self) -> bool {
        self.state == State::Finished
    }

    /// Bytes currently held for a message that spans slices.
    pub fn buffered(&self) -> usize {
        self.pending.len()
    }

    /// Checks that the whole stream was read and summarises it. A stream cut at a message
    /// boundary (no end-of-stream marker) is reported as truncated: DVID always writes one.
    pub fn finish(&self) -> Result<StreamSummary, ExportError> {
        match self.state {
            State::Finished => Ok(StreamSummary {
                batches: self.batches,
                records: self.records,
                bytes: self.end,
                file_format: self.file_format,
            }),
            State::Failed => {
                Err(ExportError::Corrupt("the stream decoder stopped at an earlier error".into()))
            }
            State::Start | State::Messages => Err(ExportError::Truncated {
                context: if self.decoder.is_none() {
                    "schema message"
                } else if self.pending.is_empty() {
                    "end-of-stream marker"
                } else {
                    "record batch message"
                },
                needed: self.offset + self.needed.max(self.pending.len() + 1) as u64,
                available: self.offset + self.pending.len() as u64,
            }),
        }
    }
}

/// Reads every record of a complete export shard held in memory (IPC stream, or IPC file read
/// sequentially), in stream order.
pub fn read_stream(bytes: &[u8]) -> Result<Vec<DvidRecord>, ExportError> {
    let mut decoder = ExportStreamDecoder::new();
    let batches = decoder.push(bytes)?;
    decoder.finish()?;
    Ok(batches.into_iter().flat_map(|b| b.records).collect())
}
