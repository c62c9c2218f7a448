/**
 * Node entry (`braid-seg`): the native addon, or WebAssembly with a one-line warning when no
 * binary loads. `BRAID_BACKEND=native|wasm` forces one.
 */
import { bindApi } from "../api.js";
import type * as Api from "../api-classes.js";
import { defaultNodeBackend } from "../backend/node.js";
import type { BackendName } from "../backend/backend.js";

export * from "../index.js";

const api = bindApi(defaultNodeBackend());

/** Which backend this entry's functions run on. */
export const backend: BackendName = api.core.name;

/** A no-op in Node: the backend loads on import. Resolves to the backend's name. */
export async function init(): Promise<BackendName> {
  return backend;
}

// prettier-ignore
export const {
  core, decodeDvidBlock, decodeDvidBlockAsync, encodeDvidBlock, transcodeDvidBlock, transcodeDvidBlockAsync,
  encodeCompressedSegmentation, encodeCompressedSegmentationAsync, decodeCompressedSegmentation,
  decodeCompressedSegmentationAsync, gzip, gzipAsync, gunzip, gunzipAsync, zstdDecompress, zstdCompress,
  downsampleMode, downresChunk, chunkIds, chunkId, chunkCells, locateChunks, shardFileName, shardGeometry,
  shardOrigin, chunkIdsInShard, decodeShardIndex, decodeMinishardIndex, ShardWriter, ArrowStreamDecoder,
  ArrowBatchDecoder, ExportShardWriter, parseCsvIndex, scanArrowStream, synthDvidRecord, openDvidShard,
  ScaleGeometry, openPrecomputed, createPrecomputed, openVolume, exportVolume, planExport, verifyExport, synthExport,
  runManifestTask, planDownres, downresVolume, runDownresTasks, runDownresManifestTask,
} = api;
export type ShardWriter = Api.ShardWriter;
export type ArrowStreamDecoder = Api.ArrowStreamDecoder;
export type ArrowBatchDecoder = Api.ArrowBatchDecoder;
export type ExportShardWriter = Api.ExportShardWriter;
export type ScaleGeometry = Api.ScaleGeometry;
