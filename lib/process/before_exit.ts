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

/** Resolves when everything registered (including work registered meanwhile) has settled. */
export async function finishPendingWork(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
