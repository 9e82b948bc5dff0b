import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

const CHILDREN = 4;
const PER_CHILD = 25_000;

async function runAll(args: Record<string, unknown>): Promise<void> {
  const go = new mp.Event();
  const kids = Array.from({ length: CHILDREN }, () =>
    spawnChild('counter.mjs', { ...args, n: PER_CHILD, go }));
  // Release them together so the increments really interleave.
  await new Promise((r) => setTimeout(r, 200));
  go.set();
  const results = await Promise.all(kids.map((k) => k.result(60_000)));
  for (const r of results) expect(r.ok).toBe(true);
}

describe('shared counter across 4 processes', () => {
  it('Value + its own lock (getLock) counts exactly', async () => {
    const v = mp.Value('i', 0);
    await runAll({ mode: 'valueLock', v });
    expect(v.value).toBe(CHILDREN * PER_CHILD);
  }, 90_000);

  it('RawValue + a separate mp.Lock counts exactly', async () => {
    const v = mp.RawValue('i', 0);
    const lock = new mp.Lock();
    await runAll({ mode: 'separate', v, lock });
    expect(v.value).toBe(CHILDREN * PER_CHILD);
    // The lock is free again afterwards.
    expect(lock.acquireSync({ block: false })).toBe(true);
    lock.release();
  }, 90_000);

  it('atomic add(1) counts exactly', async () => {
    const v = mp.Value('i', 0);
    await runAll({ mode: 'atomic', v });
    expect(v.value).toBe(CHILDREN * PER_CHILD);
    expect(v.load()).toBe(CHILDREN * PER_CHILD);
  }, 90_000);

  it('atomic add(1) on a bigint (q) Value counts exactly', async () => {
    const v = mp.Value('q', 0n);
    await runAll({ mode: 'atomic', v, big: true });
    expect(v.value).toBe(BigInt(CHILDREN * PER_CHILD));
  }, 90_000);
});

describe('async acquirers racing synchronous ones in other processes', () => {
  // A release landing between a native waiter's arm and its re-check once granted the lock to a
  // wait that was never delivered, wedging everybody; this reproduced it on every run.
  it('150 concurrent acquire() loops and 2 children count exactly, and nobody times out', async () => {
    const v = mp.RawValue('i', 0);
    const lock = new mp.Lock();
    const go = new mp.Event();
    const kids = [0, 1].map(() => spawnChild('counter.mjs', { mode: 'separate', v, lock, n: PER_CHILD, go }));
    let stop = false;
    const finished = Promise.all(kids.map((k) => k.result(60_000))).finally(() => { stop = true; });
    let mine = 0;
    let timeouts = 0;
    const loops = Array.from({ length: 150 }, async () => {
      while (!stop) {
        if (!(await lock.acquire({ timeout: 10_000 }))) { timeouts++; return; }
        v.value += 1;
        mine++;
        lock.release();
        await new Promise((r) => setImmediate(r));
      }
    });
    go.set();
    await finished;
    await Promise.all(loops);
    expect(timeouts).toBe(0);
    expect(mine).toBeGreaterThan(0);
    expect(v.value).toBe(2 * PER_CHILD + mine);
  }, 90_000);
});
