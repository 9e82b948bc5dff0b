// Seed 003 "Identifying PID, Parent, and Child Processes".
import * as mp from 'multiproc';

export function printInfo(): void {
  console.log(`Process ID: ${process.pid}`);
  console.log(`Parent Process ID: ${process.ppid}`);
}

if (mp.isMainProcess()) {
  console.log('Main Process:');
  printInfo();

  console.log('Child Process:');
  const p = new mp.Process({ target: printInfo });
  p.start();
  await p.join();
}
