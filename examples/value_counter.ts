// Seed 003 "Using Value for a Shared Counter" (without its lock, as in the seed).
import * as mp from 'multiproc';

export function increment(sharedCounter: mp.SharedValue): void {
  // A read then a write: two processes doing it at once can lose an update (see value_get_lock.ts).
  sharedCounter.value += 1;
}

if (mp.isMainProcess()) {
  const counter = mp.Value('i', 0); // 'i' indicates an integer type
  const procs = Array.from({ length: 10 }, () => new mp.Process({ target: increment, args: [counter] }));

  for (const p of procs) p.start();

  for (const p of procs) await p.join();

  console.log(`Counter = ${counter.value}`);
}
