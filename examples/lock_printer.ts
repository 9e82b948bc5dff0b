// Seed 003 "Using Lock to Synchronize Processes": one process prints at a time.
import * as mp from 'multiproc';

export async function printer(item: string, lock: mp.Lock): Promise<void> {
  await lock.acquire();
  try {
    console.log(`Printing ${item}`);
  } finally {
    lock.release();
  }
}

if (mp.isMainProcess()) {
  const lock = new mp.Lock();
  const items = ['apple', 'banana', 'cherry'];

  const processes: mp.Process[] = [];
  for (const item of items) {
    const p = new mp.Process({ target: printer, args: [item, lock] });
    p.start();
    processes.push(p);
  }
  for (const p of processes) await p.join();
}
