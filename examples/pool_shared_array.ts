// Seed 003 "Using Shared Memory to Reduce Memory Overhead": a shared Array passed to starmap.
import * as mp from 'multiproc';

export function worker(i: number, arr: mp.SharedArray): void {
  arr[i] = arr[i] ** 2;
}

if (mp.isMainProcess()) {
  // Create a shared array (Python's Pool refuses shared objects as task arguments; multiproc passes them)
  const sharedArray = mp.Array('i', [0, 1, 2, 3, 4]);
  await using pool = new mp.Pool({ processes: 4 });
  await pool.starmap(worker, [0, 1, 2, 3, 4].map((i) => [i, sharedArray] as [number, mp.SharedArray]));
  // The seed prints nothing; the twin shows the squares the workers wrote.
  console.log(`[${[...sharedArray].join(', ')}]`);
}
