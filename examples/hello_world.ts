// Seed 003 "Getting Started with your First Multiprocessing Program".
import * as mp from 'multiproc';

export function printHello(): void {
  console.log('Hello, world!');
}

if (mp.isMainProcess()) {
  const process1 = new mp.Process({ target: printHello });
  const process2 = new mp.Process({ target: printHello });

  process1.start();
  process2.start();

  await process1.join();
  await process2.join();
}
