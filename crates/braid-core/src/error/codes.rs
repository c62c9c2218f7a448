//! The one list of the codes [`Error::code`](super::Error::code) can return. The TypeScript
//! layer's `BraidErrorCode` is tested against it through the bindings' `errorCodes()`.

/// Every code a braid-core error can carry, sorted. The test below fails, or stops compiling,
/// when an error variant is added whose code is not listed or a listed code is never raised.
pub const ERROR_CODES: &[&str] = &[
    "ARROW_CORRUPT",
    "ARROW_INVALID_RECORD",
    "ARROW_SCHEMA_MISMATCH",
    "ARROW_TRUNCATED",
    "ARROW_UNSUPPORTED",
    "CHUNK_NOT_IN_SHARD",
    "CHUNK_OUT_OF_ORDER",
    "CSEG_CORRUPT",
    "CSEG_TOO_LARGE",
    "CSV_INDEX_MISMATCH",
    "CSV_INVALID",
    "DUPLICATE_CHUNK",
    "DVID_CORRUPT",
    "DVID_MAPPING_MISMATCH",
    "DVID_TRUNCATED",
    "GZIP_CORRUPT",
    "INVALID_ARGUMENT",
    "SHARD_CORRUPT",
    "SHARD_SPEC_INVALID",
    "SIZE_MISMATCH",
    "TOO_LARGE",
    "ZARR_CORRUPT",
    "ZARR_UNSUPPORTED",
    "ZSTD_CORRUPT",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::ERROR_CODES;
    use crate::Error;
    use crate::compress::CompressError;
    use crate::downsample::DownsampleError;
    use crate::dvid::block::BlockError;
    use crate::dvid::export::ExportError;
    use crate::precomputed::GridError;
    use crate::precomputed::compressed_segmentation::CsegError;
    use crate::precomputed::sharded::ShardedError;
    use crate::zarr::ZarrError;

    /// Example values of every variant of `$ty`, each checked to be the variant it is listed
    /// under. The generated exhaustive `match` stops compiling when `$ty` gains a variant that
    /// is not listed here, so no variant can escape the code check.
    macro_rules! every_variant {
        ($ty:ident { $($variant:ident $fields:tt => $values:expr,)* }) => {{
            #[allow(dead_code)]
            fn listed(e: &$ty) {
                match e {
                    $($ty::$variant $fields => {})*
                }
            }
            let mut all: Vec<$ty> = Vec::new();
            $(
                let values: Vec<$ty> = $values.into_iter().collect();
                assert!(!values.is_empty(), concat!(stringify!($variant), " has no example"));
                for v in &values {
                    assert!(
                        matches!(v, $ty::$variant $fields),
                        concat!("an example listed under ", stringify!($variant), " is another variant"),
                    );
                }
                all.extend(values);
            )*
            all
        }};
    }

    fn text() -> String {
        "x".into()
    }

    fn compress() -> Vec<CompressError> {
        every_variant!(CompressError {
            GzipCorrupt(_) => [CompressError::GzipCorrupt(text())],
            ZstdCorrupt(_) => [CompressError::ZstdCorrupt(text())],
            SizeMismatch { .. } => [CompressError::SizeMismatch { expected: 1, actual: 2 }],
            TooLarge { .. } => [CompressError::TooLarge { limit: 1 }],
            InvalidLevel(_) => [CompressError::InvalidLevel(10)],
        })
    }

    fn dvid_block() -> Vec<BlockError> {
        every_variant!(BlockError {
            Truncated { .. } => [BlockError::Truncated { section: "header", offset: 0, needed: 16, available: 0 }],
            Corrupt(_) => [BlockError::Corrupt(text())],
            ValueOutOfRange { .. } => [BlockError::ValueOutOfRange { sub_block: 0, value: 3, palette_len: 3 }],
            MappingLength { .. } => [BlockError::MappingLength { expected: 2, actual: 1 }],
            Unencodable(_) => [BlockError::Unencodable(text())],
        })
    }

    fn dvid_export() -> Vec<ExportError> {
        every_variant!(ExportError {
            Corrupt(_) => [ExportError::Corrupt(text())],
            Truncated { .. } => [ExportError::Truncated { context: "schema", needed: 8, available: 0 }],
            SchemaMismatch { .. } => [ExportError::SchemaMismatch { field: text(), reason: text() }],
            InvalidRecord { .. } => [ExportError::InvalidRecord { row: 0, reason: text() }],
            Unsupported(_) => [ExportError::Unsupported(text())],
            CsvInvalid { .. } => [ExportError::CsvInvalid { line: 1, reason: text() }],
            IndexMismatch { .. } => [ExportError::IndexMismatch { row: 0, reason: text() }],
            ChunkNotInShard { .. } => [ExportError::ChunkNotInShard { chunk: [0, 0, 0] }],
            InvalidArgument(_) => [ExportError::InvalidArgument(text())],
        })
    }

    fn cseg() -> Vec<CsegError> {
        every_variant!(CsegError {
            Corrupt(_) => [CsegError::Corrupt(text())],
            InvalidParameters(_) => [CsegError::InvalidParameters(text())],
            TooLarge { .. } => [CsegError::TooLarge { words: 1 << 25 }],
        })
    }

    fn grid() -> Vec<GridError> {
        let shape = [1, 1, 1];
        every_variant!(GridError {
            ZeroChunkAxis { .. } => [GridError::ZeroChunkAxis { chunk: [0, 1, 1] }],
            CellOutside { .. } => [GridError::CellOutside { cell: [1, 0, 0], shape }],
            IdTooWide { .. } => [GridError::IdTooWide { id: 1, bits: 0 }],
            IdOutside { .. } => [GridError::IdOutside { id: 1, cell: [1, 0, 0], shape }],
            TooManyBits { .. } => [GridError::TooManyBits { shape, bits: 65 }],
        })
    }

    fn sharded() -> Vec<ShardedError> {
        let (minishard, chunk_id, start, end, file_len) = (0, 1, 2, 3, 1);
        every_variant!(ShardedError {
            ShardIndexTruncated { .. } => [ShardedError::ShardIndexTruncated { expected: 16, actual: 0 }],
            InvalidIndexRange { .. } => [ShardedError::InvalidIndexRange { minishard, start: end, end: start }],
            MinishardIndexPastEnd { .. } => [ShardedError::MinishardIndexPastEnd { minishard, start, end, file_len }],
            MinishardIndexLength { .. } => [ShardedError::MinishardIndexLength { minishard, len: 5 }],
            MinishardIndexEncoding { .. } => compress().into_iter().map(|source| ShardedError::MinishardIndexEncoding { minishard, source }),
            InvalidChunkRange { .. } => [ShardedError::InvalidChunkRange { minishard, chunk_id }],
            DuplicateIndexEntry { .. } => [ShardedError::DuplicateIndexEntry { minishard, chunk_id }],
            ChunkPastEnd { .. } => [ShardedError::ChunkPastEnd { chunk_id, start, end, file_len }],
            ChunkEncoding { .. } => compress().into_iter().map(|source| ShardedError::ChunkEncoding { chunk_id, source }),
            InvalidSpec(_) => [ShardedError::InvalidSpec(text())],
            OutOfOrder { .. } => [ShardedError::OutOfOrder { chunk_id, minishard, previous_chunk_id: 2, previous_minishard: 0 }],
            DuplicateChunk { .. } => [ShardedError::DuplicateChunk { chunk_id }],
            ChunkNotInShard { .. } => [ShardedError::ChunkNotInShard { chunk_id, chunk_shard: 1, shard: 0 }],
            Compress(_) => compress().into_iter().map(ShardedError::Compress),
            InvalidArgument(_) => [ShardedError::InvalidArgument(text())],
        })
    }

    fn downsample() -> Vec<DownsampleError> {
        every_variant!(DownsampleError {
            InvalidFactor { .. } => [DownsampleError::InvalidFactor { axis: 0, factor: 5 }],
            InvalidDomain(_) => [DownsampleError::InvalidDomain(text())],
            LengthMismatch { .. } => [DownsampleError::LengthMismatch { what: "input", len: 1, expected: 2 }],
        })
    }

    fn zarr() -> Vec<ZarrError> {
        let chunk = [0, 0, 0];
        let corrupt = CompressError::ZstdCorrupt(text());
        every_variant!(ZarrError {
            IndexTruncated { .. } => [ZarrError::IndexTruncated { expected: 16, actual: 0 }],
            IndexChecksum { .. } => [ZarrError::IndexChecksum { stored: 1, computed: 2 }],
            InvalidIndexEntry { .. } => [ZarrError::InvalidIndexEntry { chunk, offset: 1, nbytes: u64::MAX }],
            ChunkPastEnd { .. } => [ZarrError::ChunkPastEnd { chunk, start: 0, end: 9, file_len: 8 }],
            ChunkCorrupt { .. } => [ZarrError::ChunkCorrupt { chunk, source: corrupt }],
            ChunkLength { .. } => [ZarrError::ChunkLength { chunk, expected: 8, actual: 7 }],
            DuplicateChunk { .. } => [ZarrError::DuplicateChunk { chunk }],
            Unsupported(_) => [ZarrError::Unsupported(text())],
            Compress(_) => compress().into_iter().map(ZarrError::from),
            InvalidArgument(_) => [ZarrError::InvalidArgument(text())],
        })
    }

    fn every_error() -> Vec<Error> {
        every_variant!(Error {
            DvidBlock(_) => dvid_block().into_iter().map(Error::from),
            DvidExport(_) => dvid_export().into_iter().map(Error::from),
            Cseg(_) => cseg().into_iter().map(Error::from),
            Compress(_) => compress().into_iter().map(Error::from),
            Grid(_) => grid().into_iter().map(Error::from),
            Sharded(_) => sharded().into_iter().map(Error::from),
            Downsample(_) => downsample().into_iter().map(Error::from),
            Zarr(_) => zarr().into_iter().map(Error::from),
            InvalidArgument(_) => [Error::InvalidArgument(text())],
            // Carries the code of what failed, so it adds none of its own.
            InChunk { .. } => [Error::in_chunk(0, Error::InvalidArgument(text()))],
        })
    }

    #[test]
    fn the_list_is_sorted_and_unique() {
        assert!(ERROR_CODES.windows(2).all(|w| w[0] < w[1]), "{ERROR_CODES:?}");
        assert!(
            ERROR_CODES
                .iter()
                .all(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        );
    }

    #[test]
    fn every_variant_raises_a_listed_code_and_every_listed_code_is_raised() {
        let raised: BTreeSet<&str> = every_error().iter().map(Error::code).collect();
        let listed: BTreeSet<&str> = ERROR_CODES.iter().copied().collect();
        assert_eq!(
            raised.difference(&listed).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "codes raised but missing from ERROR_CODES"
        );
        assert_eq!(
            listed.difference(&raised).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "codes in ERROR_CODES that no error raises"
        );
    }
}
