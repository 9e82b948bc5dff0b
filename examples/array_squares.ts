// Seed 003 "Using Array for Shared Data".
import * as mp from 'multiproc';

export function square(i: number, numbers: mp.SharedArray): void {
  numbers[i] = numbers[i] ** 2;
}

if (mp.isMainProcess()) {
  const numbers = mp.Array('i', [0, 1, 2, 3, 4]);
  const procs = Array.from({ length: 5 }, (_, i) => new mp.Process({ target: square, args: [i, numbers] }));

  for (const p of procs) p.start();

  for (const p of procs) await p.join();

  console.log(`Squared numbers are: [${[...numbers].join(', ')}]`);
}
