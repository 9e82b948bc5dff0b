import { logShutdown } from './logger.js';

/**
 * Work a child finishes before it exits after its target returns, as Python's children join
 * their queues' feeder threads: a queue's messages still waiting for room are written first.
 */
const pending = new Set<Promise<unknown>>();

/** Keeps the child from exiting until `work` settles. */
export function finishBeforeExit(work: Promise<unknown>): void {
  pending.add(work);
  void work.finally(() => pending.delete(work));
}

/** Logs the shutdown, then resolves when everything registered (and registered meanwhile) has settled. */
export async function finishPendingWork(): Promise<void> {
  logShutdown();
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
