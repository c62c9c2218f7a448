#!/usr/bin/env python3
"""zarr-python (the reference zarr v3 implementation) as an oracle for braid's sharded zarr
arrays, driven by crates/braid-core/tests/zarr_oracle.rs.

  zarr_shard.py write MANIFEST   writes each case's raw volume as a sharded array with zarr-python
  zarr_shard.py check MANIFEST   reads each case's braid-written array with zarr-python and checks
                                 its voxels, its zarr.json and its set of shard files

MANIFEST is a JSON list of cases: {"name", "shape" ([z, y, x]), "dtype", "chunk_shape" and
"shard_shape" ([z, y, x]), "compressor" ("none", "zstd" or "gzip"), "level", "checksum"
(zstd only), "index_location", "index_checksum", "raw" (the volume, C order, little-endian),
"zarr_python" and "braid" (array directories)}. Every array has fill value 0, dimension names
z, y, x and zarr-python's default write_empty_chunks=False.
"""
import json
import os
import sys

import numpy as np
import zarr
from zarr.codecs import BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec, ZstdCodec


def volume(case: dict) -> np.ndarray:
    dtype = np.dtype(case["dtype"]).newbyteorder("<")
    return np.fromfile(case["raw"], dtype=dtype).reshape(case["shape"])


def sharding_codec(case: dict) -> ShardingCodec:
    inner = [BytesCodec(endian="little")]
    if case["compressor"] == "zstd":
        inner.append(ZstdCodec(level=case["level"], checksum=case["checksum"]))
    elif case["compressor"] == "gzip":
        inner.append(GzipCodec(level=case["level"]))
    index = [BytesCodec(endian="little")] + ([Crc32cCodec()] if case["index_checksum"] else [])
    return ShardingCodec(
        chunk_shape=case["chunk_shape"],
        codecs=inner,
        index_codecs=index,
        index_location=case["index_location"],
    )


def write(case: dict) -> None:
    array = zarr.create_array(
        store=case["zarr_python"],
        shape=case["shape"],
        chunks=case["shard_shape"],
        dtype=case["dtype"],
        fill_value=0,
        serializer=sharding_codec(case),
        compressors=None,
        filters=None,
        dimension_names=["z", "y", "x"],
        config={"write_empty_chunks": False},
    )
    array[...] = volume(case)


def shard_files(root: str) -> list[str]:
    found = []
    for dirpath, _, files in os.walk(os.path.join(root, "c")):
        found += [os.path.relpath(os.path.join(dirpath, f), root) for f in files]
    return sorted(found)


def check(case: dict) -> None:
    name = case["name"]
    with open(os.path.join(case["braid"], "zarr.json")) as f:
        braid_meta = json.load(f)
    with open(os.path.join(case["zarr_python"], "zarr.json")) as f:
        reference_meta = json.load(f)
    if braid_meta != reference_meta:
        raise SystemExit(f"{name}: zarr.json differs\n braid: {braid_meta}\n zarr-python: {reference_meta}")
    read = zarr.open_array(case["braid"], mode="r")[...]
    expected = volume(case)
    if read.dtype != expected.dtype or not np.array_equal(read, expected):
        diff = np.argwhere(read != expected)
        raise SystemExit(f"{name}: zarr-python reads {len(diff)} wrong voxels from braid's shards, first {diff[:3].tolist()}")
    braid_files, reference_files = shard_files(case["braid"]), shard_files(case["zarr_python"])
    if braid_files != reference_files:
        raise SystemExit(f"{name}: braid wrote shards {braid_files}, zarr-python {reference_files}")


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        raise SystemExit(__doc__)
    with open(sys.argv[2]) as f:
        cases = json.load(f)
    for case in cases:
        (write if sys.argv[1] == "write" else check)(case)
    print(f"zarr-python {zarr.__version__}: {sys.argv[1]} {len(cases)} cases ok")


if __name__ == "__main__":
    main()
