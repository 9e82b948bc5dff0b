// Seed 003 "Using Semaphore for Resource Control": at most three processes at a time.
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

// The seed's module-level `sem = Semaphore(3)` would be a new semaphore in every child (each child
// imports this module afresh, like Python's spawn): the semaphore travels in `args` instead.
export async function limitedResource(id: number, sem: mp.Semaphore): Promise<void> {
  await sem.withLock(async () => {
    console.log(`${id} is using the limited resource`);
    await sleep(200); // Simulate the actual usage
  });
}

if (mp.isMainProcess()) {
  const sem = new mp.Semaphore(3); // Allow up to 3 processes to access the resource
  const processes = Array.from({ length: 10 }, (_, i) => new mp.Process({ target: limitedResource, args: [i, sem] }));

  for (const p of processes) p.start();

  for (const p of processes) await p.join();
}
