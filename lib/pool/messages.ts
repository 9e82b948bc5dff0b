/**
 * What a pool and its workers say to each other over a worker's Pipe. Chunks and their results
 * travel as flat arrays (PlainList), which the queue codec writes without structured clone: on
 * small tasks, v8.serialize alone would cost more than everything else a task costs.
 */
import type { PlainList } from '../queue/codec.js';
import type { PackedError } from '../remote_error.js';
import type { TargetLocation } from '../process/target.js';

/**
 * Parent to worker, a chunk: `[id, fn, flags, (module, name)?, ...calls]`. `fn` numbers the
 * function; the first chunk of a function a worker has not met yet also names it (DEFINES).
 * With STAR each call is an array of arguments, else the single argument of the call.
 */
export type TaskMessage = unknown[];
export const STAR = 1;
export const DEFINES = 2;
/** Where the calls of a task message start. */
export const callsStart = (flags: number): number => ((flags & DEFINES) !== 0 ? 5 : 3);

/** Parent to worker: a chunk to run (sent as a PlainList, received as its array), or null to finish. */
export type ToWorker = TaskMessage | PlainList | null;

/** Worker to parent, a chunk done: `[id, microseconds it ran, ...values]`. */
export type DoneMessage = unknown[];
export const VALUES_START = 2;

/** Worker to parent (a DoneMessage is sent as a PlainList). */
export type FromWorker =
  | DoneMessage
  | PlainList
  | { kind: 'ready' }
  | { kind: 'initError'; error: PackedError }
  | { kind: 'failed'; id: number; error: PackedError };

/** How a worker starts: its initializer, and how many chunks it runs before retiring (0: no limit). */
export interface WorkerSetup {
  initializer: TargetLocation | null;
  initargs: unknown[];
  maxTasks: number;
}
