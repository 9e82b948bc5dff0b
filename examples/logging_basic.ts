// Seed 003 "Simple Logging in Python Multiprocessing".
import * as mp from 'multiproc';

export function worker(): void {
  const logger = mp.getLogger();
  logger.info(`${mp.currentProcess().name} is executing.`);
}

if (mp.isMainProcess()) {
  // The logger is silent until given a handler; children inherit the level (as with Python's spawn).
  mp.logToStderr('INFO');
  const processes = Array.from({ length: 5 }, () => new mp.Process({ target: worker }).start());
  for (const p of processes) await p.join();
}
