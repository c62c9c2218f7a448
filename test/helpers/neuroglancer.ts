/**
 * Drives the neuroglancer client `braid view` serves in headless Chromium: opens a viewer
 * URL, waits until neuroglancer itself reports every layer's source loaded and every visible
 * chunk drawn (`viewer.isReady()`, the signal its Python screenshot tool waits on), takes a
 * screenshot, saves it under target/test-artifacts/ and counts the segment colours in the
 * cross-section panels.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { PNG } from "pngjs";
import { repoRoot } from "./data.js";

export const ARTIFACTS = join(repoRoot, "target/test-artifacts");

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ViewerRun {
  /** Path of the saved screenshot. */
  screenshot: string;
  /** Milliseconds from navigation until the viewer was ready. */
  readyMs: number;
  /** Per layer: name, type, and the source error if one failed to load. */
  layers: { name: string; type: string | undefined; error: string | undefined }[];
  /** Distinct non-grey colours per cross-section panel. */
  panelColours: number[];
  /** Every response: request method, URL, status, request Range header. */
  responses: { method: string; url: string; status: number; range: string | undefined }[];
  /** Page errors and console errors. */
  problems: string[];
}

interface PageState {
  ready: boolean;
  layers: { name: string; type: string | undefined; loaded: boolean; error: string | undefined }[];
}

// Runs in the page: what neuroglancer says about its layers and whether all is drawn.
function pageState(): PageState {
  type DataSource = { loadState?: { error?: { message: string } } };
  type Managed = { name: string; layer: { type?: string; dataSources: DataSource[] } | null };
  const viewer = (window as unknown as { viewer: { isReady(): boolean; layerManager: { managedLayers: Managed[] } } }).viewer;
  const layers = viewer.layerManager.managedLayers.map((m) => {
    const sources = m.layer?.dataSources ?? [];
    const error = sources.map((s) => s.loadState?.error?.message).find((e) => e !== undefined);
    const loaded = m.layer !== null && sources.length > 0 && sources.every((s) => s.loadState !== undefined && s.loadState.error === undefined);
    return { name: m.name, type: m.layer?.type, loaded, error };
  });
  return { ready: viewer.isReady(), layers };
}

function slicePanelRects(): Rect[] {
  type Panel = { sliceView?: unknown; element: HTMLElement };
  const panels = (window as unknown as { viewer: { display: { panels: Set<Panel> } } }).viewer.display.panels;
  return [...panels]
    .filter((p) => p.sliceView !== undefined)
    .map((p) => {
      const r = p.element.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
}

/** Distinct colours in `rect` that are not grey (background, scale bar, text are grey or white). */
export function distinctColours(png: PNG, rect: Rect, scale = 1): number {
  const seen = new Set<number>();
  const [x0, y0] = [Math.ceil(rect.x * scale), Math.ceil(rect.y * scale)];
  const [x1, y1] = [Math.min(png.width, Math.floor((rect.x + rect.width) * scale)), Math.min(png.height, Math.floor((rect.y + rect.height) * scale))];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = 4 * (y * png.width + x);
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      if (r === g && g === b) continue;
      seen.add((r << 16) | (g << 8) | b);
    }
  }
  return seen.size;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens `url`, waits for neuroglancer to be ready (stable over a few polls), screenshots it. */
export async function runViewer(browser: Browser, url: string, artifact: string, timeoutMs = 90_000): Promise<ViewerRun> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  const responses: ViewerRun["responses"] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
  });
  page.on("response", (r) => responses.push({ method: r.request().method(), url: r.url(), status: r.status(), range: r.request().headers().range }));
  try {
    const started = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { viewer?: unknown }).viewer !== undefined, null, { timeout: 30_000 });
    // Ready, and still ready a moment later: chunks that arrive late would un-ready it.
    let state = await page.evaluate(pageState);
    for (let stable = 0; stable < 3; ) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`neuroglancer not ready after ${timeoutMs} ms: ${JSON.stringify(state)}; problems: ${problems.join("; ")}`);
      }
      if (state.layers.some((l) => l.error !== undefined)) break;
      stable = state.ready && state.layers.length > 0 && state.layers.every((l) => l.loaded) ? stable + 1 : 0;
      await sleep(200);
      state = await page.evaluate(pageState);
    }
    const readyMs = Date.now() - started;
    const rects = await page.evaluate(slicePanelRects);
    const buffer = await page.screenshot();
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, artifact);
    writeFileSync(screenshot, buffer);
    const png = PNG.sync.read(buffer);
    const dpr = await page.evaluate(() => window.devicePixelRatio);
    return {
      screenshot,
      readyMs,
      layers: state.layers.map(({ name, type, error }) => ({ name, type, error })),
      panelColours: rects.map((r) => distinctColours(png, r, dpr)),
      responses,
      problems,
    };
  } finally {
    await page.close();
  }
}
