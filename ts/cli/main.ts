/**
 * `braid` — DVID export shards to neuroglancer precomputed, on a laptop or as an array job.
 * Usage: braid <command> [options]; `braid <command> --help` for a command's options.
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { BraidError, backend } from "../entry/node.js";
import { UsageError } from "./command.js";
import { commands } from "./commands/index.js";

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "braid — DVID segmentation to neuroglancer precomputed",
    "",
    "usage: braid <command> [options]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `braid <command> --help` for its options. BRAID_BACKEND=native|wasm picks the backend.",
  ].join("\n");
}

function version(): string {
  const require = createRequire(import.meta.url);
  const pkg = require("../../package.json") as { version: string };
  return `braid ${pkg.version} (${backend} backend)`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    console.log(version());
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`braid: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(`usage: braid ${command.name} [options]\n\n${command.summary}\n\n${command.usage}`);
      return 0;
    }
    return await command.run(values, positionals);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`braid ${command.name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    if (e instanceof BraidError) {
      console.error(`braid ${command.name}: error [${e.code}]: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
