/**
 * What a pool and its workers say to each other over a worker's Pipe. Work and results travel
 * as flat arrays (PlainList), which the queue codec writes without structured clone (on small
 * tasks v8.serialize alone would cost more than everything else), and several chunks share a
 * message when a worker is sent work ahead: one ring operation and one wake-up for all.
 */
import type { PlainList } from '../queue/codec.js';
import type { PackedError } from '../remote_error.js';
import type { TargetLocation } from '../process/target.js';

/**
 * Parent to worker, chunks one after the other: `id, fn, flags, (module, name)?, calls`. `fn`
 * numbers the function; the first chunk of a function a worker has not met yet also names it
 * (DEFINES). `calls` is an array: with STAR, of argument arrays; else of single arguments.
 */
export type WorkMessage = unknown[];
export const STAR = 1;
export const DEFINES = 2;

/** Parent to worker: work (sent as a PlainList, received as its array), or null to finish. */
export type ToWorker = WorkMessage | PlainList | null;

/**
 * Worker to parent, results of chunks in the order they ran: `id, us, values` for a chunk that
 * returned (`us`: microseconds it ran), `id, FAILED, error` for one that threw.
 */
export type ResultsMessage = unknown[];
export const FAILED = -1;

/** Worker to parent (results are sent as a PlainList). */
export type FromWorker =
  | ResultsMessage
  | PlainList
  | { kind: 'ready' }
  | { kind: 'initError'; error: PackedError };

/** How a worker starts: its initializer, and how many chunks it runs before retiring (0: no limit). */
export interface WorkerSetup {
  initializer: TargetLocation | null;
  initargs: unknown[];
  maxTasks: number;
}
