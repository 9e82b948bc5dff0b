// Seed 003 "Process Inheritance": the main process and its child report their pids.
import * as mp from 'multiproc';

export function childProcess(): void {
  console.log(`Child Process ID: ${mp.currentProcess().pid}`);
}

if (mp.isMainProcess()) {
  console.log(`Main Process ID: ${mp.currentProcess().pid}`);
  const child = new mp.Process({ target: childProcess });
  child.start();
  await child.join();
}
