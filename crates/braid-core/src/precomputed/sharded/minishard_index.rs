//! The minishard index (docs/formats/sharded.md §2.5): a C-order `[3][n]` u64 array of chunk-id deltas,
//! offset deltas and sizes, optionally gzipped as one unit.

use std::ops::Range;

use super::{Encoding, ShardedError};
use crate::compress::{gunzip_limited, gzip_into};

/// Largest decoded minishard index accepted (about 11 million entries): a guard against gzip
/// bombs, far above any real minishard.
pub const MAX_DECODED_MINISHARD_INDEX_BYTES: usize = 256 << 20;

/// One minishard-index entry: a chunk id and the byte range of its encoded payload.
///
/// Writers and [`decode_minishard_index`] use ranges relative to the end of the shard index;
/// [`super::MinishardIndex`] holds absolute file offsets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MinishardEntry {
    /// The chunk id.
    pub chunk_id: u64,
    /// Byte range of the encoded payload.
    pub range: Range<u64>,
}

/// Appends the minishard index of `entries`, in the given order, to `out`, gzipped at
/// `gzip_level` when `encoding` is gzip.
///
/// Deltas wrap modulo 2^64, so any order is representable; TensorStore and neuroglancer both
/// decode wrapped deltas correctly. Writers should still list entries by ascending chunk id.
pub fn encode_minishard_index(
    entries: &[MinishardEntry],
    encoding: Encoding,
    gzip_level: u32,
    out: &mut Vec<u8>,
) -> Result<(), ShardedError> {
    match encoding {
        Encoding::Raw => {
            write_raw(entries, out);
            Ok(())
        }
        Encoding::Gzip => {
            let mut raw = Vec::with_capacity(entries.len() * 24);
            write_raw(entries, &mut raw);
            Ok(gzip_into(&raw, gzip_level, out)?)
        }
    }
}

fn write_raw(entries: &[MinishardEntry], out: &mut Vec<u8>) {
    out.reserve(entries.len() * 24);
    let mut prev_id = 0u64;
    for e in entries {
        out.extend_from_slice(&e.chunk_id.wrapping_sub(prev_id).to_le_bytes());
        prev_id = e.chunk_id;
    }
    // The running end restarts at 0 for every minishard, so the first delta is the full offset.
    let mut prev_end = 0u64;
    for e in entries {
        out.extend_from_slice(&e.range.start.wrapping_sub(prev_end).to_le_bytes());
        prev_end = e.range.end;
    }
    for e in entries {
        out.extend_from_slice(&e.range.end.wrapping_sub(e.range.start).to_le_bytes());
    }
}

/// Decodes the minishard index of `minishard` from its stored bytes, returning the entries in
/// stored order with ranges relative to the end of the shard index.
///
/// Fails on gzip errors, a decoded length that is not a multiple of 24 or a range whose end
/// passes 2^64. Start offsets wrap like the writer's deltas.
pub fn decode_minishard_index(
    encoded: &[u8],
    encoding: Encoding,
    minishard: u64,
) -> Result<Vec<MinishardEntry>, ShardedError> {
    decode_limited(encoded, encoding, minishard, MAX_DECODED_MINISHARD_INDEX_BYTES)
}

fn decode_limited(
    encoded: &[u8],
    encoding: Encoding,
    minishard: u64,
    limit: usize,
) -> Result<Vec<MinishardEntry>, ShardedError> {
    let gunzipped;
    let raw = match encoding {
        Encoding::Raw => encoded,
        Encoding::Gzip => {
            gunzipped = gunzip_limited(encoded, limit)
                .map_err(|source| ShardedError::MinishardIndexEncoding { minishard, source })?;
            &gunzipped[..]
        }
    };
    if raw.len() % 24 != 0 {
        return Err(ShardedError::MinishardIndexLength { minishard, len: raw.len() as u64 });
    }
    let n = raw.len() / 24;
    let (ids, rest) = raw.split_at(n * 8);
    let (starts, sizes) = rest.split_at(n * 8);
    let mut entries = Vec::with_capacity(n);
    let (mut chunk_id, mut prev_end) = (0u64, 0u64);
    for ((id_delta, start_delta), size) in words(ids).zip(words(starts)).zip(words(sizes)) {
        chunk_id = chunk_id.wrapping_add(id_delta);
        let start = prev_end.wrapping_add(start_delta);
        let end = start.checked_add(size).ok_or(ShardedError::InvalidChunkRange { minishard, chunk_id })?;
        entries.push(MinishardEntry { chunk_id, range: start..end });
        prev_end = end;
    }
    Ok(entries)
}

fn words(bytes: &[u8]) -> impl Iterator<Item = u64> + '_ {
    bytes.chunks_exact(8).map(le64)
}

/// Little-endian u64 of up to 8 bytes (missing high bytes read as 0), without a fallible
/// conversion.
pub(super) fn le64(b: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (w, &v) in word.iter_mut().zip(b) {
        *w = v;
    }
    u64::from_le_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;

    fn entry(chunk_id: u64, range: Range<u64>) -> MinishardEntry {
        MinishardEntry { chunk_id, range }
    }

    fn raw(entries: &[MinishardEntry]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_minishard_index(entries, Encoding::Raw, 6, &mut out).unwrap();
        out
    }

    #[test]
    fn encodes_tensorstore_unit_vectors() {
        assert!(raw(&[]).is_empty());
        let single = [entry(0x0123456789abcdef, 0x11..0x23)];
        assert_eq!(raw(&single), hex("efcdab8967452301 1100000000000000 1200000000000000"));
        let two = [entry(1, 3..10), entry(7, 12..15)];
        let expected = hex("0100000000000000 0600000000000000 0300000000000000 0200000000000000 \
             0700000000000000 0300000000000000");
        assert_eq!(raw(&two), expected);
        assert_eq!(decode_minishard_index(&expected, Encoding::Raw, 0).unwrap(), two);
        assert_eq!(decode_minishard_index(&raw(&single), Encoding::Raw, 0).unwrap(), single);
    }

    #[test]
    fn round_trips_non_monotonic_order_through_wrapping_deltas() {
        let entries = [entry(9, 100..130), entry(3, 0..10), entry(u64::MAX, 40..40), entry(0, 10..40)];
        for encoding in [Encoding::Raw, Encoding::Gzip] {
            let mut out = vec![0xaa];
            encode_minishard_index(&entries, encoding, 9, &mut out).unwrap();
            assert_eq!(out[0], 0xaa, "appends");
            assert_eq!(decode_minishard_index(&out[1..], encoding, 0).unwrap(), entries);
        }
    }

    #[test]
    fn rejects_malformed_indexes() {
        let good = raw(&[entry(1, 3..10)]);
        let err = decode_minishard_index(&good[..23], Encoding::Raw, 5).unwrap_err();
        assert!(matches!(err, ShardedError::MinishardIndexLength { minishard: 5, len: 23 }), "{err}");
        assert_eq!(err.code(), "SHARD_CORRUPT");

        let err = decode_minishard_index(&good, Encoding::Gzip, 2).unwrap_err();
        assert!(matches!(err, ShardedError::MinishardIndexEncoding { minishard: 2, .. }), "{err}");

        let overflow = raw(&[entry(4, u64::MAX - 1..u64::MAX)]);
        let mut bad = overflow.clone();
        bad[16..24].copy_from_slice(&2u64.to_le_bytes());
        let err = decode_minishard_index(&bad, Encoding::Raw, 1).unwrap_err();
        assert!(matches!(err, ShardedError::InvalidChunkRange { minishard: 1, chunk_id: 4 }), "{err}");
    }

    #[test]
    fn bounds_gzip_bombs() {
        let mut bomb = Vec::new();
        gzip_into(&[0u8; 24 * 1000], 9, &mut bomb).unwrap();
        let err = decode_limited(&bomb, Encoding::Gzip, 3, 24 * 999).unwrap_err();
        assert!(matches!(err, ShardedError::MinishardIndexEncoding { minishard: 3, .. }), "{err}");
        assert_eq!(decode_limited(&bomb, Encoding::Gzip, 3, 24 * 1000).unwrap().len(), 1000);
    }
}
