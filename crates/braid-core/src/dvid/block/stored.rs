//! Blocks as DVID stores them: export records (and DVID's own key-value store) hold each
//! block as a zstd frame around the serialized block; raw blocks are accepted too.

use std::cell::RefCell;

use super::parse::DvidBlock;
use crate::Error;
use crate::compress::{is_zstd_frame, zstd_decompress_into};
use crate::volume::Shape;

/// Largest decompressed DVID block accepted (a 64³ block is at most ~2.4 MiB).
pub const MAX_BLOCK_BYTES: usize = 256 << 20;

thread_local! {
    static RAW_BLOCK: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on the raw block bytes, unwrapping a zstd frame (detected by its magic number;
/// a DVID header can never start with it) into a per-thread buffer.
pub(crate) fn with_raw_block<R>(
    input: &[u8],
    uncompressed_size: Option<usize>,
    f: impl FnOnce(&[u8]) -> Result<R, Error>,
) -> Result<R, Error> {
    if !is_zstd_frame(input) {
        return f(input);
    }
    RAW_BLOCK.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            zstd_decompress_into(input, uncompressed_size, MAX_BLOCK_BYTES, &mut buf)?;
            f(&buf)
        }
        Err(_) => {
            let mut buf = Vec::new();
            zstd_decompress_into(input, uncompressed_size, MAX_BLOCK_BYTES, &mut buf)?;
            f(&buf)
        }
    })
}

/// Shape of the volume a stored (raw or zstd-wrapped) block decodes to.
pub fn block_shape(input: &[u8]) -> Result<Shape, Error> {
    with_raw_block(input, None, |raw| Ok(DvidBlock::parse(raw)?.shape()))
}
