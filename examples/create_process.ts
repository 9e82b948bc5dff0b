// Seed 001 "Creating a Process".
import * as mp from 'multiproc';

export function printNumb(): void {
  console.log('-----Hello-----');
}

if (mp.isMainProcess()) {
  const p = new mp.Process({ target: printNumb });
  p.start();
  await p.join();
}
