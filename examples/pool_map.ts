// Seed 001 "Using Process Pool": pool.map over a list.
import * as mp from 'multiproc';

export function addition(n: number): number {
  return n + 3;
}

if (mp.isMainProcess()) {
  const num = [1, 2, 3, 4, 5];
  // `await using` is Python's `with Pool() as pool:` (terminate() and join() on the way out).
  await using pool = new mp.Pool();
  const result = await pool.map(addition, num);
  console.log(`[${result.join(', ')}]`);
}
