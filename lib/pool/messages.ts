/** What a pool and its workers say to each other over a worker's Pipe. */
import type { PackedError } from '../remote_error.js';
import type { TargetLocation } from '../process/target.js';

/**
 * A chunk of calls of one function. With `star`, each entry of `calls` is one call's arguments;
 * without, each entry is the single argument of one call (map: no array per item to build,
 * serialize and read back).
 */
export interface TaskMessage {
  id: number;
  fn: TargetLocation;
  star: boolean;
  calls: unknown[];
}

/** Parent to worker: a chunk to run, or null to finish. */
export type ToWorker = TaskMessage | null;

/** Worker to parent. */
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'initError'; error: PackedError }
  | { kind: 'done'; id: number; values: unknown[] }
  | { kind: 'failed'; id: number; error: PackedError };

/** How a worker starts: its initializer, and how many chunks it runs before retiring (0: no limit). */
export interface WorkerSetup {
  initializer: TargetLocation | null;
  initargs: unknown[];
  maxTasks: number;
}
