/** How many worker threads "all cores" means here, without importing Node modules statically. */
export async function defaultWorkers(): Promise<number> {
  if (typeof process !== "undefined" && process.versions?.node) {
    const os = await import("node:os");
    return Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
  }
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}
