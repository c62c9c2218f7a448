/**
 * A braid-written OME-Zarr 0.5 segmentation pyramid (docs/formats/zarr.md §5.8): a zarr v3
 * group whose `attributes.ome` holds `multiscales` (axes z, y, x of type space in nanometres;
 * per level `scale` = voxel size and `translation` = the first voxel's centre), one sharded
 * array per level (`s0`, `s1`, …). Published as `labels/<name>` (an `image-label` group
 * listed by `labels/zarr.json`) when a label name is given. `attributes.braid` keeps the
 * layout so downres and verify can reopen the pyramid as written.
 *
 * World frame: braid (and precomputed) place voxel i's corner at (offset + i) · resolution;
 * OME coordinates name voxel centres, so translation = (offset + ½) · resolution.
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError } from "../../errors.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import { ByteLru } from "../../volume/cache.js";
import { isLabelDataType, type LabelDataType } from "../../volume/labels.js";
import type { VolumeWriter } from "../../volume/writer.js";
import { ZarrLevelWriter } from "./level-writer.js";
import { checkZarrCompression, type ZarrCompression } from "./shard-spec.js";

export interface OmeLevelLayout {
  /** Array path inside the group. */
  path: string;
  size: Vec3;
  voxelOffset: Vec3;
  /** Voxel size in nanometres. */
  resolution: Vec3;
  chunkShape: Vec3;
  chunksPerShard: Vec3;
}

export interface OmeZarrLayout {
  dataType: LabelDataType;
  compression: ZarrCompression;
  levels: OmeLevelLayout[];
  /** Multiscale name (default: the label name, else "segmentation"). */
  name?: string;
  /** Publish the pyramid as the image-label group `labels/<label>`. */
  label?: string;
}

type Json = Record<string, unknown>;

const json = (v: unknown) => JSON.stringify(v);
const zyx = (v: Vec3) => [v[2], v[1], v[0]];
const CACHE_BYTES = 32 << 20;

/** Where the multiscale group sits inside the root. */
export function omeGroupPath(layout: Pick<OmeZarrLayout, "label">): string {
  return layout.label === undefined ? "" : `labels/${layout.label}`;
}

/** The group's attributes: OME 0.5 multiscales (+ image-label) and braid's own record. */
export function omeAttributes(layout: OmeZarrLayout, braid: Json = {}): Json {
  const name = layout.name ?? layout.label ?? "segmentation";
  const ome: Json = {
    version: "0.5",
    multiscales: [
      {
        name,
        axes: ["z", "y", "x"].map((a) => ({ name: a, type: "space", unit: "nanometer" })),
        datasets: layout.levels.map((l) => ({
          path: l.path,
          coordinateTransformations: [
            { type: "scale", scale: zyx(l.resolution) },
            { type: "translation", translation: zyx([0, 1, 2].map((d) => (l.voxelOffset[d]! + 0.5) * l.resolution[d]!) as unknown as Vec3) },
          ],
        })),
        type: "mode",
        metadata: { description: "2×2×2 mode (majority vote) downsampling, TensorStore's \"mode\"" },
      },
    ],
  };
  if (layout.label !== undefined) ome["image-label"] = {};
  return { ome, braid: { ...braid, layout } };
}

function checkLayout(layout: OmeZarrLayout, file: string): OmeZarrLayout {
  const bad = (m: string) => new BraidError("SPEC_INVALID", `${file}: braid OME-Zarr layout: ${m}`, { file });
  if (!isLabelDataType(layout.dataType)) throw bad(`data type ${json(layout.dataType)} is not uint8/16/32/64`);
  if (!Array.isArray(layout.levels) || layout.levels.length === 0) throw bad("no levels");
  const triple = (v: unknown, min: number) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number" && Number.isFinite(x) && x >= min);
  for (const l of layout.levels) {
    if (typeof l.path !== "string" || !/^[A-Za-z0-9._-]+$/.test(l.path)) throw bad(`level path ${json(l.path)}`);
    if (!triple(l.size, 0) || !triple(l.chunkShape, 1) || !triple(l.chunksPerShard, 1) || !triple(l.resolution, Number.MIN_VALUE) || !triple(l.voxelOffset, -Infinity)) {
      throw bad(`level "${l.path}" needs size, voxelOffset, resolution, chunkShape and chunksPerShard as 3 numbers`);
    }
  }
  checkZarrCompression(layout.compression);
  if (layout.label !== undefined && !/^[A-Za-z0-9._-]+$/.test(layout.label)) throw bad(`label name ${json(layout.label)}`);
  return layout;
}

export class OmeZarrWriter implements VolumeWriter {
  readonly levels: ZarrLevelWriter[];

  private constructor(
    readonly backend: Backend,
    /** The OME-Zarr root. */
    readonly root: Storage,
    readonly layout: OmeZarrLayout,
    /** braid's record beside the layout (e.g. the precomputed spec the pyramid follows). */
    readonly braid: Json,
  ) {
    const cache = new ByteLru(CACHE_BYTES);
    const group = this.group;
    this.levels = layout.levels.map(
      (l, i) =>
        new ZarrLevelWriter(backend, group.child(l.path), i, l.path, {
          size: l.size,
          voxelOffset: l.voxelOffset,
          resolution: l.resolution,
          spec: { dataType: layout.dataType, chunkShape: l.chunkShape, chunksPerShard: l.chunksPerShard, compression: layout.compression },
        }, cache),
    );
  }

  get url(): string {
    return this.root.url;
  }

  get dataType(): LabelDataType {
    return this.layout.dataType;
  }

  /** The multiscale group. */
  get group(): Storage {
    const path = omeGroupPath(this.layout);
    return path === "" ? this.root : this.root.child(path);
  }

  level(which: number | string): ZarrLevelWriter {
    const l = typeof which === "number" ? this.levels[which] : this.levels.find((x) => x.key === which);
    if (!l) {
      throw new BraidError("INVALID_ARGUMENT", `${this.url}: no level ${json(which)} (levels: ${this.levels.map((x) => x.key).join(", ")})`);
    }
    return l;
  }

  /**
   * Writes the group metadata and every level's `zarr.json`, or, when the pyramid exists,
   * checks it has the same layout for the levels both list and adds the new ones. Array
   * metadata goes first and the group last, so a reader never sees a level listed whose
   * array is missing. Each object is written atomically.
   */
  static async create(backend: Backend, root: Storage, layout: OmeZarrLayout, braid: Json = {}): Promise<OmeZarrWriter> {
    checkLayout(layout, root.describe("zarr.json"));
    const existing = await OmeZarrWriter.open(backend, root, { label: layout.label }).catch((e: unknown) => {
      if (e instanceof BraidError && e.code === "NOT_FOUND") return undefined;
      throw e;
    });
    if (existing) {
      const same = (a: unknown, b: unknown) => json(a) === json(b);
      if (existing.layout.dataType !== layout.dataType || !same(existing.layout.compression, checkZarrCompression(layout.compression))) {
        throw new BraidError("SPEC_INVALID", `${existing.group.describe("zarr.json")}: an OME-Zarr pyramid with another data type or codec is there already`);
      }
      for (const [i, l] of existing.layout.levels.entries()) {
        const mine = layout.levels[i];
        if (mine && !same(mine, l)) {
          throw new BraidError("SPEC_INVALID", `${existing.group.describe("zarr.json")}: level "${l.path}" is there already with another geometry`);
        }
      }
      if (layout.levels.length <= existing.layout.levels.length) return existing;
    }
    const writer = new OmeZarrWriter(backend, root, { ...layout, compression: checkZarrCompression(layout.compression) }, braid);
    await writer.#writeMetadata();
    return writer;
  }

  async #writeMetadata(): Promise<void> {
    const write = (s: Storage, doc: Json) => s.write("zarr.json", json(doc), { contentType: "application/json" });
    for (const level of this.levels) {
      const shape = Uint32Array.from(level.geometry.size);
      const doc = JSON.parse(this.backend.binding.zarrArrayMetadata(shape, level.words)) as Json;
      await write(level.storage, doc);
    }
    await write(this.group, { zarr_format: 3, node_type: "group", attributes: omeAttributes(this.layout, this.braid) });
    if (this.layout.label !== undefined) {
      const labels = this.root.child("labels");
      const listed = await readGroupAttributes(labels).catch(() => undefined);
      const names = new Set<string>(Array.isArray((listed?.ome as Json | undefined)?.labels) ? ((listed!.ome as Json).labels as string[]) : []);
      names.add(this.layout.label);
      await write(labels, { zarr_format: 3, node_type: "group", attributes: { ome: { version: "0.5", labels: [...names] } } });
      if (!(await this.root.exists("zarr.json"))) {
        await write(this.root, { zarr_format: 3, node_type: "group", attributes: { ome: { version: "0.5" } } });
      }
    }
  }

  /**
   * Opens a braid-written pyramid at `root` (or its `labels/<label>` group; without `label`,
   * the root, else the first label listing braid's layout). NOT_FOUND when there is none.
   */
  static async open(backend: Backend, root: Storage, options: { label?: string | undefined } = {}): Promise<OmeZarrWriter> {
    const candidates: (string | undefined)[] = [];
    if (options.label !== undefined) candidates.push(options.label);
    else {
      candidates.push(undefined);
      const labels = await readGroupAttributes(root.child("labels")).catch(() => undefined);
      const names = (labels?.ome as Json | undefined)?.labels;
      if (Array.isArray(names)) candidates.push(...names.filter((n): n is string => typeof n === "string"));
    }
    for (const label of candidates) {
      const group = label === undefined ? root : root.child(`labels/${label}`);
      const attributes = await readGroupAttributes(group);
      const braid = attributes?.braid as Json | undefined;
      if (!braid || typeof braid.layout !== "object" || braid.layout === null) continue;
      const layout = checkLayout(braid.layout as OmeZarrLayout, group.describe("zarr.json"));
      const { layout: _, ...rest } = braid;
      return new OmeZarrWriter(backend, root, layout, rest);
    }
    throw new BraidError("NOT_FOUND", `${root.describe("zarr.json")}: no braid-written OME-Zarr pyramid here`, { file: root.describe("zarr.json") });
  }
}

/** A zarr v3 group's attributes; undefined when there is no `zarr.json`. */
async function readGroupAttributes(group: Storage): Promise<Json | undefined> {
  const bytes = await group.read("zarr.json");
  if (bytes === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new BraidError("SPEC_INVALID", `${group.describe("zarr.json")}: not JSON (${(e as Error).message})`, { file: group.describe("zarr.json") });
  }
  const attributes = (doc as Json | null)?.attributes;
  return typeof attributes === "object" && attributes !== null ? (attributes as Json) : {};
}
