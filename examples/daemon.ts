// Seed 003 "Daemon Process": a daemon child is stopped when the main process exits.
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

export async function daemonWorker(started: mp.Event): Promise<void> {
  console.log('Starting Daemon');
  started.set();
  await sleep(5000);
  console.log('Exiting Daemon'); // never printed: the main process exits first
}

if (mp.isMainProcess()) {
  const started = new mp.Event();
  const daemonProcess = new mp.Process({ target: daemonWorker, args: [started] });
  daemonProcess.daemon = true;
  daemonProcess.start();
  // A Node child needs ~0.3 s to boot: wait until the daemon runs instead of guessing a sleep.
  await started.wait();
  console.log('Main Process exiting');
  // Falling off the end: the daemon does not keep this process alive and is terminated as it exits.
}
