/** Label volumes in tests: sub-boxes, byte views and voxel equality with a readable failure. */
import { expect } from "vitest";
import type { Vec3, VoxelBox } from "braid-seg";

export const voxelCount = (s: Vec3) => s[0] * s[1] * s[2];

export const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The voxels of `box` out of `volume`, an x-fastest volume covering `domain`. */
export function crop(volume: BigUint64Array, domain: VoxelBox, box: VoxelBox): BigUint64Array {
  const [dx, dy] = domain.shape;
  const [bx, by, bz] = box.shape;
  const [x0, y0, z0] = [0, 1, 2].map((d) => box.origin[d]! - domain.origin[d]!) as [number, number, number];
  const out = new BigUint64Array(bx * by * bz);
  for (let z = 0; z < bz; z++)
    for (let y = 0; y < by; y++) {
      const src = x0 + dx * (y + y0 + dy * (z + z0));
      out.set(volume.subarray(src, src + bx), bx * (y + by * z));
    }
  return out;
}

/** Voxel equality with the first difference named (toEqual on 10⁵ bigints is slow and unreadable). */
export function expectSameVoxels(actual: BigUint64Array, expected: BigUint64Array, what: string): void {
  expect(actual.length, `${what}: voxel count`).toBe(expected.length);
  if (bytesOf(actual).equals(bytesOf(expected))) return;
  const i = actual.findIndex((v, k) => v !== expected[k]);
  expect(`${what}: voxel ${i} = ${actual[i]}`).toBe(`${what}: voxel ${i} = ${expected[i]}`);
}
