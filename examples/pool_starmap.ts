// Seed 002 "Functions requiring multiple arguments": pool.starmap.
import * as mp from 'multiproc';

/** Calculate sum of range with custom step */
export function calculateRange(start: number, end: number, step: number): number {
  let sum = 0;
  for (let i = start; i < end; i += step) sum += i;
  return sum;
}

if (mp.isMainProcess()) {
  // List of argument tuples
  const tasks: [number, number, number][] = [
    [0, 1_000_000, 1],
    [0, 1_000_000, 2],
    [0, 1_000_000, 3],
    [0, 1_000_000, 4],
  ];
  await using pool = new mp.Pool({ processes: 4 });
  const results = await pool.starmap(calculateRange, tasks);
  console.log(`[${results.join(', ')}]`);
}
