// Seed 003 "Using Queue for Communication": the worker puts a message, the main process gets it.
import * as mp from 'multiproc';

export async function worker(q: mp.Queue<string>): Promise<void> {
  await q.put('Hello from the worker process');
}

if (mp.isMainProcess()) {
  const myQueue = new mp.Queue<string>();
  const p = new mp.Process({ target: worker, args: [myQueue] });
  p.start(); // The seed never starts the worker (nor joins it, as its text says it does).

  const message = await myQueue.get();
  console.log(`Main process received message: ${message}`);
  await p.join();
}
