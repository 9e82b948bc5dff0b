// Seed 003 "Terminating a Process".
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

export async function worker(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    console.log('Working...');
    await sleep(200);
  }
}

if (mp.isMainProcess()) {
  const p = new mp.Process({ target: worker });
  p.start();
  await sleep(700); // Let it work for a while (its first ~0.3 s is Node booting)
  p.terminate();
  await p.join();
  console.log('Process terminated.');
  console.log(`Exit code: ${p.exitCode}`); // -15: ended by SIGTERM, as Python reports it
}
