// Seed 002 "Inter-Process Communication with Queues": a producer and a consumer run together, and
// a null sentinel (Python's None) tells the consumer that nothing more is coming.
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

/** Produce items and put them in queue */
export async function producer(queue: mp.Queue<string | null>, items: string[]): Promise<void> {
  for (const item of items) {
    console.log(`Producing: ${item}`);
    await queue.put(item);
    await sleep(100);
  }
  await queue.put(null); // Sentinel value to signal completion
}

/** Consume items from queue */
export async function consumer(queue: mp.Queue<string | null>): Promise<void> {
  for (;;) {
    const item = await queue.get();
    if (item === null) break; // Check for sentinel
    console.log(`Consuming: ${item}`);
    await sleep(200);
  }
}

if (mp.isMainProcess()) {
  const q = new mp.Queue<string | null>();
  const items = ['data_1', 'data_2', 'data_3', 'data_4'];
  const prod = new mp.Process({ target: producer, args: [q, items] });
  const cons = new mp.Process({ target: consumer, args: [q] });
  prod.start();
  cons.start();
  await prod.join();
  await cons.join();
}
