// Seed 003 "Using Timeout to Avoid Deadlocks". The seed's bodies are lost; this follows its text:
// worker 2 gives up on a lock worker 1 keeps, and the main process reports a potential deadlock.
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

export async function worker1(lock: mp.Lock, holding: mp.Event): Promise<void> {
  await lock.withLock(async () => { // Critical section of code
    holding.set();
    await sleep(10_000); // Do something (for far too long: the main process terminates us)
  });
}

export async function worker2(lock: mp.Lock): Promise<void> {
  if (!(await lock.acquire({ timeout: 200 }))) throw new mp.TimeoutError('lock not acquired within 200 ms');
  try {
    // Do something else
  } finally {
    lock.release();
  }
}

if (mp.isMainProcess()) {
  const lock = new mp.Lock();
  const holding = new mp.Event();
  const p1 = new mp.Process({ target: worker1, args: [lock, holding] }).start();
  await holding.wait();
  const p2 = new mp.Process({ target: worker2, args: [lock] }).start();
  await p2.join();
  // Errors cross processes as their built-in class plus name and code: not instanceof mp.TimeoutError.
  if (p2.error?.name === 'TimeoutError') {
    console.log('Potential deadlock detected, terminating program');
    p1.terminate();
  }
  await p1.join();
}
