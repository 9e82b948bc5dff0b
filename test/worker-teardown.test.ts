import { describe, expect, it } from 'vitest';
import { shmName, spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

// Each case runs in a child process: the failure it guards against aborts the whole process.
describe('worker threads torn down while using multiproc', () => {
  const rounds = { terminate: 12, exit: 12, busy: 40 };

  it.each(Object.keys(rounds))('the process survives (%s)', async (mode) => {
    const n = rounds[mode as keyof typeof rounds];
    const child = spawnChild('worker_teardown.mjs', { mode, rounds: n, tag: shmName('wt') });
    const out = await child.result(60_000);
    // Only survival is checked: a grant that reached the worker's JavaScript just before it was
    // stopped is lost with it, as a lock held by a terminated worker is.
    expect(out.rounds).toBe(n);
  }, 90_000);

  it('a lock or permit granted to a terminated worker that never saw it is given back', async () => {
    const child = spawnChild('worker_teardown.mjs', { mode: 'blocked', rounds: 5 });
    const out = await child.result(60_000);
    expect(out).toEqual({ rounds: 5, lockFree: 5, permits: 5 });
  }, 90_000);
});
