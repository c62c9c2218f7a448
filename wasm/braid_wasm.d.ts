/* tslint:disable */
/* eslint-disable */

/**
 * Decoder of single record-batch messages.
 */
export class ArrowBatchDecoder {
    free(): void;
    [Symbol.dispose](): void;
    decode(message: Uint8Array | number[]): DvidRecords;
    constructor(schema: Uint8Array | number[]);
}

/**
 * Push decoder for a whole export stream.
 */
export class ArrowStreamDecoder {
    free(): void;
    [Symbol.dispose](): void;
    finish(): Float64Array;
    constructor();
    push(bytes: Uint8Array | number[]): DvidRecords;
}

/**
 * Records decoded from an export shard, held on the Rust side.
 */
export class DvidRecords {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    block(i: number): Uint8Array;
    chunks(): Int32Array;
    decode(i: number, supervoxels: boolean): any;
    labels(i: number): BigUint64Array;
    supervoxels(i: number): BigUint64Array;
    transcodeZarr(i: number, supervoxels: boolean, extent: Uint32Array | number[] | null | undefined, zarr_spec: Uint32Array | number[], block_size?: Uint32Array | number[] | null, gzip_level?: number | null): any;
    transcode(i: number, supervoxels: boolean, extent?: Uint32Array | number[] | null, block_size?: Uint32Array | number[] | null, gzip_level?: number | null): Uint8Array | undefined;
    uncompressedSize(i: number): number;
    readonly length: number;
}

/**
 * Writer of DVID-like export shards (synthetic data).
 */
export class ExportShardWriter {
    free(): void;
    [Symbol.dispose](): void;
    append(chunk: Int32Array | number[], labels: BigUint64Array | bigint[], supervoxels: BigUint64Array | bigint[], block: Uint8Array | number[], uncompressed_size: number): Uint8Array;
    finish(): any;
    constructor(batch_size: number, lazy_schema_index: boolean);
}

/**
 * Streaming writer of one shard file.
 */
export class ShardWriter {
    free(): void;
    [Symbol.dispose](): void;
    addChunk(chunk_id: bigint, payload: Uint8Array | number[]): void;
    addEncodedChunk(chunk_id: bigint, encoded: Uint8Array | number[]): void;
    chunkCount(): number;
    finish(): any;
    constructor(spec: Uint32Array | number[], shard: bigint, layout: number, gzip_level?: number | null);
    pendingLength(): number;
    takePending(): Uint8Array;
}

/**
 * Streaming writer of one zarr shard.
 */
export class ZarrShardWriter {
    free(): void;
    [Symbol.dispose](): void;
    addClippedChunk(position: Uint32Array | number[], voxels: Uint8Array | number[]): boolean;
    addEncodedChunk(position: Uint32Array | number[], encoded: Uint8Array | number[]): void;
    chunkCount(): number;
    finish(): any;
    constructor(spec: Uint32Array | number[], extent: Uint32Array | number[]);
    takePending(): Uint8Array;
}

export function chunkCells(size: Uint32Array | number[], chunk: Uint32Array | number[], ids: BigUint64Array | bigint[]): Uint32Array;

export function chunkIds(size: Uint32Array | number[], chunk: Uint32Array | number[], cells: Uint32Array | number[]): BigUint64Array;

export function chunkIdsInShard(spec: Uint32Array | number[], size: Uint32Array | number[], chunk: Uint32Array | number[], shard: bigint): BigUint64Array;

export function decodeCompressedSegmentationU32(data: Uint8Array | number[], shape: Uint32Array | number[], block_size: Uint32Array | number[]): Uint32Array;

export function decodeCompressedSegmentationU64(data: Uint8Array | number[], shape: Uint32Array | number[], block_size: Uint32Array | number[]): BigUint64Array;

export function decodeDvidBlock(block: Uint8Array | number[], labels?: BigUint64Array | bigint[] | null): any;

export function decodeMinishardIndex(spec: Uint32Array | number[], bytes: Uint8Array | number[], minishard: bigint): BigUint64Array;

export function decodeShardIndex(spec: Uint32Array | number[], bytes: Uint8Array | number[]): BigUint64Array;

export function decodeZarrChunk(spec: Uint32Array | number[], position: Uint32Array | number[], encoded: Uint8Array | number[]): Uint8Array;

export function decodeZarrShardIndex(spec: Uint32Array | number[], bytes: Uint8Array | number[]): BigUint64Array;

export function downresChunk(payloads: Uint8Array | number[], lengths: Uint32Array | number[], boxes: Float64Array | number[], source_domain: Float64Array | number[], output: Float64Array | number[], encodings: Uint32Array | number[], label_bits: number, factors: Uint32Array | number[], method: number, source_gzip: boolean, output_gzip?: number | null): Uint8Array | undefined;

export function downsampleU32(input: Uint32Array | number[], origin: Float64Array | number[], shape: Uint32Array | number[], factors: Uint32Array | number[], method: number): any;

export function downsampleU64(input: BigUint64Array | bigint[], origin: Float64Array | number[], shape: Uint32Array | number[], factors: Uint32Array | number[], method: number): any;

export function encodeCompressedSegmentationU32(volume: Uint32Array | number[], shape: Uint32Array | number[], block_size: Uint32Array | number[]): Uint32Array;

export function encodeCompressedSegmentationU64(volume: BigUint64Array | bigint[], shape: Uint32Array | number[], block_size: Uint32Array | number[]): Uint32Array;

export function encodeDvidBlock(volume: BigUint64Array | bigint[], shape: Uint32Array | number[]): Uint8Array;

export function encodeZarrChunk(spec: Uint32Array | number[], voxels: Uint8Array | number[]): Uint8Array;

/**
 * Every code a core error can carry (`braid_core::ERROR_CODES`).
 */
export function errorCodes(): string[];

export function gunzip(data: Uint8Array | number[], max_bytes?: number | null): Uint8Array;

export function gzip(data: Uint8Array | number[], level?: number | null): Uint8Array;

export function locateChunks(spec: Uint32Array | number[], ids: BigUint64Array | bigint[]): BigUint64Array;

export function parseCsvIndex(text: Uint8Array | number[]): any;

export function scanArrowStream(bytes: Uint8Array | number[]): any;

export function shardFileName(spec: Uint32Array | number[], shard: bigint): string;

export function shardGeometry(spec: Uint32Array | number[], size: Uint32Array | number[], chunk: Uint32Array | number[]): any;

export function shardOrigin(spec: Uint32Array | number[], size: Uint32Array | number[], chunk: Uint32Array | number[], shard: bigint): Uint32Array | undefined;

export function synthDvidRecord(params: Float64Array | number[], chunk: Int32Array | number[], zstd_level: number): any;

export function transcodeDvidBlock(block: Uint8Array | number[], labels?: BigUint64Array | bigint[] | null, extent?: Uint32Array | number[] | null, block_size?: Uint32Array | number[] | null, gzip_level?: number | null, uncompressed_size?: number | null): Uint8Array | undefined;

export function zarrArrayMetadata(shape: Uint32Array | number[], spec: Uint32Array | number[]): string;

export function zarrShardGrid(shape: Uint32Array | number[], spec: Uint32Array | number[]): Uint32Array;

export function zarrShardKey(shape: Uint32Array | number[], spec: Uint32Array | number[], shard: Uint32Array | number[]): string;

export function zstdCompress(data: Uint8Array | number[], level?: number | null): Uint8Array;

export function zstdDecompress(data: Uint8Array | number[], expected_size?: number | null, max_bytes?: number | null): Uint8Array;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_arrowbatchdecoder_free: (a: number, b: number) => void;
    readonly __wbg_arrowstreamdecoder_free: (a: number, b: number) => void;
    readonly __wbg_dvidrecords_free: (a: number, b: number) => void;
    readonly __wbg_exportshardwriter_free: (a: number, b: number) => void;
    readonly __wbg_shardwriter_free: (a: number, b: number) => void;
    readonly __wbg_zarrshardwriter_free: (a: number, b: number) => void;
    readonly arrowbatchdecoder_decode: (a: number, b: number, c: number) => [number, number, number];
    readonly arrowbatchdecoder_new: (a: number, b: number) => [number, number, number];
    readonly arrowstreamdecoder_finish: (a: number) => [number, number, number, number];
    readonly arrowstreamdecoder_new: () => number;
    readonly arrowstreamdecoder_push: (a: number, b: number, c: number) => [number, number, number];
    readonly chunkCells: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly chunkIds: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly chunkIdsInShard: (a: number, b: number, c: number, d: number, e: number, f: number, g: bigint) => [number, number, number, number];
    readonly decodeCompressedSegmentationU32: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly decodeCompressedSegmentationU64: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly decodeDvidBlock: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly decodeMinishardIndex: (a: number, b: number, c: number, d: number, e: bigint) => [number, number, number, number];
    readonly decodeShardIndex: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly decodeZarrChunk: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly decodeZarrShardIndex: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly downresChunk: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number, o: number, p: number, q: number, r: number) => [number, number, number, number];
    readonly downsampleU32: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number) => [number, number, number];
    readonly downsampleU64: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number) => [number, number, number];
    readonly dvidrecords_block: (a: number, b: number) => [number, number, number, number];
    readonly dvidrecords_chunks: (a: number) => [number, number];
    readonly dvidrecords_decode: (a: number, b: number, c: number) => [number, number, number];
    readonly dvidrecords_labels: (a: number, b: number) => [number, number, number, number];
    readonly dvidrecords_length: (a: number) => number;
    readonly dvidrecords_supervoxels: (a: number, b: number) => [number, number, number, number];
    readonly dvidrecords_transcode: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => [number, number, number, number];
    readonly dvidrecords_transcodeZarr: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => [number, number, number];
    readonly dvidrecords_uncompressedSize: (a: number, b: number) => [number, number, number];
    readonly encodeCompressedSegmentationU32: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly encodeCompressedSegmentationU64: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly encodeDvidBlock: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly encodeZarrChunk: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly errorCodes: () => [number, number];
    readonly exportshardwriter_append: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => [number, number, number, number];
    readonly exportshardwriter_finish: (a: number) => [number, number, number];
    readonly exportshardwriter_new: (a: number, b: number) => [number, number, number];
    readonly gunzip: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly gzip: (a: number, b: number, c: number) => [number, number, number, number];
    readonly locateChunks: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly parseCsvIndex: (a: number, b: number) => [number, number, number];
    readonly scanArrowStream: (a: number, b: number) => [number, number, number];
    readonly shardFileName: (a: number, b: number, c: bigint) => [number, number, number, number];
    readonly shardGeometry: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number];
    readonly shardOrigin: (a: number, b: number, c: number, d: number, e: number, f: number, g: bigint) => [number, number, number, number];
    readonly shardwriter_addChunk: (a: number, b: bigint, c: number, d: number) => [number, number];
    readonly shardwriter_addEncodedChunk: (a: number, b: bigint, c: number, d: number) => [number, number];
    readonly shardwriter_chunkCount: (a: number) => number;
    readonly shardwriter_finish: (a: number) => [number, number, number];
    readonly shardwriter_new: (a: number, b: number, c: bigint, d: number, e: number) => [number, number, number];
    readonly shardwriter_pendingLength: (a: number) => number;
    readonly shardwriter_takePending: (a: number) => [number, number, number, number];
    readonly synthDvidRecord: (a: number, b: number, c: number, d: number, e: number) => [number, number, number];
    readonly transcodeDvidBlock: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => [number, number, number, number];
    readonly zarrArrayMetadata: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly zarrShardGrid: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly zarrShardKey: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly zarrshardwriter_addClippedChunk: (a: number, b: number, c: number, d: number, e: number) => [number, number, number];
    readonly zarrshardwriter_addEncodedChunk: (a: number, b: number, c: number, d: number, e: number) => [number, number];
    readonly zarrshardwriter_chunkCount: (a: number) => number;
    readonly zarrshardwriter_finish: (a: number) => [number, number, number];
    readonly zarrshardwriter_new: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly zarrshardwriter_takePending: (a: number) => [number, number, number, number];
    readonly zstdCompress: (a: number, b: number, c: number) => [number, number, number, number];
    readonly zstdDecompress: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly rust_zstd_wasm_shim_calloc: (a: number, b: number) => number;
    readonly rust_zstd_wasm_shim_free: (a: number) => void;
    readonly rust_zstd_wasm_shim_malloc: (a: number) => number;
    readonly rust_zstd_wasm_shim_memcmp: (a: number, b: number, c: number) => number;
    readonly rust_zstd_wasm_shim_memcpy: (a: number, b: number, c: number) => number;
    readonly rust_zstd_wasm_shim_memmove: (a: number, b: number, c: number) => number;
    readonly rust_zstd_wasm_shim_memset: (a: number, b: number, c: number) => number;
    readonly rust_zstd_wasm_shim_qsort: (a: number, b: number, c: number, d: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __externref_drop_slice: (a: number, b: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
