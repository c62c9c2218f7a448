/** `braid export --downres` builds the pyramid right after the base scale, with downres's code. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { downsampleMode, openPrecomputed, type Vec3 } from "braid-seg";
import { braid, tempDir } from "../helpers/export.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

it("export --downres 1-2 writes scales 1 and 2 equal to mode downsampling of the scale before", async () => {
  const src = tempDir("xdr-src");
  const dest = tempDir("xdr-dest");
  dirs.push(src, dest);
  expect(braid(["synth", "--dest", src, "--size", "200,130,70", "--shard-blocks", "2", "--seed", "4"]).code).toBe(0);
  const r = braid(["export", "--source", src, "--dest", dest, "--spec", join(src, "spec.json"), "--scales", "0", "--downres", "1-2", "--workers", "0"]);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/downres done: scales 1,2/);
  const vol = await openPrecomputed(dest);
  for (const k of [1, 2]) {
    const [prev, cur] = [vol.scale(k - 1), vol.scale(k)];
    const domain = (s: typeof cur) => ({ origin: s.geometry.voxelOffset as Vec3, shape: s.geometry.size as Vec3 });
    const source = await prev.readRegion(domain(prev));
    const expected = downsampleMode(source, domain(prev).shape, [2, 2, 2], { origin: domain(prev).origin });
    expect(expected.shape).toEqual(domain(cur).shape);
    expect(await cur.readRegion(domain(cur))).toEqual(expected.data);
  }
});

it("export --json --downres is refused up front (the pyramid's text report would corrupt the JSON)", () => {
  const dest = tempDir("xdr-json");
  dirs.push(dest);
  const r = braid(["export", "--source", dest, "--dest", dest, "--spec", join(dest, "spec.json"), "--json", "--downres", "1"]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/--json cannot be combined with --downres/);
});
