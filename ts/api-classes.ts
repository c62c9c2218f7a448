/** The instance types of the classes entry points bind to their backend (`api.ts`). */
export type { ShardWriter } from "./formats/precomputed/sharding.js";
export type { ArrowBatchDecoder, ArrowStreamDecoder } from "./formats/dvid/records.js";
export type { ExportShardWriter } from "./formats/dvid/export-writer.js";
export type { ScaleGeometry } from "./formats/precomputed/geometry.js";
