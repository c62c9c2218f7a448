/** Every `braid` subcommand, in `--help` order. */
import type { Command } from "../command.js";
import { downres } from "./downres.js";
import { demoCommand } from "./demo.js";
import { exportCommand } from "./export.js";
import { manifestCommand } from "./manifest.js";
import { synthCommand } from "./synth.js";
import { verifyCommand } from "./verify.js";
import { viewCommand } from "./view.js";
import { workerCommand } from "./worker.js";

export const commands: Command[] = [exportCommand, verifyCommand, manifestCommand, workerCommand, synthCommand, demoCommand, downres, viewCommand];
