import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { FIXTURES } from './helpers/children.js';

function startWorker(data: unknown): { worker: Worker; message: Promise<unknown> } {
  const worker = new Worker(path.join(FIXTURES, 'worker_counter.mjs'), { workerData: mp.serialize(data) });
  const message = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, message };
}

describe('worker_threads', () => {
  it('a Lock and an RLock shared by the main thread and two workers count exactly', async () => {
    // One counter per lock: two locks guarding one counter would race each other.
    const v = mp.RawValue('i', 0);
    const w = mp.RawValue('i', 0);
    const lock = new mp.Lock();
    const rlock = new mp.RLock();
    const n = 20_000;
    const workers = [startWorker({ mode: 'count', v, w, lock, rlock, n }), startWorker({ mode: 'count', v, w, lock, rlock, n })];
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      v.value += 1;
      lock.release();
    }
    await Promise.all(workers.map((w) => w.message));
    await Promise.all(workers.map((w) => w.worker.terminate()));
    expect(v.value).toBe(3 * n);
    expect(w.value).toBe(2 * n);
    // An RLock held by this thread is not the workers': it is free again.
    expect(rlock.acquireSync({ block: false })).toBe(true);
    rlock.release();
  });

  it('a worker terminated with 50 pending acquire()s leaves the lock usable', async () => {
    const lock = new mp.Lock();
    lock.acquireSync();
    const { worker, message } = startWorker({ mode: 'park', lock });
    expect(await message).toBe('parked');
    await worker.terminate();
    lock.release();
    // Nothing was granted to the dead worker: the lock is free.
    expect(lock.acquireSync({ timeout: 1000 })).toBe(true);
    lock.release();
  });
});
