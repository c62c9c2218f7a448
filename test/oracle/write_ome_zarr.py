"""Writes an OME-Zarr 0.5 image with a segmentation under labels/cells, with zarr-python 3.

The labels are sharded zarr v3 uint64 arrays (two levels, 2x downsampled by striding), blocks
of 16^3 voxels with distinct random ids and a zero background slab; the image is a small
uint8 array. Axes z, y, x in nanometres with a non-zero translation. Prints the label
metadata the test checks as JSON.

usage: write_ome_zarr.py OUT_DIR
"""
import json
import sys

import numpy as np
import zarr

SHAPE = (96, 160, 224)  # z, y, x
SCALE = [8.0, 8.0, 8.0]
TRANSLATION = [80.0, 160.0, 240.0]
AXES = [{"name": n, "type": "space", "unit": "nanometer"} for n in ("z", "y", "x")]


def multiscales(name, levels):
    datasets = []
    for k in range(levels):
        f = 2**k
        datasets.append(
            {
                "path": str(k),
                "coordinateTransformations": [
                    {"type": "scale", "scale": [s * f for s in SCALE]},
                    # Voxel centres: level k's voxel 0 sits at the centre of 2^k level-0 voxels.
                    {"type": "translation", "translation": [t + s * (f - 1) / 2 for t, s in zip(TRANSLATION, SCALE)]},
                ],
            }
        )
    return [{"name": name, "axes": AXES, "datasets": datasets}]


def labels_volume():
    rng = np.random.default_rng(3)
    blocks = tuple(n // 16 for n in SHAPE)
    ids = rng.integers(1, 2**48, size=blocks, dtype=np.uint64)
    z, y, x = np.indices(SHAPE, sparse=True)
    labels = ids[z // 16, y // 16, x // 16]
    labels[:, :24, :] = 0
    return labels


def main():
    out = sys.argv[1]
    root = zarr.open_group(out, mode="w", zarr_format=3)
    root.attrs["ome"] = {"version": "0.5", "multiscales": multiscales("image", 1)}
    image = root.create_array("0", shape=SHAPE, dtype="uint8", chunks=(32, 32, 32), dimension_names=["z", "y", "x"])
    image[:] = (np.indices(SHAPE).sum(axis=0) % 256).astype(np.uint8)

    group = root.create_group("labels")
    group.attrs["ome"] = {"version": "0.5", "labels": ["cells"]}
    cells = group.create_group("cells")
    cells.attrs["ome"] = {"version": "0.5", "multiscales": multiscales("cells", 2), "image-label": {"source": {"image": "../../"}}}
    labels = labels_volume()
    for k in range(2):
        level = labels[:: 2**k, :: 2**k, :: 2**k]
        arr = cells.create_array(
            str(k), shape=level.shape, dtype="uint64", chunks=(16, 32, 32), shards=(48, 64, 64), dimension_names=["z", "y", "x"], fill_value=0
        )
        arr[:] = level
    print(json.dumps({"shape": list(SHAPE), "distinct": int(np.unique(labels).size), "sharding": cells["0"].metadata.to_dict()["codecs"][0]["name"]}))


if __name__ == "__main__":
    main()
