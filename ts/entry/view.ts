/**
 * `braid-seg/view` (Node only): the `braid view` server as an API, for tests and notebooks.
 * A subpath of its own so that the http server, the neuroglancer client lookup and Node's
 * `http` module stay out of the main entry points and out of browser bundles.
 *
 * ```js
 * import { serveVolume } from "braid-seg/view";
 * const server = await serveVolume({ volumes: ["out/precomputed"] });
 * console.log(server.url); // open it; later: await server.close()
 * ```
 */
import { defaultNodeBackend } from "../backend/node.js";
import { serveVolume as serveOn, type ServeVolumeOptions, type VolumeServer } from "../view/server.js";

export type { ServeVolumeOptions, VolumeServer } from "../view/server.js";
export type { Dimension, VolumeLayer } from "../view/layer.js";
export { viewerState, viewerUrl } from "../view/state.js";

/** Serves the neuroglancer client and `volumes` on loopback; resolves once listening. */
export function serveVolume(options: ServeVolumeOptions): Promise<VolumeServer> {
  return serveOn(defaultNodeBackend(), options);
}
