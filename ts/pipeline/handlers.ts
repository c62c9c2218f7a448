/** Imports every module that registers a task kind, so workers can run all of them. */
export {};
