/**
 * The raw surface both backends implement: the napi-rs addon (`native/`) and the
 * wasm-bindgen module (`wasm/`). `native.ts` and `wasm.ts` beside this file check their
 * generated bindings against these interfaces at compile time, so the two cannot drift.
 *
 * Conventions: shapes are `Uint32Array` `[x, y, z]` (or `[x, y, z, channels]`), volumes are
 * x-fastest, optional arguments are `undefined`/`null`, errors are thrown as
 * `Error("[CODE] message")` and converted to `BraidError` by the public API.
 */

/** A decoded volume as returned by a backend. */
export interface RawVolume {
  data: BigUint64Array;
  shape: Uint32Array;
}

/** A sharding spec as six words; see `encodeShardingSpec` in formats/precomputed/sharding.ts. */
export type SpecWords = Uint32Array;

export interface RawFinishedShard {
  index: Uint8Array;
  tail: Uint8Array;
  chunkCount: number;
  dataBytes: number;
}

export interface RawShardWriter {
  addChunk(chunkId: bigint, payload: Uint8Array): void;
  addEncodedChunk(chunkId: bigint, encoded: Uint8Array): void;
  pendingLength(): number;
  chunkCount(): number;
  takePending(): Uint8Array;
  finish(): RawFinishedShard;
  free?(): void;
}

export interface RawShardGeometry {
  minishardShape: Uint32Array;
  shardShape: Uint32Array;
  shards: BigUint64Array;
}

export interface RawDvidRecords {
  readonly length: number;
  chunks(): Int32Array;
  labels(i: number): BigUint64Array;
  supervoxels(i: number): BigUint64Array;
  block(i: number): Uint8Array;
  uncompressedSize(i: number): number;
  transcode(
    i: number,
    supervoxels: boolean,
    extent?: Uint32Array | null,
    blockSize?: Uint32Array | null,
    gzipLevel?: number | null,
  ): Uint8Array | null | undefined;
  /** Record `i` as a zarr inner chunk (and a precomputed payload when `blockSize` is given). */
  transcodeZarr(
    i: number,
    supervoxels: boolean,
    extent: Uint32Array | null | undefined,
    zarrSpec: ZarrSpecWords,
    blockSize?: Uint32Array | null,
    gzipLevel?: number | null,
  ): RawZarrTranscoded;
  decode(i: number, supervoxels: boolean): RawVolume;
  free?(): void;
}

/** A zarr shard spec as ten words; see `zarrSpecWords` in formats/zarr/shard-spec.ts. */
export type ZarrSpecWords = Uint32Array;

export interface RawZarrTranscoded {
  zarr?: Uint8Array | null;
  precomputed?: Uint8Array | null;
}

export interface RawFinishedZarrShard {
  head: Uint8Array;
  tail: Uint8Array;
  chunkCount: number;
  fileLen: number;
}

export interface RawZarrShardWriter {
  addClippedChunk(position: Uint32Array, voxels: Uint8Array): boolean;
  addEncodedChunk(position: Uint32Array, encoded: Uint8Array): void;
  chunkCount(): number;
  takePending(): Uint8Array;
  finish(): RawFinishedZarrShard;
  free?(): void;
}

export interface RawCsvIndex {
  variant: string;
  schemaSize?: number | null;
  chunks: Int32Array;
  records: Float64Array;
  offsets: Float64Array;
  sizes: Float64Array;
  batchRows: Uint32Array;
}

export interface RawStreamScan {
  schemaEnd: number;
  ranges: Float64Array;
  rows: Float64Array;
  nextOffset: number;
  finished: boolean;
}

export interface RawDownsampled<T> {
  data: T;
  origin: Float64Array;
  shape: Uint32Array;
}

export interface RawSynthRecord {
  block: Uint8Array;
  uncompressedSize: number;
  supervoxels: BigUint64Array;
  labels: BigUint64Array;
}

export interface BackendBinding {
  decodeDvidBlock(block: Uint8Array, labels?: BigUint64Array | null): RawVolume;
  encodeDvidBlock(volume: BigUint64Array, shape: Uint32Array): Uint8Array;
  encodeCompressedSegmentationU64(volume: BigUint64Array, shape: Uint32Array, blockSize: Uint32Array): Uint32Array;
  encodeCompressedSegmentationU32(volume: Uint32Array, shape: Uint32Array, blockSize: Uint32Array): Uint32Array;
  decodeCompressedSegmentationU64(data: Uint8Array, shape: Uint32Array, blockSize: Uint32Array): BigUint64Array;
  decodeCompressedSegmentationU32(data: Uint8Array, shape: Uint32Array, blockSize: Uint32Array): Uint32Array;
  transcodeDvidBlock(
    block: Uint8Array,
    labels?: BigUint64Array | null,
    extent?: Uint32Array | null,
    blockSize?: Uint32Array | null,
    gzipLevel?: number | null,
    uncompressedSize?: number | null,
  ): Uint8Array | null | undefined;
  gzip(data: Uint8Array, level?: number | null): Uint8Array;
  gunzip(data: Uint8Array, maxBytes?: number | null): Uint8Array;
  zstdDecompress(data: Uint8Array, expectedSize?: number | null, maxBytes?: number | null): Uint8Array;
  zstdCompress(data: Uint8Array, level?: number | null): Uint8Array;

  chunkIds(size: Uint32Array, chunk: Uint32Array, cells: Uint32Array): BigUint64Array;
  chunkCells(size: Uint32Array, chunk: Uint32Array, ids: BigUint64Array): Uint32Array;
  locateChunks(spec: SpecWords, ids: BigUint64Array): BigUint64Array;
  shardFileName(spec: SpecWords, shard: bigint): string;
  shardGeometry(spec: SpecWords, size: Uint32Array, chunk: Uint32Array): RawShardGeometry | null | undefined;
  shardOrigin(spec: SpecWords, size: Uint32Array, chunk: Uint32Array, shard: bigint): Uint32Array | null | undefined;
  chunkIdsInShard(spec: SpecWords, size: Uint32Array, chunk: Uint32Array, shard: bigint): BigUint64Array;
  decodeShardIndex(spec: SpecWords, bytes: Uint8Array): BigUint64Array;
  decodeMinishardIndex(spec: SpecWords, bytes: Uint8Array, minishard: bigint): BigUint64Array;
  ShardWriter: new (spec: SpecWords, shard: bigint, layout: number, gzipLevel?: number | null) => RawShardWriter;

  zarrShardGrid(shape: Uint32Array, spec: ZarrSpecWords): Uint32Array;
  zarrShardKey(shape: Uint32Array, spec: ZarrSpecWords, shard: Uint32Array): string;
  zarrArrayMetadata(shape: Uint32Array, spec: ZarrSpecWords): string;
  decodeZarrShardIndex(spec: ZarrSpecWords, bytes: Uint8Array): BigUint64Array;
  decodeZarrChunk(spec: ZarrSpecWords, position: Uint32Array, encoded: Uint8Array): Uint8Array;
  encodeZarrChunk(spec: ZarrSpecWords, voxels: Uint8Array): Uint8Array;
  ZarrShardWriter: new (spec: ZarrSpecWords, extent: Uint32Array) => RawZarrShardWriter;

  ArrowStreamDecoder: new () => { push(bytes: Uint8Array): RawDvidRecords; finish(): Float64Array; free?(): void };
  ArrowBatchDecoder: new (schema: Uint8Array) => { decode(message: Uint8Array): RawDvidRecords; free?(): void };
  ExportShardWriter: new (batchSize: number, lazySchemaIndex: boolean) => {
    append(
      chunk: Int32Array,
      labels: BigUint64Array,
      supervoxels: BigUint64Array,
      block: Uint8Array,
      uncompressedSize: number,
    ): Uint8Array;
    finish(): { tail: Uint8Array; csv: string };
    free?(): void;
  };
  parseCsvIndex(text: Uint8Array): RawCsvIndex;
  scanArrowStream(bytes: Uint8Array): RawStreamScan;

  synthDvidRecord(params: Float64Array, chunk: Int32Array, zstdLevel: number): RawSynthRecord;

  /** Every error code the core can raise (`braid_core::ERROR_CODES`). */
  errorCodes(): string[];

  /** A pyramid step's output chunk; `outputGzip` -1 for none, null for the default level. */
  downresChunk(
    payloads: Uint8Array,
    lengths: Uint32Array,
    boxes: Float64Array,
    sourceDomain: Float64Array,
    output: Float64Array,
    encodings: Uint32Array,
    labelBits: number,
    factors: Uint32Array,
    method: number,
    sourceGzip: boolean,
    outputGzip?: number | null,
  ): Uint8Array | null | undefined;
  downsampleU64(
    input: BigUint64Array,
    origin: Float64Array,
    shape: Uint32Array,
    factors: Uint32Array,
    method: number,
  ): RawDownsampled<BigUint64Array>;
  downsampleU32(
    input: Uint32Array,
    origin: Float64Array,
    shape: Uint32Array,
    factors: Uint32Array,
    method: number,
  ): RawDownsampled<Uint32Array>;
}

/** Off-main-thread variants only the native addon has (libuv thread pool). */
export interface AsyncBinding {
  decodeDvidBlockAsync(block: Uint8Array, labels?: BigUint64Array | null): Promise<RawVolume>;
  encodeCompressedSegmentationU64Async(
    volume: BigUint64Array,
    shape: Uint32Array,
    blockSize: Uint32Array,
  ): Promise<Uint32Array>;
  decodeCompressedSegmentationU64Async(
    data: Uint8Array,
    shape: Uint32Array,
    blockSize: Uint32Array,
  ): Promise<BigUint64Array>;
  transcodeDvidBlockAsync(
    block: Uint8Array,
    labels?: BigUint64Array | null,
    extent?: Uint32Array | null,
    blockSize?: Uint32Array | null,
    gzipLevel?: number | null,
    uncompressedSize?: number | null,
  ): Promise<Uint8Array | null>;
  gzipAsync(data: Uint8Array, level?: number | null): Promise<Uint8Array>;
  gunzipAsync(data: Uint8Array, maxBytes?: number | null): Promise<Uint8Array>;
}

