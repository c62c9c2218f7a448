#!/usr/bin/env python3
"""Reads a box of a zarr array (v2 or v3, sharded or not) with a reference reader (zarr-python
or TensorStore) and writes it as little-endian C-order bytes; prints shape and dtype as JSON."""
import argparse
import json

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("path", help="array directory")
    p.add_argument("--reader", choices=["zarr-python", "tensorstore"], required=True)
    p.add_argument("--box", help="start0,stop0,start1,stop1,... per dimension (default: everything)")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.reader == "zarr-python":
        import zarr

        arr = zarr.open_array(a.path, mode="r")
        shape = arr.shape
        read = lambda sel: np.asarray(arr[sel])
    else:
        import tensorstore as ts

        kv = {"driver": "file", "path": a.path}
        try:
            arr = ts.open({"driver": "zarr3", "kvstore": kv}, read=True).result()
        except ValueError:
            arr = ts.open({"driver": "zarr", "kvstore": kv}, read=True).result()
        shape = arr.shape
        read = lambda sel: arr[sel].read().result()
    if a.box:
        v = [int(x) for x in a.box.split(",")]
        sel = tuple(slice(v[2 * d], v[2 * d + 1]) for d in range(len(shape)))
    else:
        sel = tuple(slice(0, s) for s in shape)
    out = np.ascontiguousarray(read(sel))
    with open(a.out, "wb") as f:
        f.write(out.astype(out.dtype.newbyteorder("<"), copy=False).tobytes())
    print(json.dumps({"shape": list(out.shape), "dtype": str(out.dtype)}))


if __name__ == "__main__":
    main()
