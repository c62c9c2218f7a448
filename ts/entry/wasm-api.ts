/**
 * WebAssembly, shared by the browser entry (`braid-seg` under the `browser` condition, and
 * `braid-seg/wasm` in browsers), which loads it with `await init()`, and by
 * `braid-seg/wasm` in Node, which instantiates it on import before this module runs.
 */
import { bindApi } from "../api.js";
import type * as Api from "../api-classes.js";
import type { BackendName, WasmSource } from "../backend/backend.js";
import { wasmBackend } from "../backend/wasm.js";

export * from "../index.js";

const api = bindApi(wasmBackend());

/** Which backend this entry's functions run on; undefined until `init()` has loaded it. */
export let backend: BackendName | undefined = api.core.ready ? "wasm" : undefined;

/**
 * Loads the WebAssembly module if it is not loaded yet (optionally from the given URL,
 * bytes or module, for bundlers that move the `.wasm`). Idempotent and safe to call
 * concurrently; a no-op in Node. Resolves to the backend's name.
 */
export async function init(input?: WasmSource): Promise<BackendName> {
  await api.core.init(input);
  backend = "wasm";
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
