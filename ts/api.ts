/**
 * The functions and classes of the public API that run on a backend, bound to one. Each entry
 * point binds them to its own backend (`braid-seg/native` to the addon, `braid-seg/wasm` to
 * WebAssembly, `braid-seg` to its default), so two entries imported in one process stay
 * independent. The high-level calls also take a `backend` option that wins for that call.
 *
 * Everything that runs on no backend (types, errors, storage, `info` handling, manifest
 * parsing) is in `index.ts`; the implementations take the backend as their first argument.
 */
import { chooseBackend, type Backend } from "./backend/backend.js";
import * as compression from "./core/compression.js";
import * as downsample from "./core/downsample.js";
import * as dvidBlock from "./formats/dvid/block.js";
import * as csvIndex from "./formats/dvid/csv-index.js";
import * as exportWriter from "./formats/dvid/export-writer.js";
import * as dvidShard from "./formats/dvid/open-shard.js";
import * as records from "./formats/dvid/records.js";
import * as synth from "./formats/dvid/synth.js";
import * as cseg from "./formats/precomputed/compressed-segmentation.js";
import * as geometry from "./formats/precomputed/geometry.js";
import type { ScaleInfo } from "./formats/precomputed/info.js";
import * as sharding from "./formats/precomputed/sharding.js";
import * as precomputed from "./formats/precomputed/volume.js";
import * as reading from "./formats/open-volume.js";
import * as downresRun from "./jobs/downres/run.js";
import * as downresPlan from "./jobs/downres/plan.js";
import type { DownresTask } from "./jobs/downres/task.js";
import * as exporting from "./jobs/export/export.js";
import * as downresWorker from "./jobs/manifests/downres-worker.js";
import * as exportWorker from "./jobs/manifests/export-worker.js";
import * as synthJob from "./jobs/synth/synth.js";
import * as verify from "./jobs/verify/verify.js";
import type { Storage } from "./storage/types.js";
import type { ChunkShape, LabelType, Vec3 } from "./types.js";

/** The first argument dropped: what a bound implementation looks like from outside. */
type Bound<F> = F extends (backend: Backend, ...args: infer A) => infer R ? (...args: A) => R : never;

export function bindApi(backend: Backend) {
  const bind =
    <F extends (backend: Backend, ...args: never[]) => unknown>(f: F): Bound<F> =>
    ((...args: never[]) => f(backend, ...args)) as Bound<F>;
  /** For calls whose options carry `backend`: the caller's choice, else this entry's. */
  const pick = (options: { backend?: Backend } | undefined) => chooseBackend(options?.backend, backend);

  return {
    /** The backend this entry point runs on. */
    core: backend,

    // DVID label blocks
    decodeDvidBlock: bind(dvidBlock.decodeDvidBlock),
    decodeDvidBlockAsync: bind(dvidBlock.decodeDvidBlockAsync),
    encodeDvidBlock: bind(dvidBlock.encodeDvidBlock),
    transcodeDvidBlock: bind(dvidBlock.transcodeDvidBlock),
    transcodeDvidBlockAsync: bind(dvidBlock.transcodeDvidBlockAsync),

    // compressed_segmentation, gzip, zstd
    encodeCompressedSegmentation: bind(cseg.encodeCompressedSegmentation),
    encodeCompressedSegmentationAsync: bind(cseg.encodeCompressedSegmentationAsync),
    decodeCompressedSegmentation: <T extends LabelType = "uint64">(
      data: Uint8Array | Uint32Array,
      shape: ChunkShape,
      options?: cseg.DecodeCompressedSegmentationOptions<T>,
    ) => cseg.decodeCompressedSegmentation<T>(backend, data, shape, options),
    decodeCompressedSegmentationAsync: <T extends LabelType = "uint64">(
      data: Uint8Array | Uint32Array,
      shape: ChunkShape,
      options?: cseg.DecodeCompressedSegmentationOptions<T>,
    ) => cseg.decodeCompressedSegmentationAsync<T>(backend, data, shape, options),
    gzip: bind(compression.gzip),
    gzipAsync: bind(compression.gzipAsync),
    gunzip: bind(compression.gunzip),
    gunzipAsync: bind(compression.gunzipAsync),
    zstdDecompress: bind(compression.zstdDecompress),
    zstdCompress: bind(compression.zstdCompress),

    // mode downsampling
    downsampleMode: <T extends BigUint64Array | Uint32Array>(
      volume: T,
      shape: Vec3,
      factors: Vec3,
      options?: downsample.DownsampleOptions,
    ) => downsample.downsampleMode<T>(backend, volume, shape, factors, options),
    downresChunk: bind(downsample.downresChunk),

    // neuroglancer_uint64_sharded_v1
    chunkIds: bind(sharding.chunkIds),
    chunkId: bind(sharding.chunkId),
    chunkCells: bind(sharding.chunkCells),
    locateChunks: bind(sharding.locateChunks),
    shardFileName: bind(sharding.shardFileName),
    shardGeometry: bind(sharding.shardGeometry),
    shardOrigin: bind(sharding.shardOrigin),
    chunkIdsInShard: bind(sharding.chunkIdsInShard),
    decodeShardIndex: bind(sharding.decodeShardIndex),
    decodeMinishardIndex: bind(sharding.decodeMinishardIndex),
    ShardWriter: class ShardWriter extends sharding.ShardWriter {
      constructor(spec: sharding.ShardingSpec, shard: bigint | number, options?: sharding.ShardWriterOptions) {
        super(backend, spec, shard, options);
      }
    },

    // DVID export files
    ArrowStreamDecoder: class ArrowStreamDecoder extends records.ArrowStreamDecoder {
      constructor() {
        super(backend);
      }
    },
    ArrowBatchDecoder: class ArrowBatchDecoder extends records.ArrowBatchDecoder {
      constructor(schema: Uint8Array) {
        super(backend, schema);
      }
    },
    ExportShardWriter: class ExportShardWriter extends exportWriter.ExportShardWriter {
      constructor(options?: { batchSize?: number; lazySchemaIndex?: boolean }) {
        super(backend, options);
      }
    },
    parseCsvIndex: bind(csvIndex.parseCsvIndex),
    scanArrowStream: bind(csvIndex.scanArrowStream),
    synthDvidRecord: bind(synth.synthDvidRecord),
    openDvidShard: bind(dvidShard.openDvidShard),

    // precomputed volumes
    ScaleGeometry: class ScaleGeometry extends geometry.ScaleGeometry {
      constructor(scale: ScaleInfo) {
        super(backend, scale);
      }
    },
    openPrecomputed: async (target: string | Storage, options?: precomputed.PrecomputedOptions) =>
      precomputed.openPrecomputed(pick(options), target, options),
    createPrecomputed: async (target: string | Storage, info: object, options?: precomputed.CreatePrecomputedOptions) =>
      precomputed.createPrecomputed(pick(options), target, info, options),

    // lazy reading of any volume (precomputed, zarr v2/v3, OME-Zarr 0.4/0.5)
    openVolume: async (target: string | Storage, options?: reading.OpenVolumeOptions) => reading.openVolume(pick(options), target, options),

    // jobs
    exportVolume: async (options: exporting.ExportOptions) => exporting.exportVolume(pick(options), options),
    planExport: async (options: exporting.ExportOptions) => exporting.planExport(pick(options), options),
    verifyExport: async (options: verify.VerifyOptions) => verify.verifyExport(pick(options), options),
    synthExport: async (options: synthJob.SynthExportOptions) => synthJob.synthExport(pick(options), options),
    runManifestTask: async (options: exportWorker.ManifestTaskOptions) => exportWorker.runManifestTask(pick(options), options),
    planDownres: async (options: downresPlan.PlanDownresOptions) => downresPlan.planDownres(pick(options), options),
    downresVolume: async (options: downresRun.DownresOptions) => downresRun.downresVolume(pick(options), options),
    runDownresTasks: async (
      tasks: readonly DownresTask[],
      options: Pick<downresRun.DownresOptions, "workers" | "on" | "backend"> = {},
    ) => downresRun.runDownresTasks(pick(options), tasks, options),
    runDownresManifestTask: async (options: downresWorker.DownresManifestTaskOptions) =>
      downresWorker.runDownresManifestTask(pick(options), options),
  };
}

/** What an entry point exports on top of `index.ts`. */
export type BoundApi = ReturnType<typeof bindApi>;
