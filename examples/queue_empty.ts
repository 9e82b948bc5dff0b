// Seed 001 "Inter-Process Communication with Queues": the consumer starts once the producer has
// finished and reads until the queue is empty.
import * as mp from 'multiproc';

export async function producer(queue: mp.Queue<number>): Promise<void> {
  // The seed prints i here, where it means to put it; either way 0 to 4 are printed once.
  for (let i = 0; i < 5; i++) await queue.put(i);
}

export async function consumer(queue: mp.Queue<number>): Promise<void> {
  while (!queue.empty()) console.log(await queue.get());
}

if (mp.isMainProcess()) {
  const queue = new mp.Queue<number>();
  const pp = new mp.Process({ target: producer, args: [queue] });
  const cp = new mp.Process({ target: consumer, args: [queue] });
  pp.start();
  await pp.join();
  cp.start();
  await cp.join();
}
