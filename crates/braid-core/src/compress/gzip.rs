//! gzip members written like TensorStore's zlib (mtime 0, OS byte 3) so headers match; the
//! deflate body itself depends on the deflate library and is not byte-comparable.
//!
//! Deflate is libdeflate (feature `libdeflate`) or zlib-rs: on 4 KB compressed_segmentation
//! chunks libdeflate level 5 is about twice as fast as zlib level 6 and a little smaller
//! (`benches/deflate.rs`). Inflate tries libdeflate first (about twice zlib-rs's speed on
//! these chunks) on the member as its trailer describes it, and falls back to zlib-rs, which
//! streams and finds where the member ends, for the exact verdict on anything else.

use std::cell::RefCell;

#[cfg(not(feature = "libdeflate"))]
use flate2::{Compress, Compression, FlushCompress};
use flate2::{Decompress, FlushDecompress, Status};

use super::CompressError;

/// Level used when the caller does not choose one: with libdeflate, level 5 is smaller than
/// zlib's default 6 and twice as fast; without it, zlib's default.
#[cfg(feature = "libdeflate")]
pub const DEFAULT_GZIP_LEVEL: u32 = 5;
/// Level used when the caller does not choose one: zlib's default, a good speed/size balance.
#[cfg(not(feature = "libdeflate"))]
pub const DEFAULT_GZIP_LEVEL: u32 = 6;

const FTEXT_FHCRC_FEXTRA_FNAME_FCOMMENT: u8 = 0x1f;
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

thread_local! {
    // Deflate state is ~300 KiB; allocating and zeroing it per 4 KiB chunk would dominate.
    #[cfg(not(feature = "libdeflate"))]
    static COMPRESSORS: RefCell<Vec<(u32, Compress)>> = const { RefCell::new(Vec::new()) };
    #[cfg(feature = "libdeflate")]
    static LIBDEFLATE: RefCell<Vec<(u32, libdeflater::Compressor)>> = const { RefCell::new(Vec::new()) };
    static DECOMPRESSOR: RefCell<Option<Decompress>> = const { RefCell::new(None) };
    #[cfg(feature = "libdeflate")]
    static LIBDEFLATE_INFLATE: RefCell<Option<libdeflater::Decompressor>> = const { RefCell::new(None) };
}

/// Deflate's densest stream: 258 bytes from about 2 bits, so ISIZE beyond this times the
/// body's size is a corrupt trailer, not a real output size.
#[cfg(feature = "libdeflate")]
const MAX_DEFLATE_RATIO: usize = 1032;

/// Compresses `data` into one gzip member.
pub fn gzip(data: &[u8], level: u32) -> Result<Vec<u8>, CompressError> {
    let mut out = Vec::new();
    gzip_into(data, level, &mut out)?;
    Ok(out)
}

/// Refuses levels outside 0..=9, so callers can validate before they have anything to compress.
pub fn check_gzip_level(level: u32) -> Result<(), CompressError> {
    if level > 9 {
        return Err(CompressError::InvalidLevel(level as i32));
    }
    Ok(())
}

/// Appends one gzip member holding `data` to `out`.
pub fn gzip_into(data: &[u8], level: u32, out: &mut Vec<u8>) -> Result<(), CompressError> {
    check_gzip_level(level)?;
    let xfl = match level {
        9 => 2,
        0 | 1 => 4,
        _ => 0,
    };
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3]);
    deflate_into(data, level, out)?;
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(())
}

/// Appends a raw deflate stream of `data` (zlib-rs).
#[cfg(not(feature = "libdeflate"))]
fn deflate_into(data: &[u8], level: u32, out: &mut Vec<u8>) -> Result<(), CompressError> {
    out.reserve(data.len() / 2 + 64);
    COMPRESSORS.with(|cell| {
        let mut cache = cell.borrow_mut();
        let pos = match cache.iter().position(|(l, _)| *l == level) {
            Some(p) => p,
            None => {
                cache.push((level, Compress::new(Compression::new(level), false)));
                cache.len() - 1
            }
        };
        let compress = &mut cache[pos].1;
        compress.reset();
        let start_in = compress.total_in();
        loop {
            let consumed = (compress.total_in() - start_in) as usize;
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(1024));
            }
            let status = compress
                .compress_vec(&data[consumed..], out, FlushCompress::Finish)
                .map_err(|e| CompressError::GzipCorrupt(format!("deflate failed: {e}")))?;
            if status == Status::StreamEnd {
                break;
            }
        }
        Ok::<(), CompressError>(())
    })
}

/// Appends a raw deflate stream of `data` (libdeflate, one call over the whole input).
#[cfg(feature = "libdeflate")]
fn deflate_into(data: &[u8], level: u32, out: &mut Vec<u8>) -> Result<(), CompressError> {
    LIBDEFLATE.with(|cell| {
        let mut cache = cell.borrow_mut();
        let pos = match cache.iter().position(|(l, _)| *l == level) {
            Some(p) => p,
            None => {
                let lvl = libdeflater::CompressionLvl::new(level as i32)
                    .map_err(|_| CompressError::InvalidLevel(level as i32))?;
                cache.push((level, libdeflater::Compressor::new(lvl)));
                cache.len() - 1
            }
        };
        let compressor = &mut cache[pos].1;
        let start = out.len();
        // The bound is exact worst case, so one call always fits; zeroing it costs far less
        // than the compression.
        out.resize(start + compressor.deflate_compress_bound(data.len()), 0);
        let n = compressor
            .deflate_compress(data, &mut out[start..])
            .map_err(|e| CompressError::GzipCorrupt(format!("deflate failed: {e}")))?;
        out.truncate(start + n);
        Ok(())
    })
}

/// Decompresses exactly one gzip member; trailing bytes are an error (as in TensorStore).
pub fn gunzip(data: &[u8]) -> Result<Vec<u8>, CompressError> {
    gunzip_limited(data, usize::MAX)
}

/// Like [`gunzip`], failing with [`CompressError::TooLarge`] instead of producing more than
/// `limit` bytes (guards against decompression bombs in untrusted shards).
pub fn gunzip_limited(data: &[u8], limit: usize) -> Result<Vec<u8>, CompressError> {
    let body_start = parse_header(data)?;
    #[cfg(feature = "libdeflate")]
    if let Some(verdict) = gunzip_as_described(data, body_start, limit) {
        return verdict;
    }
    gunzip_streaming(data, body_start, limit)
}

/// The member as its trailer describes it, if it is one: the body before the last 8 bytes
/// inflates (libdeflate, one call) to exactly ISIZE bytes whose CRC-32 is the trailer's. A
/// plausible ISIZE over `limit` is refused unread, so the verdict never depends on the limit
/// otherwise. None when the member is not so, and the streaming inflate gives the verdict and
/// the error. The one input the two judge differently is a member followed by bytes that end
/// in a copy of its own trailer: accepted here, with the member's verified bytes.
#[cfg(feature = "libdeflate")]
fn gunzip_as_described(
    data: &[u8],
    body_start: usize,
    limit: usize,
) -> Option<Result<Vec<u8>, CompressError>> {
    let body = data.get(body_start..data.len().checked_sub(8)?)?;
    let trailer = &data[data.len() - 8..];
    let crc = u32::from_le_bytes(trailer[0..4].try_into().expect("4 bytes"));
    let isize = u32::from_le_bytes(trailer[4..8].try_into().expect("4 bytes")) as usize;
    if isize > body.len().saturating_mul(MAX_DEFLATE_RATIO).max(64) {
        return None;
    }
    if isize > limit {
        return Some(Err(CompressError::TooLarge { limit }));
    }
    let mut out = vec![0u8; isize];
    let n = LIBDEFLATE_INFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        slot.get_or_insert_with(libdeflater::Decompressor::new).deflate_decompress(body, &mut out).ok()
    })?;
    (n == isize && crc32fast::hash(&out) == crc).then_some(Ok(out))
}

/// Inflates with zlib-rs, which streams: it finds where the member ends, so trailing bytes,
/// truncation and size mismatches get their own errors.
fn gunzip_streaming(data: &[u8], body_start: usize, limit: usize) -> Result<Vec<u8>, CompressError> {
    let body = &data[body_start..];
    // ISIZE (size mod 2^32) is a good first guess for the output size.
    let hint = if data.len() >= body_start + 8 {
        u32::from_le_bytes(data[data.len() - 4..].try_into().expect("4 bytes")) as usize
    } else {
        0
    };
    // Room for one byte past the limit: producing it proves the output is too large, while
    // output of exactly `limit` bytes still decodes.
    let room = limit.saturating_add(1);
    let mut out = Vec::with_capacity(hint.clamp(64, 1 << 28).min(room));
    let consumed = DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let inflate = slot.get_or_insert_with(|| Decompress::new(false));
        inflate.reset(false);
        loop {
            let consumed = inflate.total_in() as usize;
            if out.len() == out.capacity() {
                out.reserve_exact(out.capacity().max(4096).min(room - out.len()));
            }
            let before = (inflate.total_in(), inflate.total_out());
            let status = inflate
                .decompress_vec(&body[consumed..], &mut out, FlushDecompress::None)
                .map_err(|e| CompressError::GzipCorrupt(format!("bad deflate stream: {e}")))?;
            if out.len() > limit {
                return Err(CompressError::TooLarge { limit });
            }
            match status {
                Status::StreamEnd => return Ok(inflate.total_in() as usize),
                _ if (inflate.total_in(), inflate.total_out()) == before && out.len() < out.capacity() => {
                    return Err(CompressError::GzipCorrupt("deflate stream is truncated".into()));
                }
                _ => {}
            }
        }
    })?;
    let trailer = &body[consumed..];
    if trailer.len() < 8 {
        return Err(CompressError::GzipCorrupt("missing gzip trailer".into()));
    }
    let crc = u32::from_le_bytes(trailer[0..4].try_into().expect("4 bytes"));
    let isize = u32::from_le_bytes(trailer[4..8].try_into().expect("4 bytes"));
    if crc != crc32fast::hash(&out) {
        return Err(CompressError::GzipCorrupt("CRC-32 mismatch".into()));
    }
    if isize != out.len() as u32 {
        return Err(CompressError::GzipCorrupt(format!(
            "ISIZE {isize} does not match {} decompressed bytes",
            out.len()
        )));
    }
    if trailer.len() > 8 {
        return Err(CompressError::GzipCorrupt(format!(
            "{} unexpected bytes after the gzip member",
            trailer.len() - 8
        )));
    }
    Ok(out)
}

/// Returns the offset of the deflate body.
fn parse_header(data: &[u8]) -> Result<usize, CompressError> {
    let bad = |m: &str| CompressError::GzipCorrupt(m.to_string());
    if data.len() < 10 {
        return Err(bad("shorter than a gzip header"));
    }
    if data[0] != 0x1f || data[1] != 0x8b {
        return Err(bad("missing gzip magic 1f 8b"));
    }
    if data[2] != 8 {
        return Err(bad("compression method is not deflate"));
    }
    let flags = data[3];
    if flags & !FTEXT_FHCRC_FEXTRA_FNAME_FCOMMENT != 0 {
        return Err(bad("reserved header flags are set"));
    }
    let mut pos = 10usize;
    if flags & FEXTRA != 0 {
        let len = data.get(pos..pos + 2).ok_or_else(|| bad("truncated FEXTRA"))?;
        pos += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = data.get(pos..).ok_or_else(|| bad("truncated header"))?;
            let nul = rest.iter().position(|&b| b == 0).ok_or_else(|| bad("unterminated header string"))?;
            pos += nul + 1;
        }
    }
    if flags & FHCRC != 0 {
        pos += 2;
    }
    if pos > data.len() {
        return Err(bad("truncated header"));
    }
    Ok(pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_writes_tensorstore_header() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        for level in [0, 1, 6, 9] {
            let z = gzip(&data, level).unwrap();
            assert_eq!(&z[..4], &[0x1f, 0x8b, 8, 0]);
            assert_eq!(z[9], 3);
            assert_eq!(gunzip(&z).unwrap(), data);
        }
        assert_eq!(gunzip(&gzip(&[], 6).unwrap()).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn rejects_corruption() {
        let z = gzip(b"hello world hello world", 6).unwrap();
        for cut in [0, 5, 12, z.len() - 3] {
            assert!(gunzip(&z[..cut]).is_err(), "cut {cut}");
        }
        let mut flipped = z.clone();
        let n = flipped.len();
        flipped[n - 6] ^= 1;
        assert!(matches!(gunzip(&flipped), Err(CompressError::GzipCorrupt(_))));
        let mut trailing = z.clone();
        trailing.push(0);
        assert!(gunzip(&trailing).is_err());
        // A second member is not part of this one, unless it ends in this one's trailer: then
        // the fast path returns this member's CRC-checked bytes (see `gunzip_as_described`).
        let other = [z.clone(), gzip(b"another member", 6).unwrap()].concat();
        assert!(
            matches!(gunzip(&other), Err(CompressError::GzipCorrupt(m)) if m.contains("after the gzip member"))
        );
        let twice = [z.clone(), z.clone()].concat();
        #[cfg(feature = "libdeflate")]
        assert_eq!(gunzip(&twice).unwrap(), b"hello world hello world");
        #[cfg(not(feature = "libdeflate"))]
        assert!(gunzip(&twice).is_err());
        let mut wrong_size = z.clone();
        wrong_size[n - 4] ^= 1;
        assert!(matches!(gunzip(&wrong_size), Err(CompressError::GzipCorrupt(m)) if m.contains("ISIZE")));
        assert!(matches!(
            gunzip_limited(&gzip(&[0u8; 10_000], 6).unwrap(), 100),
            Err(CompressError::TooLarge { limit: 100 })
        ));
    }

    #[test]
    fn limit_holds_for_tiny_outputs() {
        let ab = gzip(b"ab", 6).unwrap();
        assert!(matches!(gunzip_limited(&ab, 1), Err(CompressError::TooLarge { limit: 1 })));
        assert_eq!(gunzip_limited(&ab, 2).unwrap(), b"ab");
        assert_eq!(gunzip_limited(&gzip(b"", 6).unwrap(), 0).unwrap(), b"");
    }

    #[test]
    fn reads_members_with_optional_header_fields() {
        use std::io::Write;
        let mut enc = flate2::GzBuilder::new()
            .filename("chunk")
            .comment("c")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), flate2::Compression::default());
        enc.write_all(b"payload").unwrap();
        let z = enc.finish().unwrap();
        assert_eq!(gunzip(&z).unwrap(), b"payload");
    }
}
