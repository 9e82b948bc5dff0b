// Seed 003 "Using Process Class: Basic Usage".
import * as mp from 'multiproc';

export function myFunction(name: string): void {
  console.log(`Hello from ${name}`);
}

if (mp.isMainProcess()) {
  const p1 = new mp.Process({ target: myFunction, args: ['Process 1'] });
  const p2 = new mp.Process({ target: myFunction, args: ['Process 2'] });

  p1.start();
  p2.start();

  await p1.join();
  await p2.join();

  console.log('Both processes are done');
}
