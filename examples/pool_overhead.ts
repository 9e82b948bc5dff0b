// Seed 003 "Overhead Measurement": for quick tasks a pool costs more than it saves.
import * as mp from 'multiproc';

export function square(x: number): number {
  return x * x;
}

if (mp.isMainProcess()) {
  const data = Array.from({ length: 1000 }, (_, i) => i);

  // Single-threaded execution
  let startTime = performance.now();
  data.map(square);
  console.log(`Single-threaded time: ${(performance.now() - startTime) / 1000}`);

  // Multi-process execution (starting the 4 workers included, as in the seed)
  startTime = performance.now();
  {
    await using pool = new mp.Pool({ processes: 4 });
    await pool.map(square, data);
  }
  console.log(`Multi-threaded time: ${(performance.now() - startTime) / 1000}`);
}
