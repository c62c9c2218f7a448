#!/usr/bin/env python3
"""TensorStore reference for `braid downres` (docs/formats/precomputed.md §1.5, docs/formats/downsampling.md).

Opens scales of a neuroglancer precomputed volume with TensorStore and reads
``ts.downsample(scale, [2, 2, 2, 1], method)`` of each -- exactly the view
tensorstore-export writes as the next scale. For every ``--source-scale K`` the voxels go
to ``OUT_DIR/K.raw`` (raw little-endian, x-fastest, channel 0) and one JSON line is printed:

    {"source_scale": K, "origin": [x, y, z], "shape": [x, y, z], "dtype": "uint64"}

``origin``/``shape`` are the downsampled view's domain, to compare with the ``voxel_offset``
and ``size`` of the scale braid wrote.

With ``--write-to URL2`` (a volume whose ``info`` already lists scale K+1), the view is also
written there as scale K+1 -- tensorstore-export's ``dest.write(ts.downsample(src, ...))`` --
so that the shard files can be compared byte for byte.

With ``--box x0,y0,z0,x1,y1,z1`` only that box of the downsampled view is read (coordinates
of the view's domain); volumes of real size are read piece by piece this way.

Usage:
    downsample_precomputed.py URL --source-scale K [--source-scale K2 ...] --out-dir DIR
        [--method mode] [--write-to URL2] [--box x0,y0,z0,x1,y1,z1]

Requires numpy and tensorstore.
"""

import argparse
import json
import os

import numpy as np
import tensorstore as ts


def kvstore(url: str) -> dict:
    if url.startswith("gs://"):
        bucket, _, path = url[5:].partition("/")
        return {"driver": "gcs", "bucket": bucket, "path": path}
    return {"driver": "file", "path": url.removeprefix("file://")}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url", help="volume directory (path, file:// or gs://)")
    p.add_argument("--source-scale", type=int, action="append", required=True, help="scale index to downsample")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--method", default="mode", help="TensorStore downsample method (default mode)")
    p.add_argument("--write-to", help="volume to write each view into as scale K+1")
    p.add_argument("--box", help="x0,y0,z0,x1,y1,z1: read only this box of the view")
    a = p.parse_args()
    for k in a.source_scale:
        src = ts.open(
            {"driver": "neuroglancer_precomputed", "kvstore": kvstore(a.url), "scale_index": k},
            read=True,
        ).result()
        view = ts.downsample(src, [2, 2, 2, 1], a.method)
        if a.write_to:
            dest = ts.open(
                {"driver": "neuroglancer_precomputed", "kvstore": kvstore(a.write_to), "scale_index": k + 1},
                write=True,
            ).result()
            dest.write(view).result()
        if a.box:
            x0, y0, z0, x1, y1, z1 = (int(v) for v in a.box.split(","))
            view = view[x0:x1, y0:y1, z0:z1, :]
        arr = view.read().result()
        # The domain is [x, y, z, channel]; emit channel 0 x-fastest (C order over [z, y, x]).
        raw = np.ascontiguousarray(np.transpose(arr[..., 0], (2, 1, 0)))
        with open(os.path.join(a.out_dir, f"{k}.raw"), "wb") as f:
            f.write(raw.astype(raw.dtype.newbyteorder("<"), copy=False).tobytes())
        d = view.domain
        print(
            json.dumps(
                {
                    "source_scale": k,
                    "origin": list(d.inclusive_min[:3]),
                    "shape": list(d.shape[:3]),
                    "dtype": str(arr.dtype),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
