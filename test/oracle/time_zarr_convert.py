#!/usr/bin/env python3
"""Times TensorStore converting one scale of a sharded precomputed volume into a sharded zarr v3
array (64³ chunks, zstd level 3, index at the end with crc32c — braid's OME-Zarr levels), the way
a pipeline gets OME-Zarr from precomputed today; for benches/export-ome-zarr.measure.ts.

Run it pinned to one CPU (taskset) for single-core numbers; TensorStore's pools are limited to one
thread. Prints JSON: wall and CPU seconds of the copy (open excluded), the chunks written and the
bytes on disk."""
import argparse
import json
import os
import time

import tensorstore as ts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("precomputed")
    p.add_argument("scale", help="scale key, e.g. 8.0x8.0x8.0")
    p.add_argument("dest")
    p.add_argument("--shard", type=int, nargs=3, required=True, help="zarr shard shape z y x")
    args = p.parse_args()

    context = ts.Context({
        "cache_pool": {"total_bytes_limit": 0},
        "data_copy_concurrency": {"limit": 1},
        "file_io_concurrency": {"limit": 1},
    })
    src = ts.open({
        "driver": "neuroglancer_precomputed",
        "kvstore": {"driver": "file", "path": args.precomputed},
        "scale_metadata": {"key": args.scale},
    }, read=True, context=context).result()
    # [x, y, z, channel] → [z, y, x] like braid's zarr levels.
    src = src[ts.d[:].transpose[::-1]][0]
    shape = [int(n) for n in src.shape]
    origin = [int(o) for o in src.domain.origin]
    src = src[ts.d[:].translate_to[0]]
    dst = ts.open({
        "driver": "zarr3",
        "kvstore": {"driver": "file", "path": args.dest},
        "metadata": {
            "shape": shape,
            "data_type": str(src.dtype.numpy_dtype),
            "fill_value": 0,
            "dimension_names": ["z", "y", "x"],
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": args.shard}},
            "codecs": [{
                "name": "sharding_indexed",
                "configuration": {
                    "chunk_shape": [64, 64, 64],
                    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                               {"name": "zstd", "configuration": {"level": 3}}],
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                    "index_location": "end",
                },
            }],
        },
        "create": True,
        "delete_existing": True,
    }, context=context).result()

    # One transaction per zarr shard: each shard is encoded and written once (without one,
    # every chunk write rewrites its shard), and only one shard's voxels are held at a time.
    w0, c0 = time.perf_counter(), time.process_time()
    for z in range(0, shape[0], args.shard[0]):
        for y in range(0, shape[1], args.shard[1]):
            for x in range(0, shape[2], args.shard[2]):
                box = (slice(z, z + args.shard[0]), slice(y, y + args.shard[1]), slice(x, x + args.shard[2]))
                with ts.Transaction() as txn:
                    dst.with_transaction(txn)[box].write(src[box]).result()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0

    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.dest) for f in fs)
    chunks = 1
    for n in shape:
        chunks *= -(-n // 64)
    print(json.dumps({"seconds": wall, "cpuSeconds": cpu, "chunks": chunks, "bytes": size, "origin": origin}))


if __name__ == "__main__":
    main()
