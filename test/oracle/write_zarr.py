#!/usr/bin/env python3
"""Writes zarr arrays and groups with a reference writer (zarr-python or TensorStore) from a JSON
spec, so the tests can read them back with braid:

  {"writer": "zarr-python" | "tensorstore", "zarr_format": 2 | 3,
   "groups": [{"path": "", "attributes": {...}}, ...],          # written first, in order
   "arrays": [{"path": "s0", "raw": "<file>", "dtype": "uint64", "shape": [...],
               "chunks": [...], "shards": [...] | null, "codec": "gzip" | "zstd" | "blosc" | "raw",
               "index_location": "end" | "start", "order": "C" | "F", "separator": "/" | ".",
               "dimension_names": [...] | null, "fill_value": 0}, ...]}

`raw` holds the array's voxels as little-endian C-order bytes (a [z, y, x] array is braid's
x-fastest volume). TensorStore writes no groups, so its group metadata is written as JSON."""
import argparse
import json
import os

import numpy as np


def load(a: dict) -> np.ndarray:
    dtype = np.dtype(a["dtype"]).newbyteorder("<")
    return np.fromfile(a["raw"], dtype=dtype).reshape(a["shape"])


def zarr_python(root: str, spec: dict) -> None:
    import numcodecs
    import zarr
    from zarr.codecs import BloscCodec, GzipCodec, ShardingCodecIndexLocation, ZstdCodec

    fmt = spec["zarr_format"]
    for g in spec.get("groups", []):
        group = zarr.open_group(os.path.join(root, g["path"]), mode="a", zarr_format=fmt)
        group.attrs.update(g.get("attributes", {}))
    for a in spec["arrays"]:
        codec = a.get("codec", "gzip")
        if fmt == 2:
            compressor = {"gzip": numcodecs.GZip(level=5), "zstd": numcodecs.Zstd(level=3),
                          "blosc": numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE),
                          "raw": None}[codec]
            compressors = None if compressor is None else [compressor]
        else:
            compressors = {"gzip": [GzipCodec(level=5)], "zstd": [ZstdCodec(level=3)],
                           "blosc": [BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")], "raw": None}[codec]
        kwargs = {}
        if a.get("shards"):
            kwargs["shards"] = tuple(a["shards"])
        if fmt == 3 and a.get("dimension_names"):
            kwargs["dimension_names"] = a["dimension_names"]
        if fmt == 2:
            kwargs["chunk_key_encoding"] = {"name": "v2", "separator": a.get("separator", "/")}
            kwargs["order"] = a.get("order", "C")
        elif a.get("separator"):
            kwargs["chunk_key_encoding"] = {"name": "default", "separator": a["separator"]}
        arr = zarr.create_array(
            store=os.path.join(root, a["path"]) if a["path"] else root,
            shape=tuple(a["shape"]),
            chunks=tuple(a["chunks"]),
            dtype=np.dtype(a["dtype"]),
            compressors=compressors,
            fill_value=a.get("fill_value", 0),
            zarr_format=fmt,
            overwrite=True,
            **kwargs,
        )
        if a.get("shards") and a.get("index_location") == "start":
            raise SystemExit("zarr-python: write index_location start with TensorStore")
        arr[...] = load(a)


def tensorstore(root: str, spec: dict) -> None:
    import tensorstore as ts

    fmt = spec["zarr_format"]
    for g in spec.get("groups", []):
        d = os.path.join(root, g["path"])
        os.makedirs(d, exist_ok=True)
        if fmt == 3:
            doc = {"zarr_format": 3, "node_type": "group", "attributes": g.get("attributes", {})}
            with open(os.path.join(d, "zarr.json"), "w") as f:
                json.dump(doc, f)
        else:
            with open(os.path.join(d, ".zgroup"), "w") as f:
                json.dump({"zarr_format": 2}, f)
            with open(os.path.join(d, ".zattrs"), "w") as f:
                json.dump(g.get("attributes", {}), f)
    for a in spec["arrays"]:
        codec = a.get("codec", "gzip")
        kv = {"driver": "file", "path": os.path.join(root, a["path"])}
        if fmt == 3:
            inner = [{"name": "bytes", "configuration": {"endian": "little"}}]
            if codec == "gzip":
                inner.append({"name": "gzip", "configuration": {"level": 5}})
            elif codec == "zstd":
                inner.append({"name": "zstd", "configuration": {"level": 3}})
            elif codec == "blosc":
                inner.append({"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": np.dtype(a["dtype"]).itemsize}})
            if a.get("shards"):
                codecs = [{"name": "sharding_indexed", "configuration": {
                    "chunk_shape": a["chunks"], "codecs": inner,
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                    "index_location": a.get("index_location", "end")}}]
                grid = a["shards"]
            else:
                codecs, grid = inner, a["chunks"]
            metadata = {"shape": a["shape"], "data_type": a["dtype"], "codecs": codecs, "fill_value": a.get("fill_value", 0),
                        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}}}
            if a.get("dimension_names"):
                metadata["dimension_names"] = a["dimension_names"]
            store = ts.open({"driver": "zarr3", "kvstore": kv, "metadata": metadata, "create": True, "delete_existing": True}).result()
        else:
            compressor = {"gzip": {"id": "gzip", "level": 5}, "zstd": {"id": "zstd", "level": 3},
                          "blosc": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}, "raw": None}[codec]
            metadata = {"shape": a["shape"], "chunks": a["chunks"], "dtype": np.dtype(a["dtype"]).newbyteorder("<").str,
                        "compressor": compressor, "fill_value": a.get("fill_value", 0), "order": a.get("order", "C"),
                        "dimension_separator": a.get("separator", "/")}
            store = ts.open({"driver": "zarr", "kvstore": kv, "metadata": metadata, "create": True, "delete_existing": True}).result()
        store.write(load(a)).result()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("root", help="directory to write into")
    p.add_argument("--spec", required=True, help="JSON spec file")
    a = p.parse_args()
    with open(a.spec) as f:
        spec = json.load(f)
    {"zarr-python": zarr_python, "tensorstore": tensorstore}[spec["writer"]](a.root, spec)
    print(json.dumps({"arrays": len(spec["arrays"])}))


if __name__ == "__main__":
    main()
