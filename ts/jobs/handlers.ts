/** Imports every module that registers a task kind, so workers can run all of them. */
import "./downres/handler.js";
import "./export/unit-task.js";
import "./synth/synth-task.js";
export {};
