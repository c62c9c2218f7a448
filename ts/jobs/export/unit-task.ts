/** The task kind every export path shares: `braid export`, `braid worker` and `exportVolume`. */
import { registerTask } from "../../pipeline/tasks.js";
import type { ShardOutcome, UnitJob } from "./types.js";
import { runUnit } from "./unit.js";

export const EXPORT_UNIT_TASK = "braid.export-unit";

registerTask<UnitJob, ShardOutcome[]>(EXPORT_UNIT_TASK, (job, ctx) => runUnit(job, ctx));
