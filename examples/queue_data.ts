// Seed 004 "Communication: Queues & Pipes": processes share no memory, so the worker's data comes
// back through a Queue.
import * as mp from 'multiproc';

export async function worker(q: mp.Queue<string>): Promise<void> {
  await q.put('Data from worker');
}

if (mp.isMainProcess()) {
  const q = new mp.Queue<string>();
  const p = new mp.Process({ target: worker, args: [q] });
  p.start();
  console.log(await q.get()); // Output: Data from worker
  await p.join();
}
