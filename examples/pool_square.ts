// Seed 003 "Using Pool" (and seed 004 "The Pool Executor", seed 003 "Using Pool for Resource Management").
import * as mp from 'multiproc';

export function square(x: number): number {
  return x * x;
}

if (mp.isMainProcess()) {
  const data = [1, 2, 3, 4, 5];
  let results: number[];
  {
    await using pool = new mp.Pool();
    results = await pool.map(square, data);
  }
  console.log(`Squares: [${results.join(', ')}]`);
}
