/**
 * CPython's Lib/test/_test_multiprocessing.py, the Lock and RLock cases (_TestLock), with real
 * child processes. Python's locked() is locked() in targets/lock.mjs; acquire(False) is
 * acquireSync({ block: false }); `with lock as locked:` is withLock().
 *
 * Skipped, and why:
 * - _TestLock.test_repr_lock: no repr() naming the owning process or thread (isMine() tells this process's ownership).
 * - _TestLock.test_repr_rlock: no repr() naming the owner and depth.
 * - TestSyncManagerTypes.test_lock: no Manager yet.
 * - TestSyncManagerTypes.test_rlock: no Manager yet.
 */
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { start, thrown, useReaper } from './helpers.js';
import { holdAndReport, locked } from './targets/lock.mjs';

useReaper();

// _TestLock.test_lock_locked_2processes and test_rlock_locked_2processes: held by a child, the
// lock is locked for the parent too.
async function lockedByAnotherProcess(lock: mp.Lock | mp.RLock): Promise<void> {
  const event = new mp.Event();
  const done = new mp.Event();
  const res = mp.Value('b', 0);
  const p = start(holdAndReport, [lock, event, res, done]);
  try {
    expect(await event.wait(20_000)).toBe(true);
    expect(locked(lock)).toBe(true);
    expect(lock.isMine()).toBe(false);
    expect(res.value).toBe(1);
  } finally {
    done.set();
  }
  await p.join();
  expect(p.exitCode).toBe(0);
}

describe('_TestLock', () => {
  it('_TestLock.test_lock', async () => {
    const lock = new mp.Lock();
    expect(await lock.acquire()).toBe(true);
    expect(locked(lock)).toBe(true);
    expect(lock.acquireSync({ block: false })).toBe(false);
    expect(lock.release()).toBeUndefined();
    expect(locked(lock)).toBe(false);
    const err = thrown(() => lock.release());
    expect(err).toBeInstanceOf(mp.ReleaseError);
    expect(err.code).toBe('ERR_RELEASED_TOO_MANY_TIMES');
  });

  it('_TestLock.test_lock_locked_2processes', async () => {
    await lockedByAnotherProcess(new mp.Lock());
  });

  it('_TestLock.test_rlock', async () => {
    const lock = new mp.RLock();
    expect(await lock.acquire()).toBe(true);
    expect(locked(lock)).toBe(true);
    expect(await lock.acquire()).toBe(true);
    expect(lock.acquireSync()).toBe(true);
    expect(lock.release()).toBeUndefined();
    expect(locked(lock)).toBe(true);
    expect(lock.release()).toBeUndefined();
    expect(lock.release()).toBeUndefined();
    expect(locked(lock)).toBe(false);
    const err = thrown(() => lock.release());
    expect(err).toBeInstanceOf(mp.ReleaseError);
    expect(err.code).toBe('ERR_NOT_OWNER');
  });

  it('_TestLock.test_rlock_locked_2processes', async () => {
    await lockedByAnotherProcess(new mp.RLock());
  });

  it('_TestLock.test_lock_context', async () => {
    const lock = new mp.Lock();
    expect(await lock.withLock(() => lock.isMine())).toBe(true);
    expect(locked(lock)).toBe(false);
  });

  it('_TestLock.test_rlock_context', async () => {
    const lock = new mp.RLock();
    expect(await lock.withLock(() => lock.isMine())).toBe(true);
    expect(locked(lock)).toBe(false);
  });
});
