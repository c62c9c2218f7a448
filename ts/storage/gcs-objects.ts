/**
 * Object operations on top of {@link GcsApi}, each safe to retry: reads and deletes are
 * idempotent by nature; uploads and composes either replace (the same bytes again) or, with
 * `ifAbsent`, carry `ifGenerationMatch=0` and a tag of their own, so a retried create whose
 * first attempt succeeded (only its answer was lost) recognises its object instead of
 * reporting `ALREADY_EXISTS`.
 */
import { concatBytes } from "./bytes.js";
import type { GcsApi, Reply, Request } from "./gcs-api.js";

/** Custom metadata key holding the id of the conditional create that made the object. */
export const WRITE_TAG = "braid-write";

/** Most sources one compose request takes (a GCS limit). */
export const COMPOSE_LIMIT = 32;

export interface ObjectMeta {
  size: number;
  generation: string;
  metadata?: Record<string, string>;
}

export interface CreateOptions {
  ifAbsent?: boolean;
  contentType?: string;
}

const encoder = new TextEncoder();

/** Metadata of object `name`, `undefined` when there is none. */
export async function statObject(api: GcsApi, name: string, where: string, op = "stat"): Promise<ObjectMeta | undefined> {
  const reply = await api.send(op, where, { method: "GET", url: api.objectUrl(name, { fields: "size,generation,metadata" }) });
  if (reply.status === 404) return undefined;
  if (reply.status !== 200) throw api.fail(reply, op, where);
  const meta = JSON.parse(new TextDecoder().decode(reply.body)) as { size: string; generation: string; metadata?: Record<string, string> };
  return { size: Number(meta.size), generation: String(meta.generation), ...(meta.metadata ? { metadata: meta.metadata } : {}) };
}

/** Bytes of `name` (`range` inclusive, as in a `Range` header), pinned to `generation` if given. */
export function readMedia(api: GcsApi, name: string, where: string, range?: { first: number; last?: number }, generation?: string): Promise<Reply> {
  return api.send("read", where, {
    method: "GET",
    url: api.objectUrl(name, { alt: "media", generation }),
    ...(range ? { headers: { range: `bytes=${range.first}-${range.last ?? ""}` } } : {}),
  });
}

/** The precondition and metadata of a create: `ifAbsent` adds `ifGenerationMatch=0` and a tag. */
function conditions(options: CreateOptions): { tag?: string; query: Record<string, string>; metadata: object } {
  const tag = options.ifAbsent ? crypto.randomUUID() : undefined;
  return {
    ...(tag !== undefined ? { tag } : {}),
    query: tag !== undefined ? { ifGenerationMatch: "0" } : {},
    metadata: {
      ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
      ...(tag !== undefined ? { metadata: { [WRITE_TAG]: tag } } : {}),
    },
  };
}

/** Sends a create of `name`; a 412 after a retried attempt is its own success if the object carries `tag`. */
async function create(api: GcsApi, name: string, where: string, tag: string | undefined, request: Request): Promise<void> {
  const reply = await api.send("write", where, request);
  if (reply.status === 200) return;
  if (reply.status === 412 && tag !== undefined && reply.attempts > 1) {
    const meta = await statObject(api, name, where, "write");
    if (meta?.metadata?.[WRITE_TAG] === tag) return;
  }
  throw api.fail(reply, "write", where);
}

/**
 * Uploads `data` (bytes, or pieces to join) as object `name` in one request: a multipart
 * upload of metadata + media, built once (`data` is not kept) and sent again as is on retries.
 */
export function uploadObject(api: GcsApi, name: string, where: string, data: Uint8Array | readonly Uint8Array[], options: CreateOptions = {}): Promise<void> {
  const c = conditions(options);
  const boundary = `braid-${crypto.randomUUID()}`;
  const type = options.contentType ?? "application/octet-stream";
  const head = `--${boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify({ name, ...c.metadata })}\r\n--${boundary}\r\ncontent-type: ${type}\r\n\r\n`;
  const pieces = data instanceof Uint8Array ? [data] : data;
  const body = concatBytes([encoder.encode(head), ...pieces, encoder.encode(`\r\n--${boundary}--\r\n`)]);
  return create(api, name, where, c.tag, {
    method: "POST",
    url: api.uploadUrl({ uploadType: "multipart", ...c.query }),
    headers: { "content-type": `multipart/related; boundary=${boundary}` },
    body,
  });
}

/**
 * Composes `sources` (at most {@link COMPOSE_LIMIT}) into `name`. Retrying is safe: the sources
 * stay until the caller deletes them after success, so a repeat writes the same bytes.
 */
export function composeObject(api: GcsApi, sources: readonly string[], name: string, where: string, options: CreateOptions = {}): Promise<void> {
  const c = conditions(options);
  return create(api, name, where, c.tag, {
    method: "POST",
    url: api.objectUrl(name, c.query, "/compose"),
    headers: { "content-type": "application/json" },
    body: encoder.encode(JSON.stringify({ sourceObjects: sources.map((s) => ({ name: s })), destination: c.metadata })),
  });
}

/** Deletes `name`; a missing object (also: one a lost answer already deleted) is fine. */
export async function deleteObject(api: GcsApi, name: string, where: string): Promise<void> {
  const reply = await api.send("delete", where, { method: "DELETE", url: api.objectUrl(name) });
  if (reply.status !== 204 && reply.status !== 200 && reply.status !== 404) throw api.fail(reply, "delete", where);
}

/** One page of object names under `prefix`. */
export async function listPage(api: GcsApi, prefix: string, where: string, pageToken?: string): Promise<{ names: string[]; next?: string }> {
  const url = api.objectUrl("", { prefix, maxResults: 1000, pageToken, fields: "items(name),nextPageToken" });
  const reply = await api.send("list", where, { method: "GET", url });
  if (reply.status !== 200) throw api.fail(reply, "list", where);
  const page = JSON.parse(new TextDecoder().decode(reply.body)) as { items?: Array<{ name: string }>; nextPageToken?: string };
  return { names: (page.items ?? []).map((i) => i.name), ...(page.nextPageToken ? { next: page.nextPageToken } : {}) };
}
