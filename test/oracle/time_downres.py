#!/usr/bin/env python3
"""Times TensorStore building one pyramid scale the way tensorstore-export does, for
benches/downres.measure.ts: ``dest[scale K+1] = ts.downsample(src[scale K], [2, 2, 2, 1], mode)``
into a sharded precomputed volume (``dest``'s ``info`` already lists scale K+1). TensorStore's
thread pools are limited to one thread; run it pinned to one CPU (taskset) for one core.
Prints JSON: wall and CPU seconds of the write alone (opening excluded) and the output chunks.

Usage: time_downres.py SRC_DIR DEST_DIR [--source-scale K] [--method mode]
"""
import argparse
import json
import time

import tensorstore as ts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("src")
    p.add_argument("dest")
    p.add_argument("--source-scale", type=int, default=0)
    p.add_argument("--method", default="mode")
    a = p.parse_args()
    context = ts.Context({
        "data_copy_concurrency": {"limit": 1},
        "file_io_concurrency": {"limit": 1},
        "cache_pool": {"total_bytes_limit": 0},
    })
    k = a.source_scale
    spec = lambda path, scale: {"driver": "neuroglancer_precomputed", "kvstore": {"driver": "file", "path": path}, "scale_index": scale}
    src = ts.open(spec(a.src, k), read=True, context=context).result()
    dest = ts.open(spec(a.dest, k + 1), write=True, context=context).result()
    view = ts.downsample(src, [2, 2, 2, 1], a.method)
    chunk = dest.schema.chunk_layout.read_chunk.shape
    t0, c0 = time.perf_counter(), time.process_time()
    dest.write(view).result()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    shape = dest.domain.shape
    chunks = 1
    for d in range(3):
        chunks *= -(-shape[d] // chunk[d])
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "grid_chunks": chunks, "read_chunk": list(chunk)}))


if __name__ == "__main__":
    main()
