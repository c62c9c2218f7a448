/** Every `braid` subcommand, in `--help` order. */
import type { Command } from "../command.js";

export const commands: Command[] = [];
