#!/usr/bin/env python3
"""Reads a neuroglancer precomputed volume with TensorStore (the reference reader) and writes
the requested box as raw little-endian x-fastest voxels; prints the domain as JSON."""
import argparse
import json

import numpy as np
import tensorstore as ts


def kvstore(url: str) -> dict:
    if url.startswith("gs://"):
        bucket, _, path = url[5:].partition("/")
        return {"driver": "gcs", "bucket": bucket, "path": path}
    return {"driver": "file", "path": url.removeprefix("file://")}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("url", help="volume directory (path, file:// or gs://)")
    p.add_argument("--scale-index", type=int, default=0)
    p.add_argument("--box", help="x0,y0,z0,x1,y1,z1 in absolute voxel coordinates")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    store = ts.open(
        {"driver": "neuroglancer_precomputed", "kvstore": kvstore(a.url), "scale_index": a.scale_index},
        read=True,
    ).result()
    view = store
    if a.box:
        x0, y0, z0, x1, y1, z1 = (int(v) for v in a.box.split(","))
        view = store[x0:x1, y0:y1, z0:z1, :]
    arr = view.read().result()
    # TensorStore's precomputed domain is [x, y, z, channel]; emit channel-major, x fastest.
    raw = np.ascontiguousarray(np.transpose(arr, (3, 2, 1, 0)))
    with open(a.out, "wb") as f:
        f.write(raw.astype(raw.dtype.newbyteorder("<"), copy=False).tobytes())
    d = view.domain
    print(json.dumps({"origin": list(d.inclusive_min[:3]), "shape": list(d.shape[:3]), "dtype": str(arr.dtype)}))


if __name__ == "__main__":
    main()
