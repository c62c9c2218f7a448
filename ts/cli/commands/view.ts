/**
 * `braid view`: serves a neuroglancer client and the given volumes from one loopback origin
 * and prints the URL that opens them; runs until Ctrl-C (SIGINT) or SIGTERM.
 */
import { spawn } from "node:child_process";
import { serveVolume } from "../../entry/view.js";
import { intOption, UsageError, type Command } from "../command.js";

const usage = `arguments:
  <volume>...      paths, file://, gs:// or http(s):// URLs of neuroglancer precomputed
                   volumes or zarr v3 / OME-Zarr 0.5 images; each becomes a layer

options:
  --port <n>       port to listen on (default: any free port)
  --host <addr>    interface (default 127.0.0.1; anything else exposes the volumes)
  --open           open the URL in the default browser`;

/** The platform's "open this URL" command. */
function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", "", url]] : ["xdg-open", [url]];
  const child = spawn(cmd, args, { stdio: "ignore", detached: true });
  child.on("error", (e) => console.error(`braid view: could not open a browser (${e.message}); open the URL above yourself`));
  child.unref();
}

export const viewCommand: Command = {
  name: "view",
  summary: "look at volumes in neuroglancer (a local server for the client and the data)",
  usage,
  options: { port: { type: "string" }, host: { type: "string" }, open: { type: "boolean" } },
  async run(values, positionals) {
    if (positionals.length === 0) throw new UsageError("name at least one volume");
    const port = intOption(values, "port", 0);
    if (port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got ${port}`);
    const host = typeof values.host === "string" ? values.host : "127.0.0.1";
    const server = await serveVolume({
      volumes: positionals,
      port,
      host,
      onError: (line) => console.error(`braid view: ${line}`),
    });
    if (!/^(127\.|localhost$|::1$|\[::1\]$)/.test(host)) {
      console.error(`braid view: warning: listening on ${host}, so anyone who can reach it can read these volumes`);
    }
    console.log(`braid view: serving ${server.layers.length} volume${server.layers.length === 1 ? "" : "s"} at ${server.origin} (Ctrl-C stops)`);
    server.layers.forEach((l, i) => console.log(`  ${l.name}: ${l.format} ${l.type} from ${positionals[i]} → ${l.source}`));
    console.log("open:");
    console.log(server.url);
    if (values.open === true) openInBrowser(server.url);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
    console.log(`braid view: stopped (${signal})`);
    return 0;
  },
};
