// Reads one z-slice of a volume with braid's openVolume and draws it on a canvas. The result is
// also left in `window.sliceResult` (what was read, where, and the value range) for tests.
import { init, openVolume } from "braid-seg";

const form = document.getElementById("controls");
const canvas = document.getElementById("slice");
const status = document.getElementById("status");

/** A label id's colour: a hash of its low and high 32 bits; 0 is black. */
function labelColour(v) {
  if (v === 0n || v === 0) return [0, 0, 0];
  const n = BigInt(v);
  let h = Number(n & 0xffffffffn) ^ Math.imul(Number(n >> 32n), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ (h >>> 16);
  return [64 + (h & 0x7f) * 1.5, 64 + ((h >>> 8) & 0x7f) * 1.5, 64 + ((h >>> 16) & 0x7f) * 1.5];
}

const hexColour = (hex) => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);

/** Opens `url`, reads the slice at world `z` of the level for `res`, and draws it. */
export async function showSlice(url, { z, res } = {}) {
  await init();
  const volume = await openVolume(new URL(url, location.href).href);
  const level = res ? volume.levelFor(Number(res)) : volume.scales[0];
  const { min, max } = volume.bounds;
  const zWorld = z === undefined || z === "" ? (min[2] + max[2]) / 2 : Number(z);
  const zVoxel = level.roiOfBox({ min: [min[0], min[1], zWorld], max: [max[0], max[1], zWorld] }).start[2];
  const start = [level.voxelOffset[0], level.voxelOffset[1], Math.min(zVoxel, level.voxelOffset[2] + level.shape[2] - 1)];
  const stop = [start[0] + level.shape[0], start[1] + level.shape[1], start[2] + 1];
  // Up to three channels of an image, the first index of every other non-spatial axis.
  const select = {};
  let channels = [{ colour: [1, 1, 1] }];
  for (const axis of volume.axes) {
    if (axis.type === "space") continue;
    if (axis.type === "channel" && axis.size > 1 && !/int(32|64)$/.test(volume.dataType)) {
      const n = Math.min(3, axis.size);
      select[axis.name] = [0, n];
      channels = Array.from({ length: n }, (_, i) => ({ colour: volume.channels[i]?.color ? hexColour(volume.channels[i].color) : [[1, 0, 0], [0, 1, 0], [0, 0, 1]][i] }));
    } else select[axis.name] = 0;
  }
  const t0 = performance.now();
  const r = await volume.read({ scale: level.index, roi: { start, stop }, select });
  const ms = performance.now() - t0;
  const [w, h] = r.shape;
  const plane = w * h;
  canvas.width = w;
  canvas.height = h;
  const image = new ImageData(w, h);
  const labels = volume.dataType === "uint64" || volume.dataType === "uint32";
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < r.data.length; i++) {
    const v = Number(r.data[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (let i = 0; i < plane; i++) {
    let rgb = [0, 0, 0];
    if (labels) rgb = labelColour(r.data[i]);
    else
      channels.forEach((c, k) => {
        const v = (Number(r.data[i + k * plane]) - lo) / (hi - lo || 1);
        rgb = rgb.map((x, j) => x + 255 * v * c.colour[j]);
      });
    image.data.set([...rgb.map((x) => Math.min(255, x)), 255], 4 * i);
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
  canvas.style.width = `${Math.max(256, w * Math.floor(512 / Math.max(w, h)) || w)}px`;
  const result = { url, format: volume.format, dataType: volume.dataType, scale: level.key, roi: r.roi, origin: r.origin, shape: r.shape, min: lo, max: hi, ms };
  status.textContent = JSON.stringify(result, null, 1);
  window.sliceResult = result;
  return result;
}

const params = new URLSearchParams(location.search);
form.url.value = params.get("url") ?? "";
form.z.value = params.get("z") ?? "";
form.res.value = params.get("res") ?? "";
form.addEventListener("submit", (e) => {
  e.preventDefault();
  const q = new URLSearchParams({ url: form.url.value, z: form.z.value, res: form.res.value });
  history.replaceState(null, "", `?${q}`);
  showSlice(form.url.value, { z: form.z.value, res: form.res.value }).catch((err) => (status.textContent = String(err)));
});
if (form.url.value) {
  showSlice(form.url.value, { z: form.z.value, res: form.res.value }).catch((err) => {
    status.textContent = String(err);
    window.sliceResult = { error: String(err) };
  });
}
