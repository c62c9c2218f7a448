/**
 * Worker-thread entry of every job: loads the pool's backend (a native addon instance per
 * thread, or WebAssembly), registers every task kind, then serves tasks.
 */
import { nodeBackend } from "../backend/node.js";
import { serveTasks, threadData } from "../pipeline/worker.js";
import "./handlers.js";

serveTasks(nodeBackend(threadData().backend));
