//! Framing of encapsulated Arrow IPC messages: the length prefix (with or without the
//! `0xFFFFFFFF` continuation marker), the verified flatbuffer metadata, and the body extent.
//! Only the metadata is parsed; bodies are located, never read.

use std::ops::Range;

use arrow_ipc::{Message, MessageHeader};

use super::ExportError;

const CONTINUATION: [u8; 4] = [0xFF; 4];
const FILE_MAGIC: &[u8; 6] = b"ARROW1";

/// Bytes before the first message of an IPC file: the magic padded to 8.
pub(crate) const FILE_PREAMBLE_LEN: usize = 8;

/// Writers pad the magic to their buffer alignment (arrow-rs: 64 bytes by default), not
/// only to the 8 bytes the format requires.
const MAX_FILE_PREAMBLE_LEN: usize = 64;

/// Flatbuffer metadata larger than this is treated as corruption. Real messages are well under
/// a kilobyte; the cap keeps a garbage length from making a push reader buffer gigabytes.
const MAX_METADATA_LEN: usize = 16 << 20;

/// How a byte sequence starts.
pub(crate) enum Preamble {
    /// An IPC stream: messages from byte 0.
    Stream,
    /// An IPC file: `ARROW1` magic and zero padding of this total length, then stream-framed
    /// messages.
    File(usize),
    /// Too few bytes to tell; at least this many are needed.
    Undecided(usize),
}

/// Tells an IPC file from an IPC stream by the magic, and measures the file's padding.
pub(crate) fn preamble(bytes: &[u8]) -> Preamble {
    let n = bytes.len().min(FILE_MAGIC.len());
    if bytes[..n] != FILE_MAGIC[..n] {
        return Preamble::Stream;
    }
    // A message starts with a non-zero word (continuation marker or length), so all-zero
    // 8-byte words after the magic are padding.
    let mut len = FILE_PREAMBLE_LEN;
    while len < MAX_FILE_PREAMBLE_LEN {
        match bytes.get(len..len + 8) {
            None => return Preamble::Undecided(len + 8),
            Some(word) if word.iter().all(|&b| b == 0) => len += 8,
            Some(_) => break,
        }
    }
    Preamble::File(len)
}

/// Offset of the first message in `bytes`: 0 for a stream, past the preamble for a file.
/// `ARROW_TRUNCATED` (for reading `context`) when too few bytes tell which.
pub(crate) fn first_message(bytes: &[u8], context: &'static str) -> Result<usize, ExportError> {
    match preamble(bytes) {
        Preamble::Stream => Ok(0),
        Preamble::File(len) => Ok(len),
        Preamble::Undecided(needed) => {
            Err(ExportError::Truncated { context, needed: needed as u64, available: bytes.len() as u64 })
        }
    }
}

/// The next unit at the start of a byte slice.
pub(crate) enum Unit<'a> {
    /// The unit's header is incomplete; at least `needed` bytes (from the slice start) are needed.
    Incomplete {
        /// Total bytes needed to make progress.
        needed: usize,
    },
    /// The end-of-stream marker, `len` bytes long (8, or 4 for the pre-0.15 legacy prefix).
    EndOfStream {
        /// Length of the marker.
        len: usize,
    },
    /// A message whose metadata is present and verified; its body may still be missing.
    Message(Framed<'a>),
}

/// A message's metadata and extent inside the slice it was framed from.
pub(crate) struct Framed<'a> {
    /// The verified flatbuffer metadata.
    pub message: Message<'a>,
    /// Byte range of the body.
    pub body: Range<usize>,
}

impl Framed<'_> {
    /// Length of the whole message, prefix to end of body.
    pub(crate) fn len(&self) -> usize {
        self.body.end
    }

    /// Whether the whole message lies inside the `available` bytes it was framed from.
    pub(crate) fn is_complete(&self, available: usize) -> bool {
        self.body.end <= available
    }
}

/// Frames the unit at the start of `bytes`. `at` is the absolute offset of `bytes[0]`,
/// used only in error messages.
pub(crate) fn frame(bytes: &[u8], at: u64) -> Result<Unit<'_>, ExportError> {
    let corrupt = |reason: String| ExportError::Corrupt(format!("message at byte {at}: {reason}"));
    let word = |i: usize| bytes.get(i..i + 4).map(|w| i32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    let Some(first) = word(0) else { return Ok(Unit::Incomplete { needed: 4 }) };
    let (meta_start, meta_len) = if bytes[..4] == CONTINUATION {
        match word(4) {
            Some(len) => (8, len),
            None => return Ok(Unit::Incomplete { needed: 8 }),
        }
    } else {
        (4, first)
    };
    if meta_len == 0 {
        return Ok(Unit::EndOfStream { len: meta_start });
    }
    let meta_len = usize::try_from(meta_len)
        .ok()
        .filter(|&n| n <= MAX_METADATA_LEN)
        .ok_or_else(|| corrupt(format!("invalid metadata length {meta_len}")))?;
    let meta_end = meta_start + meta_len;
    let Some(meta) = bytes.get(meta_start..meta_end) else {
        return Ok(Unit::Incomplete { needed: meta_end });
    };
    let message =
        arrow_ipc::root_as_message(meta).map_err(|e| corrupt(format!("invalid flatbuffer metadata: {e}")))?;
    let body_len = usize::try_from(message.bodyLength())
        .map_err(|_| corrupt(format!("invalid body length {}", message.bodyLength())))?;
    let body_end = meta_end
        .checked_add(body_len)
        .ok_or_else(|| corrupt(format!("body length {body_len} overflows the address space")))?;
    Ok(Unit::Message(Framed { message, body: meta_end..body_end }))
}

/// A short name of a message type for error messages.
pub(crate) fn kind_name(header: MessageHeader) -> String {
    header.variant_name().map_or_else(|| format!("unknown message type {}", header.0), str::to_owned)
}
