//! zarr v3 metadata JSON for braid's arrays, written the way zarr-python 3 writes it (same
//! keys and values, compact), so the two can be compared as parsed JSON.

use super::{Compression, LabelType, ShardSpec, ZarrGrid};

/// `[x, y, z]` as zarr's `[z, y, x]` JSON array.
fn zyx<T: std::fmt::Display>(v: [T; 3]) -> String {
    format!("[{},{},{}]", v[2], v[1], v[0])
}

/// The `bytes` codec; single-byte types have no endianness, and zarr-python omits it.
fn bytes_codec(data_type: LabelType) -> &'static str {
    match data_type {
        LabelType::U8 => r#"{"name":"bytes"}"#,
        _ => r#"{"name":"bytes","configuration":{"endian":"little"}}"#,
    }
}

/// The `sharding_indexed` codec object of `spec`.
pub fn sharding_codec_json(spec: &ShardSpec) -> String {
    let mut inner = vec![bytes_codec(spec.data_type).to_string()];
    match spec.compression {
        Compression::None => {}
        Compression::Zstd { level, checksum } => inner
            .push(format!(r#"{{"name":"zstd","configuration":{{"level":{level},"checksum":{checksum}}}}}"#)),
        Compression::Gzip { level } => {
            inner.push(format!(r#"{{"name":"gzip","configuration":{{"level":{level}}}}}"#))
        }
    }
    let mut index = vec![bytes_codec(LabelType::U64)];
    if spec.index_checksum {
        index.push(r#"{"name":"crc32c"}"#);
    }
    format!(
        r#"{{"name":"sharding_indexed","configuration":{{"chunk_shape":{},"codecs":[{}],"index_codecs":[{}],"index_location":"{}"}}}}"#,
        zyx(spec.chunk_shape),
        inner.join(","),
        index.join(","),
        spec.index_location.as_str()
    )
}

/// The array's `zarr.json`: shape and shard shape reversed to `[z, y, x]`, `dimension_names`
/// `["z", "y", "x"]`, fill value 0, the default chunk key encoding with `/`.
pub fn array_metadata_json(grid: &ZarrGrid) -> String {
    let spec = grid.spec();
    format!(
        concat!(
            r#"{{"zarr_format":3,"node_type":"array","shape":{},"data_type":"{}","#,
            r#""chunk_grid":{{"name":"regular","configuration":{{"chunk_shape":{}}}}},"#,
            r#""chunk_key_encoding":{{"name":"default","configuration":{{"separator":"/"}}}},"#,
            r#""fill_value":0,"codecs":[{}],"attributes":{{}},"dimension_names":["z","y","x"],"#,
            r#""storage_transformers":[]}}"#
        ),
        zyx(grid.shape()),
        spec.data_type.as_str(),
        zyx(spec.shard_shape()),
        sharding_codec_json(spec)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::IndexLocation;

    #[test]
    fn writes_zarr_python_shaped_json() {
        let spec = ShardSpec::new([64, 32, 16], [2, 3, 4], LabelType::U64);
        assert_eq!(
            sharding_codec_json(&spec),
            concat!(
                r#"{"name":"sharding_indexed","configuration":{"chunk_shape":[16,32,64],"#,
                r#""codecs":[{"name":"bytes","configuration":{"endian":"little"}},"#,
                r#"{"name":"zstd","configuration":{"level":3,"checksum":false}}],"#,
                r#""index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],"#,
                r#""index_location":"end"}}"#
            )
        );
        let u8_gzip_start = ShardSpec {
            compression: Compression::Gzip { level: 5 },
            index_location: IndexLocation::Start,
            index_checksum: false,
            ..ShardSpec::new([1, 2, 3], [1, 1, 1], LabelType::U8)
        };
        let json = sharding_codec_json(&u8_gzip_start);
        assert!(
            json.contains(r#""codecs":[{"name":"bytes"},{"name":"gzip","configuration":{"level":5}}]"#),
            "{json}"
        );
        assert!(
            json.contains(r#""index_codecs":[{"name":"bytes","configuration":{"endian":"little"}}]"#),
            "{json}"
        );
        assert!(json.contains(r#""index_location":"start""#), "{json}");

        let grid = ZarrGrid::new([100, 200, 300], spec).unwrap();
        let array = array_metadata_json(&grid);
        assert!(array.starts_with(
            r#"{"zarr_format":3,"node_type":"array","shape":[300,200,100],"data_type":"uint64","#
        ));
        assert!(
            array.contains(r#""chunk_grid":{"name":"regular","configuration":{"chunk_shape":[64,96,128]}}"#)
        );
        assert!(array.contains(r#""dimension_names":["z","y","x"]"#));
    }
}
