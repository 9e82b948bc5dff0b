// Seed 003 "Exception Handling in Child Process": the target handles its own exception.
import * as mp from 'multiproc';

export function worker(): void {
  try {
    // Trigger an exception
    throw new Error('Something went wrong!');
  } catch (e) {
    console.log(`Caught exception: ${(e as Error).message}`);
  }
}

if (mp.isMainProcess()) {
  const p = new mp.Process({ target: worker });
  p.start();
  await p.join();
}
