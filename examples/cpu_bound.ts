// Seed 002 "Understanding the GIL Problem" (and seed 003's "Threading vs Multiprocessing"):
// four CPU-bound tasks run one after another, then in four processes.
import * as mp from 'multiproc';

// JavaScript runs this loop ~50x faster than CPython: 40x the seed's n so that the work, not a
// child's ~0.3 s start-up, dominates.
const N = 400_000_000;

export function cpuIntensiveTask(n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) count += i ** 2;
  return count;
}

const seconds = (start: number): string => ((performance.now() - start) / 1000).toFixed(2);

// JavaScript has no GIL-bound threads: the twin of the seed's four threads is what the GIL makes of
// them, the four tasks run one after another on one thread.
function testSequential(): void {
  const start = performance.now();
  for (let i = 0; i < 4; i++) cpuIntensiveTask(N);
  console.log(`Sequential: ${seconds(start)}s`);
}

async function testMultiprocessing(): Promise<void> {
  const start = performance.now();
  const processes: mp.Process[] = [];
  for (let i = 0; i < 4; i++) {
    const p = new mp.Process({ target: cpuIntensiveTask, args: [N] });
    p.start();
    processes.push(p);
  }
  for (const p of processes) await p.join();
  console.log(`Multiprocessing: ${seconds(start)}s`);
}

if (mp.isMainProcess()) {
  testSequential(); // ~4x one task
  await testMultiprocessing(); // ~4x one task / mp.cpuCount(), plus start-up
}
