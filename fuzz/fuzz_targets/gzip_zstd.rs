//! gzip and zstd decompression of arbitrary bytes under small output limits: never a panic,
//! never more output than the limit, the limit is inclusive and does not change what
//! decodes, and compress → decompress round-trips. Run with `--no-default-features` to fuzz
//! the pure-Rust zstd fallback decoder.
//!
//! Input: `[flags, l0, l1, e0, e1] ++ data`; limit = `u16(l0, l1)`, expected zstd size =
//! `u16(e0, e1)` when flags bit 0 is set; flags bits 4–7 pick the compression levels.
#![no_main]

use braid_core::compress::{CompressError, gunzip_limited, gzip, zstd_compress, zstd_decompress};
use libfuzzer_sys::fuzz_target;

/// Reference limit: far above any small limit, low enough that a bomb cannot stall the run.
const GENEROUS: usize = 1 << 24;

/// `limited` must be exactly `reference` cut off at `limit`: the same bytes when they fit,
/// TooLarge when they do not, and an error only where the reference failed too.
fn check_limit(
    what: &str,
    limit: usize,
    limited: Result<Vec<u8>, CompressError>,
    reference: &Result<Vec<u8>, CompressError>,
) {
    if let Ok(out) = &limited {
        assert!(out.len() <= limit, "{what}: {} bytes out under a limit of {limit}", out.len());
    }
    match (reference, &limited) {
        (Ok(full), Ok(out)) => assert!(full == out, "{what}: output depends on the limit"),
        (Ok(full), Err(CompressError::TooLarge { .. })) => {
            assert!(full.len() > limit, "{what}: {} bytes refused under a limit of {limit}", full.len())
        }
        (Ok(full), Err(e)) => {
            panic!("{what}: {} bytes decode unlimited but fail with {e} under {limit}", full.len())
        }
        (Err(_), Ok(out)) => panic!("{what}: {} bytes under a limit but no output unlimited", out.len()),
        (Err(_), Err(_)) => {}
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((header, data)) = input.split_first_chunk::<5>() else { return };
    let flags = header[0];
    let limit = usize::from(u16::from_le_bytes([header[1], header[2]]));
    let expected = (flags & 1 != 0).then(|| usize::from(u16::from_le_bytes([header[3], header[4]])));

    check_limit("gunzip", limit, gunzip_limited(data, limit), &gunzip_limited(data, GENEROUS));
    let zstd = zstd_decompress(data, expected, limit);
    if let (Ok(out), Some(e)) = (&zstd, expected) {
        assert_eq!(out.len(), e, "zstd: expected size not enforced");
    }
    check_limit("zstd", limit, zstd, &zstd_decompress(data, expected, GENEROUS));

    let gz = gzip(data, u32::from(flags >> 4) % 10).expect("levels 0..=9 are valid");
    assert_eq!(gunzip_limited(&gz, data.len()).expect("own gzip decodes"), data);
    let zs = zstd_compress(data, i32::from(flags >> 6) + 1).expect("levels 1..=4 are valid");
    assert_eq!(zstd_decompress(&zs, Some(data.len()), data.len()).expect("own zstd decodes"), data);
    assert_eq!(zstd_decompress(&zs, None, data.len()).expect("own zstd decodes without a size"), data);
    if let Some(short) = data.len().checked_sub(1) {
        assert!(gunzip_limited(&gz, short).is_err(), "gunzip produced more than its limit");
        assert!(zstd_decompress(&zs, None, short).is_err(), "zstd produced more than its limit");
    }
});
