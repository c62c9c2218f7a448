/**
 * A disk that fills: the real 258-block DVID shard (mCNS spec, scale 1: one 1 MiB output
 * shard) exported onto a small filesystem mounted for the test — a tmpfs (`mount -t tmpfs -o
 * size=…`), or where that is refused a loopback ext4 image — with a filler file leaving less
 * room than the shard needs. The export fails with NO_SPACE naming the shard, exits non-zero,
 * and leaves nothing at the shard's key nor any temporary; once the filler is deleted, the
 * rerun with --only-missing completes and equals a clean run byte for byte. Needs root (CI runs
 * as root); a machine where neither mount works fails the test rather than skipping it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statfsSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { braid, hiddenFiles, jsonSummary, MCNS_SPEC, realSource, snapshot, tempDir } from "../helpers/export.js";

const SHARD = "16x16x16/0fe9.shard";
const cleanup: string[] = [];
let mountPoint: string;
let unmount: () => void;
/** Which filesystem the test got: for the failure message and the report. */
let kind: string;

/** Mounts a filesystem of `bytes` at `dir`: tmpfs, else a loopback ext4 image. */
function mountSmall(dir: string, bytes: number): { kind: string; unmount: () => void } {
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" });
  const errors: string[] = [];
  try {
    run("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir]);
    return { kind: "tmpfs", unmount: () => run("umount", [dir]) };
  } catch (e) {
    errors.push(`tmpfs: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  const image = `${dir}.img`;
  try {
    writeFileSync(image, "");
    run("truncate", ["-s", String(bytes), image]);
    run("mkfs.ext4", ["-q", "-F", image]);
    run("mount", ["-o", "loop", image, dir]);
    return {
      kind: "loopback ext4",
      unmount: () => {
        run("umount", [dir]);
        rmSync(image, { force: true });
      },
    };
  } catch (e) {
    rmSync(image, { force: true });
    errors.push(`loop: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  throw new Error(`cannot mount a size-limited filesystem (run as root): ${errors.join("; ")}`);
}

const free = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

beforeAll(() => {
  const base = tempDir("nospace");
  cleanup.push(base);
  mountPoint = join(base, "fs");
  mkdirSync(mountPoint);
  ({ kind, unmount } = mountSmall(mountPoint, 4 << 20));
});

afterAll(() => {
  unmount?.();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

it("a full filesystem: NO_SPACE naming the shard, nothing partial at its key; after freeing space the rerun completes", () => {
  const source = realSource();
  cleanup.push(source);
  const args = (dest: string) => ["export", "--source", source, "--dest", dest, "--spec", MCNS_SPEC, "--scales", "1", "--workers", "1", "--json"];
  const reference = tempDir("nospace-clean");
  cleanup.push(reference);
  expect(braid(args(reference)).code).toBe(0);
  const clean = snapshot(reference);
  expect(clean.has(SHARD)).toBe(true);

  // Room for the info (4 KB) but not for the 1 MiB shard.
  const filler = join(mountPoint, "filler");
  writeFileSync(filler, new Uint8Array(free(mountPoint) - (256 << 10)));
  const dest = join(mountPoint, "vol");
  const full = braid(args(dest));
  expect(full.code, `${kind}: ${full.stderr}`).toBe(1);
  const summary = jsonSummary(full.stdout);
  expect(summary.shards.failed).toBe(1);
  expect(summary.failures).toHaveLength(1);
  const [failure] = summary.failures;
  expect(failure!.code).toBe("NO_SPACE");
  expect(failure!.shard).toBe("0fe9.shard");
  expect(failure!.message).toContain(join(dest, SHARD));
  expect(full.stderr).toContain("[NO_SPACE]");
  expect(existsSync(join(dest, SHARD))).toBe(false);
  expect(hiddenFiles(dest)).toEqual([]);

  unlinkSync(filler);
  const resumed = braid([...args(dest), "--only-missing"]);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(jsonSummary(resumed.stdout).shards.written).toBe(1);
  expect(snapshot(dest)).toEqual(clean);
  expect(hiddenFiles(dest)).toEqual([]);
});
