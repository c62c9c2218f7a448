#!/usr/bin/env python3
"""Times reads of a volume with a reference reader, for benches/volume-read.measure.ts: either every
chunk of a box one read at a time ("chunks") or the box in one read ("roi"), cold (a fresh open
and no cache) or cached (a second pass with a cache large enough for the box). Prints JSON with
the best wall and CPU (all threads) times over the repetitions and the decoded bytes.

Readers: tensorstore-zarr3, tensorstore-precomputed, zarr-python. Run it pinned to one CPU
(taskset) for single-core numbers; TensorStore's own thread pools are limited to one thread."""
import argparse
import json
import time

import numpy as np


def open_reader(kind: str, path: str, cache_bytes: int):
    if kind == "zarr-python":
        import zarr

        zarr.config.set({"threading.max_workers": 1, "async.concurrency": 1})
        arr = zarr.open_array(path, mode="r")
        return (lambda box: np.asarray(arr[box])), arr.shape
    import tensorstore as ts

    context = ts.Context({
        "cache_pool": {"total_bytes_limit": cache_bytes},
        "data_copy_concurrency": {"limit": 1},
        "file_io_concurrency": {"limit": 1},
    })
    driver = {"tensorstore-zarr3": "zarr3", "tensorstore-precomputed": "neuroglancer_precomputed"}[kind]
    arr = ts.open({"driver": driver, "kvstore": {"driver": "file", "path": path}, "recheck_cached_data": False}, read=True, context=context).result()
    if driver == "neuroglancer_precomputed":
        # [x, y, z, channel] → [z, y, x], like the zarr arrays.
        arr = arr[ts.d[:].transpose[::-1]][0]
    return (lambda box: arr[box].read().result()), arr.shape


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("path")
    p.add_argument("--reader", required=True, choices=["tensorstore-zarr3", "tensorstore-precomputed", "zarr-python"])
    p.add_argument("--mode", required=True, choices=["chunks", "roi"])
    p.add_argument("--box", required=True, help="z0,z1,y0,y1,x0,x1 (array indices; precomputed: voxel coordinates)")
    p.add_argument("--chunk", required=True, help="cz,cy,cx: the read unit of --mode chunks")
    p.add_argument("--origin", default="0,0,0", help="z,y,x of the chunk grid's origin")
    p.add_argument("--cache", choices=["cold", "cached"], default="cold")
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    z0, z1, y0, y1, x0, x1 = (int(v) for v in a.box.split(","))
    chunk = [int(v) for v in a.chunk.split(",")]
    origin = [int(v) for v in a.origin.split(",")]
    lo, hi = [z0, y0, x0], [z1, y1, x1]
    if a.mode == "roi":
        boxes = [tuple(slice(l, h) for l, h in zip(lo, hi))]
    else:
        ranges = [range((l - o) // c, (h - o + c - 1) // c) for l, h, c, o in zip(lo, hi, chunk, origin)]
        boxes = []
        for idx in np.ndindex(*[len(r) for r in ranges]):
            cell = [r[k] for r, k in zip(ranges, idx)]
            start = [origin[d] + cell[d] * chunk[d] for d in range(3)]
            boxes.append(tuple(slice(max(lo[d], start[d]), min(hi[d], start[d] + chunk[d])) for d in range(3)))
    decoded = int(np.prod([h - l for l, h in zip(lo, hi)])) * 8
    best = float("inf")
    best_cpu = float("inf")
    cache_bytes = 0 if a.cache == "cold" else 4 * decoded
    read, _ = open_reader(a.reader, a.path, cache_bytes)
    for _ in range(a.reps):
        if a.cache == "cold":
            read, _ = open_reader(a.reader, a.path, 0)
        else:
            for b in boxes:
                read(b)
        t0 = time.perf_counter()
        c0 = time.process_time()
        total = 0
        for b in boxes:
            total += read(b).nbytes
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
        assert total == decoded, (total, decoded)
    print(json.dumps({"seconds": best, "cpu_seconds": best_cpu, "bytes": decoded, "reads": len(boxes)}))


if __name__ == "__main__":
    main()
