//! The sharding spec (docs/formats/sharded.md §2.1), chunk id → (shard, minishard) (sharded.md §2.3) and
//! shard file names (sharded.md §2.4).

use super::ShardedError;
use super::hash::murmurhash3_x86_128_low64;

/// Hash applied to the preshifted chunk id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashFunction {
    /// The id itself; the only hash that makes shards spatial boxes (and the only one DVID's
    /// exporter implements).
    Identity,
    /// MurmurHash3_x86_128, seed 0, over the 8 little-endian id bytes; low 64 bits.
    MurmurHash3X86_128,
}

impl HashFunction {
    /// Name used in the sharding spec JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            HashFunction::Identity => "identity",
            HashFunction::MurmurHash3X86_128 => "murmurhash3_x86_128",
        }
    }

    /// Parses the sharding spec JSON name.
    pub fn from_name(name: &str) -> Result<Self, ShardedError> {
        match name {
            "identity" => Ok(HashFunction::Identity),
            "murmurhash3_x86_128" => Ok(HashFunction::MurmurHash3X86_128),
            other => Err(ShardedError::InvalidSpec(format!("unknown hash function {other:?}"))),
        }
    }

    /// Hashes a preshifted chunk id.
    pub fn apply(self, v: u64) -> u64 {
        match self {
            HashFunction::Identity => v,
            HashFunction::MurmurHash3X86_128 => murmurhash3_x86_128_low64(v),
        }
    }
}

/// Encoding of chunk payloads or of minishard indexes (sharded.md §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// Bytes as they are; the default when the spec omits the key.
    #[default]
    Raw,
    /// One gzip member per item.
    Gzip,
}

impl Encoding {
    /// Name used in the sharding spec JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Raw => "raw",
            Encoding::Gzip => "gzip",
        }
    }

    /// Parses the sharding spec JSON name; `None` (key absent) means raw.
    pub fn from_name(name: Option<&str>) -> Result<Self, ShardedError> {
        match name {
            None | Some("raw") => Ok(Encoding::Raw),
            Some("gzip") => Ok(Encoding::Gzip),
            Some(other) => Err(ShardedError::InvalidSpec(format!("unknown encoding {other:?}"))),
        }
    }
}

/// A `neuroglancer_uint64_sharded_v1` sharding spec.
///
/// Methods other than [`ShardingSpec::validate`] assume a valid spec but never panic on an
/// invalid one (shifts of 64 or more bits give 0, masks of 64 or more bits are all ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShardingSpec {
    /// Low chunk-id bits dropped before hashing, 0..=64.
    pub preshift_bits: u32,
    /// Hash of the preshifted id.
    pub hash: HashFunction,
    /// log2 of the minishards per shard, 0..=32.
    pub minishard_bits: u32,
    /// log2 of the number of shards, 0..=64 − `minishard_bits`.
    pub shard_bits: u32,
    /// Encoding of each minishard index.
    pub minishard_index_encoding: Encoding,
    /// Encoding of each chunk payload.
    pub data_encoding: Encoding,
}

/// Where a chunk is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChunkLocation {
    /// Shard number (selects the file).
    pub shard: u64,
    /// Minishard within the shard.
    pub minishard: u64,
}

/// `2^n − 1`, all ones for `n >= 64`.
pub(crate) fn low_mask(n: u32) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// `v >> n`, 0 for `n >= 64` (where Rust's shift would be undefined).
pub(crate) fn shr(v: u64, n: u32) -> u64 {
    v.checked_shr(n).unwrap_or(0)
}

impl ShardingSpec {
    /// Identity-hash spec with raw minishard indexes and raw data.
    pub fn identity(preshift_bits: u32, minishard_bits: u32, shard_bits: u32) -> Self {
        ShardingSpec {
            preshift_bits,
            hash: HashFunction::Identity,
            minishard_bits,
            shard_bits,
            minishard_index_encoding: Encoding::Raw,
            data_encoding: Encoding::Raw,
        }
    }

    /// Checks the ranges TensorStore enforces when parsing a spec (sharded.md §2.1).
    pub fn validate(&self) -> Result<(), ShardedError> {
        let bad = |m: String| Err(ShardedError::InvalidSpec(m));
        if self.preshift_bits > 64 {
            return bad(format!("preshift_bits {} is not in 0..=64", self.preshift_bits));
        }
        if self.minishard_bits > 32 {
            return bad(format!("minishard_bits {} is not in 0..=32", self.minishard_bits));
        }
        if self.shard_bits > 64 - self.minishard_bits {
            return bad(format!(
                "shard_bits {} is not in 0..={} (64 - minishard_bits)",
                self.shard_bits,
                64 - self.minishard_bits
            ));
        }
        Ok(())
    }

    /// Shard and minishard holding `chunk_id` (sharded.md §2.3).
    pub fn locate(&self, chunk_id: u64) -> ChunkLocation {
        let hashed = self.hash.apply(shr(chunk_id, self.preshift_bits));
        let low = hashed & low_mask(self.minishard_bits.saturating_add(self.shard_bits));
        ChunkLocation {
            shard: shr(low, self.minishard_bits) & low_mask(self.shard_bits),
            minishard: low & low_mask(self.minishard_bits),
        }
    }

    /// Number of shards, `2^shard_bits` (saturating at `u64::MAX` for 64 bits).
    pub fn num_shards(&self) -> u64 {
        low_mask(self.shard_bits).saturating_add(1)
    }

    /// Number of minishards per shard, `2^minishard_bits`.
    pub fn num_minishards(&self) -> u64 {
        low_mask(self.minishard_bits).saturating_add(1)
    }

    /// Size of the shard index, `16 · 2^minishard_bits` bytes; this is also the file offset H
    /// that minishard-index and chunk offsets are relative to.
    pub fn shard_index_bytes(&self) -> u64 {
        self.num_minishards().saturating_mul(16)
    }

    /// File name of `shard` (sharded.md §2.4): lowercase hex zero-padded to `ceil(shard_bits / 4)` digits,
    /// plus `.shard`; `0.shard` when `shard_bits` is 0.
    pub fn shard_file_name(&self, shard: u64) -> String {
        let width = self.shard_bits.div_ceil(4) as usize;
        format!("{shard:0width$x}.shard")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_tensorstore_ranges() {
        for (p, m, s) in [(0, 0, 0), (64, 32, 32), (0, 0, 64), (9, 6, 19)] {
            ShardingSpec::identity(p, m, s).validate().unwrap();
        }
        for (p, m, s) in [(65, 0, 0), (0, 33, 0), (0, 32, 33), (0, 1, 64)] {
            let err = ShardingSpec::identity(p, m, s).validate().unwrap_err();
            assert_eq!(err.code(), "SHARD_SPEC_INVALID", "{p} {m} {s}");
        }
    }

    #[test]
    fn locates_murmur_and_identity_vectors() {
        let murmur =
            ShardingSpec { hash: HashFunction::MurmurHash3X86_128, ..ShardingSpec::identity(0, 2, 3) };
        let loc = |spec: &ShardingSpec, id| {
            let l = spec.locate(id);
            (l.shard, l.minishard)
        };
        assert_eq!(loc(&murmur, 0), (0, 1));
        assert_eq!(loc(&murmur, 1), (6, 2));
        assert_eq!(loc(&murmur, 42), (6, 2));
        assert_eq!(loc(&ShardingSpec::identity(0, 2, 3), 42), (2, 2));
    }

    #[test]
    fn locates_mcns_vectors() {
        let s0 = ShardingSpec::identity(9, 6, 19);
        let s1 = ShardingSpec::identity(9, 6, 16);
        let at = |spec: &ShardingSpec, id| {
            let l = spec.locate(id);
            (l.shard, l.minishard, spec.shard_file_name(l.shard))
        };
        assert_eq!(at(&s0, 0x7f4f7c7), (4073, 59, "00fe9.shard".to_string()));
        assert_eq!(at(&s0, 0x2c16ad3fa), (361173, 41, "582d5.shard".to_string()));
        assert_eq!(at(&s0, 0x35), (0, 0, "00000.shard".to_string()));
        // s1's grid is (10,10,11) bits; the same grid cell has a different id there.
        let g = crate::precomputed::ChunkGrid::new([47044, 39159, 67288], [64; 3]).unwrap();
        let id = g.chunk_id([509, 413, 469]).unwrap();
        assert_eq!(at(&s1, id), (4073, 59, "0fe9.shard".to_string()));
    }

    #[test]
    fn locates_at_the_bit_extremes() {
        let all_preshift = ShardingSpec::identity(64, 0, 0);
        assert_eq!(all_preshift.locate(u64::MAX), ChunkLocation { shard: 0, minishard: 0 });
        let all_shard = ShardingSpec::identity(0, 0, 64);
        assert_eq!(all_shard.locate(u64::MAX).shard, u64::MAX);
        assert_eq!(all_shard.num_shards(), u64::MAX);
        let split = ShardingSpec::identity(0, 32, 32);
        assert_eq!(
            split.locate(0x1234_5678_9abc_def0),
            ChunkLocation { shard: 0x1234_5678, minishard: 0x9abc_def0 }
        );
        // Invalid specs do not panic.
        let silly = ShardingSpec::identity(200, 100, 100);
        assert_eq!(silly.locate(7), ChunkLocation { shard: 0, minishard: 0 });
    }

    #[test]
    fn names_shard_files() {
        let name = |s, shard| ShardingSpec::identity(0, 0, s).shard_file_name(shard);
        assert_eq!(name(0, 0), "0.shard");
        assert_eq!(name(1, 1), "1.shard");
        assert_eq!(name(4, 0xf), "f.shard");
        assert_eq!(name(5, 3), "03.shard");
        assert_eq!(name(16, 0xfe9), "0fe9.shard");
        assert_eq!(name(19, 0xfe9), "00fe9.shard");
        assert_eq!(name(64, u64::MAX), "ffffffffffffffff.shard");
    }

    #[test]
    fn sizes_the_shard_index() {
        assert_eq!(ShardingSpec::identity(0, 0, 0).shard_index_bytes(), 16);
        assert_eq!(ShardingSpec::identity(0, 6, 0).shard_index_bytes(), 1024);
        assert_eq!(ShardingSpec::identity(0, 32, 0).shard_index_bytes(), 16 << 32);
    }

    #[test]
    fn parses_json_names() {
        assert_eq!(Encoding::from_name(None).unwrap(), Encoding::Raw);
        assert_eq!(Encoding::from_name(Some("gzip")).unwrap(), Encoding::Gzip);
        assert_eq!(Encoding::from_name(Some("zstd")).unwrap_err().code(), "SHARD_SPEC_INVALID");
        for h in [HashFunction::Identity, HashFunction::MurmurHash3X86_128] {
            assert_eq!(HashFunction::from_name(h.as_str()).unwrap(), h);
        }
        assert!(HashFunction::from_name("sha1").is_err());
    }
}
