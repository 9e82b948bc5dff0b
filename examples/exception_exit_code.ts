// Seed 003 "Handling Exceptions": an exception in the target does not reach the parent's
// try/catch; the parent sees a non-zero exit code.
import * as mp from 'multiproc';

export function faultyWorker(): void {
  throw new Error('Something went wrong!');
}

if (mp.isMainProcess()) {
  try {
    const p = new mp.Process({ target: faultyWorker });
    p.start();
    await p.join(); // the child prints the stack on its stderr and exits with code 1
    console.log(`Exit code: ${p.exitCode}`);
    // Unlike Python, the parent can also read what the target threw.
    console.log(`Child error: ${p.error?.message}`);
  } catch (e) {
    console.log(`Caught exception: ${e instanceof Error ? e.message : String(e)}`); // not reached
  }
}
