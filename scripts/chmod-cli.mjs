// tsc keeps the shebang but not the executable bit the `bin` entry needs.
import { chmodSync } from "node:fs";
chmodSync(new URL("../dist/cli/bin.js", import.meta.url), 0o755);
