/**
 * CPython's Lib/test/_test_multiprocessing.py, the Semaphore and BoundedSemaphore cases
 * (_TestSemaphore). Python's get_value() is getValue(); acquire(False[, timeout]) is
 * acquireSync({ block: false }); acquire(True, timeout) is acquire({ timeout }) in ms.
 *
 * Skipped, and why:
 * - TestSyncManagerTypes.test_semaphore: no Manager yet.
 * - TestSyncManagerTypes.test_bounded_semaphore: no Manager yet.
 */
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { thrown, timed, waitedAtLeast } from './helpers.js';

const TIMEOUT = 100;

// _TestSemaphore._test_semaphore
async function countsDownAndUp(sem: mp.Semaphore): Promise<void> {
  expect(sem.getValue()).toBe(2);
  expect(await sem.acquire()).toBe(true);
  expect(sem.getValue()).toBe(1);
  expect(sem.acquireSync()).toBe(true);
  expect(sem.getValue()).toBe(0);
  expect(sem.acquireSync({ block: false })).toBe(false);
  expect(sem.getValue()).toBe(0);
  expect(sem.release()).toBeUndefined();
  expect(sem.getValue()).toBe(1);
  expect(sem.release()).toBeUndefined();
  expect(sem.getValue()).toBe(2);
}

describe('_TestSemaphore', () => {
  it('_TestSemaphore.test_semaphore', async () => {
    const sem = new mp.Semaphore(2);
    await countsDownAndUp(sem);
    expect(sem.release()).toBeUndefined();
    expect(sem.getValue()).toBe(3);
    expect(sem.release()).toBeUndefined();
    expect(sem.getValue()).toBe(4);
  });

  it('_TestSemaphore.test_bounded_semaphore', async () => {
    const sem = new mp.BoundedSemaphore(2);
    await countsDownAndUp(sem);
    // Commented out in CPython ("currently fails on OS/X"); part of the contract here.
    const err = thrown(() => sem.release());
    expect(err).toBeInstanceOf(mp.ReleaseError);
    expect(err.code).toBe('ERR_RELEASED_TOO_MANY_TIMES');
    expect(sem.getValue()).toBe(2);
  });

  it('_TestSemaphore.test_timeout', async () => {
    const sem = new mp.Semaphore(0);
    expect(sem.acquireSync({ block: false })).toBe(false);
    // acquire(False, TIMEOUT1): not blocking wins over the timeout.
    expect(sem.acquireSync({ block: false, timeout: TIMEOUT })).toBe(false);
    let t = await timed(() => sem.acquire({ timeout: TIMEOUT }));
    expect(t.value).toBe(false);
    waitedAtLeast(t.ms, TIMEOUT);
    t = await timed(() => sem.acquireSync({ timeout: TIMEOUT }));
    expect(t.value).toBe(false);
    waitedAtLeast(t.ms, TIMEOUT);
  });
});
