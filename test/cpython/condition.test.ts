/**
 * CPython's Lib/test/_test_multiprocessing.py, the Condition cases (_TestCondition), with real
 * child processes. CPython's waiters are a mix of processes and threads; here they are its
 * processes only (3 per phase), except in test_notify, whose second waiter (a thread in
 * CPython) is a process too: notify() must wake exactly one of two. Timeouts are in ms.
 *
 * Skipped, and why:
 * - _TestCondition.test_notify, test_notify_all, test_notify_n, their check_invariant(): private counters of CPython's implementation.
 * - _TestCondition.test_wait_result, its KeyboardInterrupt half: Python's SIGINT handling.
 * - TestSyncManagerTypes.test_condition: no Manager yet.
 */
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { joinAllOk, reaches, start, timed, useReaper, waitedAtLeast } from './helpers.js';
import { f, notifyOnce, waitForFour, waitForFourInVain } from './targets/condition.mjs';

useReaper();

const TIMEOUT = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Adds 1 to `state` `times` times, notifying each time (CPython sleeps 10 ms before each).
async function bump(cond: mp.Condition, state: mp.SharedValue<number>, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await sleep(10);
    await cond.withLock(() => {
      state.value += 1;
      cond.notify();
    });
  }
}

async function acquireTimes(sem: mp.Semaphore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect(await sem.acquire({ timeout: 30_000 })).toBe(true);
}

function waiters(n: number, cond: mp.Condition, sleeping: mp.Semaphore, woken: mp.Semaphore,
  timeout?: number): mp.Process[] {
  return Array.from({ length: n }, () => start(f, [cond, sleeping, woken, timeout], { daemon: true }));
}

describe('_TestCondition', () => {
  it('_TestCondition.test_notify', async () => {
    const cond = new mp.Condition();
    const sleeping = new mp.Semaphore(0);
    const woken = new mp.Semaphore(0);
    const workers = waiters(2, cond, sleeping, woken);

    // Wait for both children to sleep; none has woken up.
    await acquireTimes(sleeping, 2);
    await reaches(() => woken.getValue(), 0);

    // Wake up one, then the other.
    await cond.withLock(() => cond.notify());
    await reaches(() => woken.getValue(), 1);
    await cond.withLock(() => cond.notify());
    await reaches(() => woken.getValue(), 2);

    await joinAllOk(workers);
  });

  it('_TestCondition.test_notify_all', async () => {
    const cond = new mp.Condition();
    const sleeping = new mp.Semaphore(0);
    const woken = new mp.Semaphore(0);

    // Waiters that time out.
    const workers = waiters(3, cond, sleeping, woken, TIMEOUT);
    await acquireTimes(sleeping, 3);
    await acquireTimes(woken, 3);
    expect(woken.getValue()).toBe(0);

    // Waiters without a timeout: none wakes until notifyAll().
    workers.push(...waiters(3, cond, sleeping, woken));
    await acquireTimes(sleeping, 3);
    await sleep(TIMEOUT);
    expect(woken.getValue()).toBe(0);

    await cond.withLock(() => cond.notifyAll());
    await acquireTimes(woken, 3);
    expect(woken.getValue()).toBe(0);

    await joinAllOk(workers);
  });

  it('_TestCondition.test_notify_n', async () => {
    const cond = new mp.Condition();
    const sleeping = new mp.Semaphore(0);
    const woken = new mp.Semaphore(0);
    const workers = waiters(3, cond, sleeping, woken);
    await acquireTimes(sleeping, 3);
    await sleep(TIMEOUT);
    expect(woken.getValue()).toBe(0);

    await cond.withLock(() => cond.notify(2));
    await reaches(() => woken.getValue(), 2);

    // More than are waiting wakes the rest.
    await cond.withLock(() => cond.notify(4));
    await reaches(() => woken.getValue(), 3);

    // Nothing more to wake.
    await cond.withLock(() => cond.notify(3));
    expect(woken.getValue()).toBe(3);

    await joinAllOk(workers);
  });

  it('_TestCondition.test_timeout', async () => {
    const cond = new mp.Condition();
    await cond.acquire();
    let t = await timed(() => cond.wait(TIMEOUT));
    expect(t.value).toBe(false);
    waitedAtLeast(t.ms, TIMEOUT);
    t = await timed(() => cond.waitSync(TIMEOUT));
    expect(t.value).toBe(false);
    waitedAtLeast(t.ms, TIMEOUT);
    cond.release();
  });

  it('_TestCondition.test_waitfor', async () => {
    const cond = new mp.Condition();
    const state = mp.Value<number>('i', -1);
    const p = start(waitForFour, [cond, state], { daemon: true });

    await cond.withLock(async () => {
      expect(await cond.waitFor(() => state.value === 0)).toBe(true);
      expect(state.value).toBe(0);
    });
    await bump(cond, state, 4);
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('_TestCondition.test_waitfor_timeout', async () => {
    const cond = new mp.Condition();
    const state = mp.Value<number>('i', 0);
    const success = mp.Value<number>('i', 0);
    const sem = new mp.Semaphore(0);
    const p = start(waitForFourInVain, [cond, state, success, sem], { daemon: true });
    expect(await sem.acquire({ timeout: 30_000 })).toBe(true);

    // Only 3 increments: state 4 is never reached.
    await bump(cond, state, 3);
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(success.value).toBe(1);
  });

  it('_TestCondition.test_wait_result', async () => {
    const c = new mp.Condition();
    await c.withLock(async () => {
      expect(await c.wait(0)).toBe(false);
      expect(await c.wait(TIMEOUT)).toBe(false);
      const p = start(notifyOnce, [c]);
      expect(await c.wait(60_000)).toBe(true);
      await p.join();
    });
  });
});
