// Seed 001 "Sharing State Between Processes": a Value guarded by its own lock.
import * as mp from 'multiproc';

export async function increment(sharedValue: mp.SharedValue): Promise<void> {
  await sharedValue.getLock().withLock(() => {
    sharedValue.value += 1;
  });
}

if (mp.isMainProcess()) {
  const sharedValue = mp.Value('i', 0);
  const processes = Array.from({ length: 10 }, () => new mp.Process({ target: increment, args: [sharedValue] }));
  for (const p of processes) p.start();
  for (const p of processes) await p.join();
  console.log(`Final value: ${sharedValue.value}`);
}
