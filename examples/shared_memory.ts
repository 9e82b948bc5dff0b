// Seed 002 "Shared Memory for Performance": a locked counter, then a shared array.
import * as mp from 'multiproc';

/** Safely increment shared counter */
export function incrementCounter(counter: mp.SharedValue, lock: mp.Lock, iterations: number): void {
  for (let i = 0; i < iterations; i++) {
    lock.acquireSync(); // a hot loop: block this child's thread rather than await each time
    try {
      counter.value += 1;
    } finally {
      lock.release();
    }
  }
}

/** Update shared array element */
export async function updateArray(sharedArray: mp.SharedArray, lock: mp.Lock, index: number,
  value: number): Promise<void> {
  await lock.withLock(() => {
    sharedArray[index] = value;
  });
}

if (mp.isMainProcess()) {
  // Shared value with lock
  const counter = mp.Value('i', 0); // 'i' = integer
  const lock = new mp.Lock();

  let processes: mp.Process[] = [];
  for (let i = 0; i < 4; i++) {
    const p = new mp.Process({ target: incrementCounter, args: [counter, lock, 25_000] });
    p.start();
    processes.push(p);
  }
  for (const p of processes) await p.join();
  console.log(`Final counter value: ${counter.value}`); // Should be 100000

  // Shared array
  const sharedArr = mp.Array('d', 10); // 'd' = double, zero-filled
  const arrLock = new mp.Lock();
  processes = [];
  for (let i = 0; i < 10; i++) {
    const p = new mp.Process({ target: updateArray, args: [sharedArr, arrLock, i, i * 1.5] });
    p.start();
    processes.push(p);
  }
  for (const p of processes) await p.join();
  // JavaScript prints 3, not 3.0.
  console.log(`Shared array: [${[...sharedArr].join(', ')}]`);
}
