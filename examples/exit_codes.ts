// Seed 003 "Checking Process Exit Codes".
import * as mp from 'multiproc';

export function worker(): number {
  console.log(`Worker Function running on ${mp.currentProcess().name}`);
  return 1; // not the exit code: as in Python, what the target returns is dropped
}

if (mp.isMainProcess()) {
  const p = new mp.Process({ target: worker });
  p.start();
  await p.join();
  console.log(`Exit Code: ${p.exitCode}`); // 0 (set process.exitCode in the target for another)
}
