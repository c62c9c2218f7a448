/**
 * A precomputed volume as the lazy reader's source (`volume/source.ts`): each scale an array
 * `[c?, z, y, x]` in storage order (the channel axis only when `num_channels > 1`), chunks
 * clipped at the volume's edge and decoded in the stored data type. Precomputed coordinates
 * name voxel corners (docs/formats/precomputed.md §1.3), so the world frame is the scales'
 * own: voxel `v` starts at `v · resolution` nanometres.
 */
import type { Vec3 } from "../../types.js";
import type { Axis } from "../../volume/axes.js";
import { cOrderStrides } from "../../volume/strided.js";
import { voxelValue } from "../../volume/voxels.js";
import type { Channel, DecodedChunk, SourceLevel, VolumeSource } from "../../volume/source.js";
import type { PrecomputedScale } from "./scale.js";
import type { PrecomputedVolume } from "./volume.js";

const SPATIAL: Axis[] = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" }));

/** `[x, y, z]` as storage order `[z, y, x]`, after the channel extent if there is a channel axis. */
const storageOrder = (v: Vec3, channel: number | undefined) => [...(channel === undefined ? [] : [channel]), v[2], v[1], v[0]];

class PrecomputedLevel implements SourceLevel {
  readonly shape: number[];
  readonly chunkShape: number[];
  readonly shardShape: number[] | undefined;
  readonly start: number[];
  readonly scale: number[];
  readonly translation: number[];
  readonly #channels: number | undefined;

  constructor(
    readonly level: PrecomputedScale,
    channels: number,
  ) {
    this.#channels = channels > 1 ? channels : undefined;
    const c = this.#channels;
    const g = level.geometry;
    this.shape = storageOrder(g.size, c);
    this.chunkShape = storageOrder(g.chunkSize, c);
    const cells = level.sharded ? g.shardShape() : undefined;
    this.shardShape = cells && storageOrder([0, 1, 2].map((d) => cells[d]! * g.chunkSize[d]!) as unknown as Vec3, c);
    this.start = storageOrder(g.voxelOffset, c === undefined ? undefined : 0);
    this.scale = storageOrder(level.resolution, c === undefined ? undefined : 1);
    this.translation = this.start.map(() => 0);
  }

  get key(): string {
    return this.level.key;
  }

  /** The scale's `[x, y, z]` cell of a storage-order cell. */
  #cell(cell: readonly number[]): Vec3 {
    const n = cell.length;
    return [cell[n - 1]!, cell[n - 2]!, cell[n - 3]!];
  }

  async readChunk(cell: readonly number[]): Promise<DecodedChunk | undefined> {
    const xyz = this.#cell(cell);
    const data = await this.level.readChunkVoxels(xyz);
    if (data === undefined) return undefined;
    const shape = storageOrder(this.level.geometry.chunkBox(xyz).shape, this.#channels);
    return { data, shape, strides: cOrderStrides(shape) };
  }

  forget(cells: readonly (readonly number[])[]): void {
    this.level.forgetChunks(cells.map((c) => this.#cell(c)));
  }
}

/** The reader's view of an opened precomputed volume. */
export function precomputedSource(volume: PrecomputedVolume): VolumeSource {
  const channels = volume.info.num_channels;
  const axes: Axis[] = channels > 1 ? [{ name: "c", type: "channel" }, ...SPATIAL] : SPATIAL;
  const channelList: Channel[] = channels > 1 ? Array.from({ length: channels }, (_, index) => ({ index })) : [];
  return {
    url: volume.url,
    format: "precomputed",
    dataType: volume.dataType,
    fillValue: voxelValue(volume.dataType, 0),
    axes,
    levels: volume.scales.map((s) => new PrecomputedLevel(s, channels)),
    channels: channelList,
  };
}
