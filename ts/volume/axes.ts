/**
 * Axes of a stored array and the spatial frame braid reads in. Arrays list their dimensions in
 * storage order (C order, the last fastest: OME-Zarr's `[t, c, z, y, x]`); braid's spatial
 * coordinates are always `[x, y, z]`. Units are OME-NGFF's (UDUNITS-2 names); a volume whose
 * spatial axes use different length units is read in nanometres.
 */
import { BraidError } from "../errors.js";

/** What an axis measures (OME-NGFF `axes[].type`; anything else is kept as given). */
export type AxisType = "space" | "time" | "channel" | (string & {});

export interface Axis {
  /** The format's name for the dimension (`"z"`, `"c"`, `"t"`, `"fov"`, …). */
  name: string;
  type: AxisType;
  /** Physical unit, e.g. `"nanometer"`; undefined when the format gives none. */
  unit?: string;
}

/** Length units OME-NGFF allows, in nanometres. */
const LENGTH_NM: Record<string, number> = {
  angstrom: 0.1,
  attometer: 1e-9,
  centimeter: 1e7,
  decimeter: 1e8,
  exameter: 1e27,
  femtometer: 1e-6,
  foot: 3.048e8,
  gigameter: 1e18,
  hectometer: 1e11,
  inch: 2.54e7,
  kilometer: 1e12,
  megameter: 1e15,
  meter: 1e9,
  micrometer: 1e3,
  mile: 1.609344e12,
  millimeter: 1e6,
  nanometer: 1,
  parsec: 3.0856775814913673e25,
  petameter: 1e24,
  picometer: 1e-3,
  terameter: 1e21,
  yard: 9.144e8,
  yoctometer: 1e-15,
  yottameter: 1e33,
  zeptometer: 1e-12,
  zettameter: 1e30,
};

export function isSpatial(axis: Axis): boolean {
  return axis.type === "space";
}

/**
 * The unit a volume's spatial coordinates are given in, and the factor that turns each spatial
 * axis' own unit into it: the common unit when all agree (or none is given), else nanometres.
 */
export function spatialUnit(units: readonly (string | undefined)[]): { unit: string; factors: number[] } {
  const given = [...new Set(units.filter((u): u is string => u !== undefined && u !== ""))];
  if (given.length <= 1) return { unit: given[0] ?? "", factors: units.map(() => 1) };
  const factors = units.map((u) => {
    const f = u === undefined || u === "" ? undefined : LENGTH_NM[u];
    if (f === undefined) {
      throw new BraidError("UNSUPPORTED", `spatial axes use the units ${JSON.stringify(units)}, which braid cannot bring to one length unit`);
    }
    return f;
  });
  return { unit: "nanometer", factors };
}

/**
 * Which storage dimensions hold x, y and z: by name where the spatial axes are called x, y, z,
 * else in storage order (slowest first = z). With two spatial axes z is absent (-1): such an
 * image reads as a volume one voxel deep.
 */
export function spatialDims(axes: readonly Axis[]): { x: number; y: number; z: number } {
  const spatial = axes.flatMap((a, d) => (isSpatial(a) ? [d] : []));
  if (spatial.length < 2 || spatial.length > 3) {
    throw new BraidError("UNSUPPORTED", `braid reads volumes with 2 or 3 spatial axes; these axes have ${spatial.length}: ${axes.map((a) => a.name).join(", ")}`);
  }
  const byName = (n: string) => spatial.find((d) => axes[d]!.name.toLowerCase() === n) ?? -2;
  const named = { x: byName("x"), y: byName("y"), z: spatial.length === 3 ? byName("z") : -1 };
  if (named.x >= 0 && named.y >= 0 && named.z !== -2) return named;
  const [a, b, c] = spatial;
  return spatial.length === 3 ? { z: a!, y: b!, x: c! } : { z: -1, y: a!, x: b! };
}
