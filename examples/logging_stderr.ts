// Seed 003 "Logging with Multiprocessing": get_logger() and log_to_stderr().
import * as mp from 'multiproc';

const logger = mp.getLogger();

export function worker(): void {
  logger.info('Worker Function');
  console.log('Doing some work');
}

if (mp.isMainProcess()) {
  mp.logToStderr();
  logger.setLevel('INFO'); // children inherit this level
  const p = new mp.Process({ target: worker });
  p.start();
  await p.join();
}
