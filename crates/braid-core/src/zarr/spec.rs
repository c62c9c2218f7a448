//! What a `sharding_indexed` shard holds: inner chunk shape, chunks per shard, label type, the
//! inner codec chain and where the index sits. Shapes and positions are braid's `[x, y, z]`;
//! the zarr metadata lists them reversed (see the module docs).

use super::ZarrError;
pub use crate::compress::DEFAULT_ZSTD_LEVEL;
use crate::compress::check_gzip_level;

/// Inner chunk shape braid writes unless told otherwise (one DVID block).
pub const DEFAULT_CHUNK_SHAPE: [u32; 3] = [64, 64, 64];

/// Largest decoded inner chunk (1 GiB): also the decompression-bomb bound, since a chunk
/// always decodes to exactly [`ShardSpec::chunk_bytes`].
pub const MAX_CHUNK_BYTES: usize = 1 << 30;

/// Most inner chunks one shard may have (2^24, a 256 MiB index): the writer keeps the whole
/// index in memory and readers allocate it before checking its checksum.
pub const MAX_CHUNKS_PER_SHARD: usize = 1 << 24;

/// Unsigned integer voxel type, stored little-endian (`bytes` codec, `endian: "little"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelType {
    /// `uint8`.
    U8,
    /// `uint16`.
    U16,
    /// `uint32`.
    U32,
    /// `uint64`.
    U64,
}

impl LabelType {
    /// Bytes per voxel.
    pub fn size(self) -> usize {
        match self {
            LabelType::U8 => 1,
            LabelType::U16 => 2,
            LabelType::U32 => 4,
            LabelType::U64 => 8,
        }
    }

    /// The zarr v3 `data_type` name.
    pub fn as_str(self) -> &'static str {
        match self {
            LabelType::U8 => "uint8",
            LabelType::U16 => "uint16",
            LabelType::U32 => "uint32",
            LabelType::U64 => "uint64",
        }
    }

    /// Parses a zarr v3 `data_type` name; other zarr types are `ZARR_UNSUPPORTED`.
    pub fn from_name(name: &str) -> Result<Self, ZarrError> {
        match name {
            "uint8" => Ok(LabelType::U8),
            "uint16" => Ok(LabelType::U16),
            "uint32" => Ok(LabelType::U32),
            "uint64" => Ok(LabelType::U64),
            other => Err(ZarrError::Unsupported(format!("data type {other:?} (labels are uint8/16/32/64)"))),
        }
    }
}

/// The bytes-to-bytes codec after `bytes` in the inner chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// `bytes` alone: inner chunks are stored as raw little-endian voxels.
    None,
    /// `zstd` with a level and zarr's `checksum` flag (zarr-python's default is
    /// `checksum: false`). The pure-Rust backend compresses at one speed whatever the level.
    Zstd {
        /// libzstd level, -131072..=22 (0 means libzstd's default, 3).
        level: i32,
        /// Whether frames carry zstd's content checksum.
        checksum: bool,
    },
    /// `gzip` (one RFC 1952 member per chunk) at level 0..=9.
    Gzip {
        /// deflate level.
        level: u32,
    },
}

impl Compression {
    /// zstd at [`DEFAULT_ZSTD_LEVEL`] without content checksum, as zarr-python writes by default.
    pub const DEFAULT: Compression = Compression::Zstd { level: DEFAULT_ZSTD_LEVEL, checksum: false };

    /// Parses a codec name (`"none"`, `"zstd"`, `"gzip"`) with its level; `blosc` and the rest
    /// are `ZARR_UNSUPPORTED`.
    pub fn from_name(name: &str, level: i32, checksum: bool) -> Result<Self, ZarrError> {
        let compression = match name {
            "none" | "bytes" => Compression::None,
            "zstd" => Compression::Zstd { level, checksum },
            "gzip" => Compression::Gzip {
                level: u32::try_from(level)
                    .map_err(|_| ZarrError::InvalidArgument(format!("gzip level {level} is not 0..=9")))?,
            },
            other => {
                return Err(ZarrError::Unsupported(format!(
                    "inner codec {other:?} (braid writes bytes, bytes+zstd or bytes+gzip)"
                )));
            }
        };
        compression.validate()?;
        Ok(compression)
    }

    fn validate(self) -> Result<(), ZarrError> {
        match self {
            Compression::None => Ok(()),
            Compression::Zstd { level, .. } if !(-(1 << 17)..=22).contains(&level) => {
                Err(ZarrError::InvalidArgument(format!("zstd level {level} is not -131072..=22")))
            }
            Compression::Zstd { .. } => Ok(()),
            Compression::Gzip { level } => Ok(check_gzip_level(level)?),
        }
    }
}

/// Where the shard index is stored in the shard file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IndexLocation {
    /// First `index_bytes` of the file; chunk offsets count the index.
    Start,
    /// Last `index_bytes` of the file (the spec's default and what braid writes).
    #[default]
    End,
}

impl IndexLocation {
    /// The `index_location` value.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexLocation::Start => "start",
            IndexLocation::End => "end",
        }
    }

    /// Parses an `index_location` value.
    pub fn from_name(name: &str) -> Result<Self, ZarrError> {
        match name {
            "start" => Ok(IndexLocation::Start),
            "end" => Ok(IndexLocation::End),
            other => Err(ZarrError::InvalidArgument(format!("index_location {other:?} is not start or end"))),
        }
    }
}

/// One shard's layout and codecs: the `sharding_indexed` codec configuration plus the data type
/// it is applied to. Fill value is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShardSpec {
    /// Inner chunk shape `[x, y, z]` (zarr `chunk_shape` is `[z, y, x]`).
    pub chunk_shape: [u32; 3],
    /// Inner chunks per shard along `[x, y, z]`; the shard shape is their product with
    /// `chunk_shape`.
    pub chunks_per_shard: [u32; 3],
    /// Voxel type.
    pub data_type: LabelType,
    /// Codec after `bytes` in the inner chain.
    pub compression: Compression,
    /// Where the index goes.
    pub index_location: IndexLocation,
    /// Whether the index codecs are `bytes` + `crc32c` (zarr-python's default; braid always
    /// writes it) or `bytes` alone.
    pub index_checksum: bool,
}

impl ShardSpec {
    /// A spec with zstd ([`Compression::DEFAULT`]), the index at the end and its crc32c.
    pub fn new(chunk_shape: [u32; 3], chunks_per_shard: [u32; 3], data_type: LabelType) -> Self {
        ShardSpec {
            chunk_shape,
            chunks_per_shard,
            data_type,
            compression: Compression::DEFAULT,
            index_location: IndexLocation::End,
            index_checksum: true,
        }
    }

    /// Checks every field against the limits braid's writer and reader enforce.
    pub fn validate(&self) -> Result<(), ZarrError> {
        let bad = |m: String| Err(ZarrError::InvalidArgument(m));
        if self.chunk_shape.contains(&0) {
            return bad(format!("inner chunk shape {:?} has a zero axis", self.chunk_shape));
        }
        if self.chunks_per_shard.contains(&0) {
            return bad(format!("chunks per shard {:?} has a zero axis", self.chunks_per_shard));
        }
        let voxels = self.chunk_shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d as usize));
        if voxels.and_then(|v| v.checked_mul(self.data_type.size())).is_none_or(|b| b > MAX_CHUNK_BYTES) {
            return bad(format!(
                "an inner chunk of {:?} {} voxels exceeds {MAX_CHUNK_BYTES} bytes",
                self.chunk_shape,
                self.data_type.as_str()
            ));
        }
        let chunks = self.chunks_per_shard.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d as usize));
        if chunks.is_none_or(|c| c > MAX_CHUNKS_PER_SHARD) {
            return bad(format!(
                "{:?} inner chunks per shard exceed {MAX_CHUNKS_PER_SHARD}",
                self.chunks_per_shard
            ));
        }
        if (0..3).any(|a| {
            u64::from(self.chunk_shape[a]) * u64::from(self.chunks_per_shard[a]) > u64::from(u32::MAX)
        }) {
            return bad("a shard axis exceeds 2^32 - 1 voxels".into());
        }
        self.compression.validate()
    }

    /// Voxels per inner chunk.
    pub fn chunk_voxels(&self) -> usize {
        self.chunk_shape.iter().map(|&d| d as usize).product()
    }

    /// Decoded bytes per inner chunk (edge chunks included: zarr pads them).
    pub fn chunk_bytes(&self) -> usize {
        self.chunk_voxels() * self.data_type.size()
    }

    /// Inner chunks per shard.
    pub fn chunk_count(&self) -> usize {
        self.chunks_per_shard.iter().map(|&d| d as usize).product()
    }

    /// Shard shape in voxels, `[x, y, z]`.
    pub fn shard_shape(&self) -> [u32; 3] {
        [0, 1, 2].map(|a| self.chunk_shape[a] * self.chunks_per_shard[a])
    }

    /// Encoded index size: 16 bytes per inner chunk, plus 4 for the crc32c.
    pub fn index_bytes(&self) -> u64 {
        16 * self.chunk_count() as u64 + if self.index_checksum { 4 } else { 0 }
    }

    /// Position in the index of inner chunk `position` (`[x, y, z]` within the shard): C order
    /// over zarr's `[z, y, x]` grid, i.e. x fastest. `None` outside the shard's chunk grid.
    pub fn chunk_index(&self, position: [u32; 3]) -> Option<usize> {
        let [nx, ny, nz] = self.chunks_per_shard.map(|n| n as usize);
        let [x, y, z] = position.map(|p| p as usize);
        (x < nx && y < ny && z < nz).then(|| x + nx * (y + ny * z))
    }

    /// Inverse of [`ShardSpec::chunk_index`]; `index` must be below [`ShardSpec::chunk_count`].
    pub fn chunk_position(&self, index: usize) -> [u32; 3] {
        let [nx, ny, _] = self.chunks_per_shard.map(|n| n as usize);
        [index % nx, (index / nx) % ny, index / (nx * ny)].map(|v| v as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_c_order_positions() {
        let spec = ShardSpec::new([4, 3, 2], [2, 3, 4], LabelType::U16);
        spec.validate().unwrap();
        assert_eq!(spec.chunk_voxels(), 24);
        assert_eq!(spec.chunk_bytes(), 48);
        assert_eq!(spec.chunk_count(), 24);
        assert_eq!(spec.shard_shape(), [8, 9, 8]);
        assert_eq!(spec.index_bytes(), 16 * 24 + 4);
        assert_eq!(spec.chunk_index([1, 0, 0]), Some(1));
        assert_eq!(spec.chunk_index([0, 1, 0]), Some(2));
        assert_eq!(spec.chunk_index([0, 0, 1]), Some(6));
        assert_eq!(spec.chunk_index([1, 2, 3]), Some(23));
        assert_eq!(spec.chunk_index([2, 0, 0]), None);
        for i in 0..spec.chunk_count() {
            assert_eq!(spec.chunk_index(spec.chunk_position(i)), Some(i));
        }
        let unchecked = ShardSpec { index_checksum: false, ..spec };
        assert_eq!(unchecked.index_bytes(), 16 * 24);
    }

    #[test]
    fn rejects_specs_outside_the_limits() {
        let ok = ShardSpec::new(DEFAULT_CHUNK_SHAPE, [16, 16, 16], LabelType::U64);
        ok.validate().unwrap();
        let bad = [
            ShardSpec { chunk_shape: [0, 1, 1], ..ok },
            ShardSpec { chunks_per_shard: [1, 0, 1], ..ok },
            ShardSpec { chunk_shape: [1024, 1024, 1024], ..ok },
            ShardSpec { chunks_per_shard: [512, 512, 128], ..ok },
            ShardSpec { chunk_shape: [1 << 20, 1, 1], chunks_per_shard: [1 << 12, 1, 1], ..ok },
            ShardSpec { compression: Compression::Zstd { level: 23, checksum: false }, ..ok },
            ShardSpec { compression: Compression::Gzip { level: 10 }, ..ok },
        ];
        for spec in bad {
            assert_eq!(spec.validate().unwrap_err().code(), "INVALID_ARGUMENT", "{spec:?}");
        }
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_unsupported() {
        for t in [LabelType::U8, LabelType::U16, LabelType::U32, LabelType::U64] {
            assert_eq!(LabelType::from_name(t.as_str()).unwrap(), t);
        }
        assert_eq!(LabelType::from_name("float32").unwrap_err().code(), "ZARR_UNSUPPORTED");
        assert_eq!(Compression::from_name("blosc", 5, false).unwrap_err().code(), "ZARR_UNSUPPORTED");
        assert_eq!(Compression::from_name("gzip", -1, false).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(
            Compression::from_name("zstd", 7, true).unwrap(),
            Compression::Zstd { level: 7, checksum: true }
        );
        assert_eq!(Compression::from_name("none", 0, false).unwrap(), Compression::None);
        for l in [IndexLocation::Start, IndexLocation::End] {
            assert_eq!(IndexLocation::from_name(l.as_str()).unwrap(), l);
        }
        assert_eq!(IndexLocation::from_name("middle").unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
