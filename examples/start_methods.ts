// Seed 003 "Using spawn and fork Contexts".
import * as mp from 'multiproc';

export function worker(): void {
  console.log('Worker Function');
}

if (mp.isMainProcess()) {
  // Node cannot fork a running V8: multiproc offers 'spawn' and 'standby' (runtimes booted ahead
  // of time, like Python's forkserver) instead of 'fork'.
  for (const context of ['spawn', 'standby'] as const) {
    console.log(`Using ${context} start method`);
    mp.setStartMethod(context);
    if (context === 'standby') await mp.prepareStandby(); // let the standby finish booting
    const p = new mp.Process({ target: worker });
    p.start();
    await p.join();
  }
}
