// Seed 003 "Observing the Process Lifecycle".
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

export async function lifecycleDemo(): Promise<void> {
  console.log(`Process ${mp.currentProcess().name} is Created`);
  await sleep(100);
  console.log(`Process ${mp.currentProcess().name} is Running`);
  await sleep(100);
  console.log(`Process ${mp.currentProcess().name} is Terminated`);
}

if (mp.isMainProcess()) {
  const p = new mp.Process({ target: lifecycleDemo });
  p.start();
  await p.join();
}
