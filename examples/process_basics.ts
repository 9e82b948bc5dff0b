// Seed 000 "Basic Process Creation with Multiprocessing": three workers started, then joined.
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

export async function worker(num: number): Promise<void> {
  console.log(`Worker ${num}: Starting`);
  await sleep(200); // Simulate some work
  console.log(`Worker ${num}: Finishing`);
}

if (mp.isMainProcess()) {
  const processes: mp.Process[] = [];
  for (let i = 0; i < 3; i++) {
    const p = new mp.Process({ target: worker, args: [i] });
    processes.push(p);
    p.start();
  }

  for (const p of processes) {
    await p.join(); // Wait for all processes to finish
  }

  console.log('All workers finished.');
}
