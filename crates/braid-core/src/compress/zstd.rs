//! zstd frames: libzstd (feature `libzstd`, native and WebAssembly), else the pure-Rust ruzstd.

use super::CompressError;

const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Whether `data` starts with the zstd frame magic number.
pub fn is_zstd_frame(data: &[u8]) -> bool {
    data.len() >= 4 && data[..4] == MAGIC
}

/// Decompresses one zstd frame. `expected_size` (e.g. DVID's `uncompressed_size`) sizes the
/// output and is enforced; `limit` caps the output when the size is not known up front.
pub fn zstd_decompress(
    data: &[u8],
    expected_size: Option<usize>,
    limit: usize,
) -> Result<Vec<u8>, CompressError> {
    let mut out = Vec::new();
    zstd_decompress_into(data, expected_size, limit, &mut out)?;
    Ok(out)
}

/// Like [`zstd_decompress`], reusing `out` (cleared first) to avoid an allocation per block.
pub fn zstd_decompress_into(
    data: &[u8],
    expected_size: Option<usize>,
    limit: usize,
    out: &mut Vec<u8>,
) -> Result<(), CompressError> {
    out.clear();
    if !is_zstd_frame(data) {
        return Err(CompressError::ZstdCorrupt("missing zstd magic 28 b5 2f fd".into()));
    }
    if let Some(e) = expected_size {
        if e > limit {
            return Err(CompressError::TooLarge { limit });
        }
    }
    backend::decompress(data, expected_size, limit, out)?;
    if let Some(expected) = expected_size {
        if out.len() != expected {
            return Err(CompressError::SizeMismatch { expected, actual: out.len() });
        }
    }
    Ok(())
}

/// zstd's own default level.
pub const DEFAULT_ZSTD_LEVEL: i32 = 3;

/// Compresses `data` into one zstd frame with content size and checksum, like DVID's writer.
pub fn zstd_compress(data: &[u8], level: i32) -> Result<Vec<u8>, CompressError> {
    backend::compress(data, level)
}

#[cfg(feature = "libzstd")]
mod backend {
    use std::cell::RefCell;

    use zstd::zstd_safe;

    use super::CompressError;

    thread_local! {
        static DCTX: RefCell<Option<zstd_safe::DCtx<'static>>> = const { RefCell::new(None) };
        // A compression context holds MiBs of tables: creating one per 2 MiB zarr chunk
        // cost about as much as compressing it.
        static CCTX: RefCell<Option<zstd_safe::CCtx<'static>>> = const { RefCell::new(None) };
    }

    pub(super) fn decompress(
        data: &[u8],
        expected: Option<usize>,
        limit: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), CompressError> {
        let declared = match zstd_safe::get_frame_content_size(data) {
            Ok(Some(n)) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            Ok(None) => None,
            Err(_) => return Err(CompressError::ZstdCorrupt("unreadable frame header".into())),
        };
        if let (Some(d), Some(e)) = (declared, expected) {
            if d != e {
                return Err(CompressError::SizeMismatch { expected: e, actual: d });
            }
        }
        let capacity = expected.or(declared);
        match capacity {
            Some(cap) => {
                if cap > limit {
                    return Err(CompressError::TooLarge { limit });
                }
                out.reserve_exact(cap);
                DCTX.with(|cell| {
                    let mut slot = cell.borrow_mut();
                    let dctx = slot.get_or_insert_with(zstd_safe::DCtx::create);
                    dctx.decompress(out, data).map(|_| ()).map_err(|code| {
                        CompressError::ZstdCorrupt(zstd_safe::get_error_name(code).to_string())
                    })
                })
            }
            None => stream(data, limit, out),
        }
    }

    fn stream(data: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), CompressError> {
        use std::io::Read;
        let decoder = zstd::stream::read::Decoder::with_buffer(data)
            .map_err(|e| CompressError::ZstdCorrupt(e.to_string()))?;
        let mut limited = decoder.single_frame().take(limit as u64 + 1);
        limited.read_to_end(out).map_err(|e| CompressError::ZstdCorrupt(e.to_string()))?;
        if out.len() > limit {
            return Err(CompressError::TooLarge { limit });
        }
        Ok(())
    }

    pub(super) fn compress(data: &[u8], level: i32) -> Result<Vec<u8>, CompressError> {
        if !(zstd_safe::min_c_level()..=zstd_safe::max_c_level()).contains(&level) {
            return Err(CompressError::InvalidLevel(level));
        }
        let map = |c| CompressError::ZstdCorrupt(zstd_safe::get_error_name(c).to_string());
        CCTX.with(|cell| {
            let mut slot = cell.borrow_mut();
            let cctx = slot.get_or_insert_with(zstd_safe::CCtx::create);
            cctx.set_parameter(zstd_safe::CParameter::CompressionLevel(level)).map_err(map)?;
            cctx.set_parameter(zstd_safe::CParameter::ChecksumFlag(true)).map_err(map)?;
            cctx.set_parameter(zstd_safe::CParameter::ContentSizeFlag(true)).map_err(map)?;
            let mut out = Vec::with_capacity(zstd_safe::compress_bound(data.len()));
            let written = cctx.compress2(&mut out, data);
            if written.is_err() {
                // A failed call may leave the context mid-frame: start the next one afresh.
                *slot = None;
            }
            written.map_err(map)?;
            out.shrink_to_fit();
            Ok(out)
        })
    }
}

#[cfg(not(feature = "libzstd"))]
mod backend {
    use std::io::Read;

    use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

    use super::CompressError;

    pub(super) fn decompress(
        data: &[u8],
        expected: Option<usize>,
        limit: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), CompressError> {
        let bad = |e: &dyn std::fmt::Display| CompressError::ZstdCorrupt(e.to_string());
        let mut input = data;
        let mut frame = FrameDecoder::new();
        frame.reset(&mut input).map_err(|e| bad(&e))?;
        if let Some(e) = expected {
            out.reserve_exact(e);
        }
        // Decode block by block so a truncated frame is an error rather than short output.
        while !frame.is_finished() {
            let before = input.len();
            frame
                .decode_blocks(&mut input, BlockDecodingStrategy::UptoBytes(1 << 20))
                .map_err(|e| bad(&e))?;
            let mut chunk = Vec::new();
            frame.read_to_end(&mut chunk).map_err(|e| bad(&e))?;
            if out.len() + chunk.len() > limit {
                return Err(CompressError::TooLarge { limit });
            }
            out.extend_from_slice(&chunk);
            if !frame.is_finished() && input.len() == before && chunk.is_empty() {
                return Err(CompressError::ZstdCorrupt("frame is truncated".into()));
            }
        }
        let mut rest = Vec::new();
        frame.read_to_end(&mut rest).map_err(|e| bad(&e))?;
        if out.len() + rest.len() > limit {
            return Err(CompressError::TooLarge { limit });
        }
        out.extend_from_slice(&rest);
        if let (Some(stored), Some(computed)) =
            (frame.get_checksum_from_data(), frame.get_calculated_checksum())
        {
            if stored != computed {
                return Err(CompressError::ZstdCorrupt("content checksum mismatch".into()));
            }
        }
        if !input.is_empty() {
            return Err(CompressError::ZstdCorrupt(format!(
                "{} unexpected bytes after the frame",
                input.len()
            )));
        }
        Ok(())
    }

    pub(super) fn compress(data: &[u8], level: i32) -> Result<Vec<u8>, CompressError> {
        // ruzstd implements only its fastest level (the others panic), so every valid level
        // maps to it: output is larger than libzstd's, never wrong.
        if !(-(1 << 17)..=22).contains(&level) {
            return Err(CompressError::InvalidLevel(level));
        }
        Ok(ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let data: Vec<u8> = (0..50_000u32).flat_map(|i| (i / 7).to_le_bytes()).collect();
        let z = zstd_compress(&data, 3).unwrap();
        assert!(is_zstd_frame(&z));
        assert_eq!(zstd_decompress(&z, Some(data.len()), usize::MAX).unwrap(), data);
        assert_eq!(zstd_decompress(&z, None, usize::MAX).unwrap(), data);
    }

    #[test]
    fn every_valid_level_compresses() {
        let data = b"abcabcabcabc".repeat(100);
        for level in [-5, 1, 4, 9, 22] {
            let z = zstd_compress(&data, level).unwrap();
            assert_eq!(zstd_decompress(&z, None, usize::MAX).unwrap(), data, "level {level}");
        }
        assert!(matches!(zstd_compress(&data, 23), Err(CompressError::InvalidLevel(23))));
    }

    #[test]
    fn rejects_bad_frames() {
        let data = vec![7u8; 10_000];
        let z = zstd_compress(&data, 3).unwrap();
        for cut in [1, 4, 5, z.len() / 2] {
            assert!(zstd_decompress(&z[..z.len() - cut], None, usize::MAX).is_err(), "cut {cut}");
        }
        let mut trailing = z.clone();
        trailing.push(0);
        assert!(zstd_decompress(&trailing, None, usize::MAX).is_err());
        assert!(zstd_decompress(b"not zstd", None, usize::MAX).is_err());
        assert!(matches!(
            zstd_decompress(&z, Some(9_999), usize::MAX),
            Err(CompressError::SizeMismatch { .. })
        ));
        assert!(matches!(zstd_decompress(&z, None, 100), Err(CompressError::TooLarge { limit: 100 })));
    }
}
