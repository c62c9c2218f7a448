#!/usr/bin/env python3
"""Writes a neuroglancer precomputed volume with TensorStore (the reference writer): takes an
info JSON and, per scale, a raw little-endian x-fastest volume of that scale's size and data
type, and writes each scale through TensorStore's neuroglancer_precomputed driver."""
import argparse
import json

import numpy as np
import tensorstore as ts


def kvstore(url: str) -> dict:
    if url.startswith("gs://"):
        bucket, _, path = url[5:].partition("/")
        return {"driver": "gcs", "bucket": bucket, "path": path}
    return {"driver": "file", "path": url.removeprefix("file://")}


SCALE_KEYS = ("key", "size", "voxel_offset", "resolution", "encoding", "compressed_segmentation_block_size", "sharding")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("url", help="volume directory to create (path, file:// or gs://)")
    p.add_argument("--info", required=True, help="info JSON file")
    p.add_argument("--volume", action="append", default=[], help="raw volume of scale i (repeat per scale)")
    a = p.parse_args()
    with open(a.info) as f:
        info = json.load(f)
    if len(a.volume) != len(info["scales"]):
        p.error(f"{len(info['scales'])} scales but {len(a.volume)} volumes")
    dtype = np.dtype(info["data_type"]).newbyteorder("<")
    for scale, path in zip(info["scales"], a.volume):
        scale_metadata = {k: scale[k] for k in SCALE_KEYS if k in scale}
        scale_metadata["chunk_size"] = scale["chunk_sizes"][0]
        store = ts.open(
            {
                "driver": "neuroglancer_precomputed",
                "kvstore": kvstore(a.url),
                "multiscale_metadata": {k: info[k] for k in ("type", "data_type", "num_channels")},
                "scale_metadata": scale_metadata,
                "create": True,
            }
        ).result()
        sx, sy, sz = scale["size"]
        raw = np.fromfile(path, dtype=dtype)
        # x-fastest bytes are a C-order [z, y, x] array; TensorStore's domain is [x, y, z, channel].
        arr = raw.reshape(sz, sy, sx).transpose(2, 1, 0)[..., np.newaxis]
        store.write(arr).result()
    print(json.dumps({"scales": len(info["scales"])}))


if __name__ == "__main__":
    main()
