// Seed 003 "Setting CPU Affinity" (Linux), plus the Process options that apply CPU affinity and
// priority in the child before its target runs.
import * as mp from 'multiproc';

export function worker(): void {
  console.log(`Worker Function running on PID: ${process.pid}`);
}

export function pinnedWorker(): void {
  console.log(`Pinned worker running on CPUs [${mp.getAffinity(0).join(', ')}] with nice ${mp.getPriority(0)}`);
}

if (mp.isMainProcess()) {
  const p = new mp.Process({ target: worker });
  p.start();

  // Setting CPU affinity to CPU 0 and CPU 2 (Platform Specific); the kernel drops CPUs this machine lacks.
  mp.setAffinity(p.pid!, [0, 2]);
  await p.join();

  const pinned = new mp.Process({ target: pinnedWorker, affinity: [0], priority: 10 });
  pinned.start();
  await pinned.join();
}
