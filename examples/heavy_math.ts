// Seed 004 "Basic Multiprocessing": two CPU-bound processes at once.
import * as mp from 'multiproc';

export function heavyMath(name: string): void {
  console.log(`Process ${name} starting...`);
  let result = 0;
  for (let i = 0; i < 10 ** 7; i++) result += i * i;
  console.log(`Process ${name} finished.`);
}

if (mp.isMainProcess()) {
  // Create processes
  const p1 = new mp.Process({ target: heavyMath, args: ['A'] });
  const p2 = new mp.Process({ target: heavyMath, args: ['B'] });

  p1.start();
  p2.start();

  await p1.join();
  await p2.join();
}
