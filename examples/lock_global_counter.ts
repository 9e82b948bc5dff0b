// Seed 001 "Synchronizing Processes with Locks": a Lock around a *global* counter.
import * as mp from 'multiproc';

let counter = 0;

// The seed's increment() takes no parameter but is given the lock (a TypeError in Python): here it takes it.
export async function increment(lock: mp.Lock): Promise<void> {
  await lock.withLock(() => {
    counter += 1;
  });
}

if (mp.isMainProcess()) {
  const lock = new mp.Lock();
  const processes: mp.Process[] = [];
  for (let i = 0; i < 10; i++) {
    const p = new mp.Process({ target: increment, args: [lock] });
    processes.push(p);
    p.start();
  }
  for (const p of processes) await p.join();
  // Each child increments its own copy of `counter` (processes share no memory), so this prints 0
  // as in Python: share state with mp.Value instead (see value_get_lock.ts).
  console.log(`Final counter: ${counter}`);
}
