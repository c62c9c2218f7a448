#!/usr/bin/env python3
"""TensorStore reference for braid-core's mode downsampling (docs/formats/downsampling.md).

Reads a raw little-endian, x-fastest volume, places it at ``origin`` in an in-memory
TensorStore array, downsamples it with ``ts.downsample(..., "mode")`` and writes the
result in the same raw layout. The output domain is printed as one JSON line:

    {"origin": [x, y, z], "shape": [x, y, z], "dtype": "uint64", "seconds": ...}

``seconds`` is the best wall time of ``--repeat`` full reads of the downsampled view (a
throughput reference for the Rust kernel; 1 by default).

Usage:
    downsample_reference.py IN.raw OUT.raw --shape X Y Z [--origin X Y Z]
        [--factors X Y Z] [--dtype uint32|uint64] [--repeat N]

Requires numpy and tensorstore.
"""

import argparse
import json
import sys
import time

import numpy as np
import tensorstore as ts


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="raw little-endian x-fastest volume")
    p.add_argument("output", help="where to write the downsampled raw volume")
    p.add_argument("--shape", type=int, nargs=3, required=True, metavar=("X", "Y", "Z"))
    p.add_argument("--origin", type=int, nargs=3, default=[0, 0, 0], metavar=("X", "Y", "Z"))
    p.add_argument("--factors", type=int, nargs=3, default=[2, 2, 2], metavar=("X", "Y", "Z"))
    p.add_argument("--dtype", choices=["uint32", "uint64"], default="uint64")
    p.add_argument("--repeat", type=int, default=1, help="time this many reads, report the best")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    sx, sy, sz = args.shape
    dtype = np.dtype(args.dtype).newbyteorder("<")
    flat = np.fromfile(args.input, dtype=dtype)
    if flat.size != sx * sy * sz:
        sys.exit(f"{args.input}: {flat.size} voxels, shape {args.shape} needs {sx * sy * sz}")
    # x-fastest is C order over [z, y, x]; TensorStore dims follow numpy's order.
    volume = flat.reshape(sz, sy, sx).astype(np.dtype(args.dtype))
    ox, oy, oz = args.origin
    fx, fy, fz = args.factors
    base = ts.array(volume).translate_to[oz, oy, ox]
    view = ts.downsample(base, [fz, fy, fx], "mode")

    best = float("inf")
    result = None
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        result = view.read().result()
        best = min(best, time.perf_counter() - start)

    np.ascontiguousarray(result).astype(dtype).tofile(args.output)
    lo = list(view.domain.inclusive_min)
    shape = list(view.domain.shape)
    print(
        json.dumps(
            {
                "origin": [lo[2], lo[1], lo[0]],
                "shape": [shape[2], shape[1], shape[0]],
                "dtype": args.dtype,
                "seconds": best,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
