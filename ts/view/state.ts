/**
 * neuroglancer's URL state for the served volumes: one layer each, the coordinate space and
 * view of the first, zoomed so its data fills a panel. neuroglancer reads the state from the
 * URL fragment (`#!` + JSON), so opening the URL is all it takes.
 */
import type { VolumeLayer } from "./layer.js";

/** Screen pixels the data's extent should span in a cross-section panel. */
const PANEL_PIXELS = 400;

export function viewerState(layers: readonly VolumeLayer[]): Record<string, unknown> {
  const first = layers[0];
  if (!first) return { layers: [] };
  return {
    dimensions: first.dimensions,
    position: first.position,
    // Global-coordinate units per screen pixel; the 3D view's is its height in those units.
    crossSectionScale: Math.max(1, first.extent / PANEL_PIXELS),
    projectionScale: Math.max(64, first.extent * 1.5),
    layers: layers.map((l) => ({ type: l.type, source: l.source, name: l.name })),
    selectedLayer: { layer: first.name, visible: false },
    layout: "4panel",
  };
}

/** The page URL that opens `layers` in the client served at `origin`. */
export function viewerUrl(origin: string, layers: readonly VolumeLayer[]): string {
  return `${origin}/#!${encodeURIComponent(JSON.stringify(viewerState(layers)))}`;
}
