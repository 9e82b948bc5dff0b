// npm run demo: four processes hammer one shared counter under a process-shared lock, while
// the parent's event loop keeps ticking, and a child killed while holding the lock cannot
// deadlock the rest.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as mp from 'multiproc';

const self = fileURLToPath(import.meta.url);

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ child, code, signal }));
  });
}

if (process.argv[2] === 'count') {
  const { counter, n } = mp.deserialize(Buffer.from(process.argv[3], 'base64'));
  const lock = counter.getLock();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    counter.value += 1;
    lock.release();
  }
} else if (process.argv[2] === 'die-holding') {
  const { lock } = mp.deserialize(Buffer.from(process.argv[3], 'base64'));
  lock.acquireSync();
  console.log(`  child ${process.pid} holds the lock and is killed`);
  process.kill(process.pid, 'SIGKILL');
} else {
  const counter = mp.Value('i', 0);
  const n = 250_000;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const payload = mp.serialize({ counter, n }).toString('base64');
  const started = performance.now();
  await Promise.all([0, 1, 2, 3].map(() => run(['count', payload])));
  const ms = performance.now() - started;
  clearInterval(timer);
  console.log(`4 processes x ${n} locked increments: counter = ${counter.value} (expected ${4 * n}) in ${ms.toFixed(0)} ms`);
  console.log(`the parent's event loop ticked ${ticks} times meanwhile`);

  const lock = new mp.Lock();
  await run(['die-holding', mp.serialize({ lock }).toString('base64')]);
  try {
    await lock.acquire();
  } catch (err) {
    console.log(`  next acquire: ${err.code}: ${err.message}`);
    lock.release();
  }
  console.log(`the lock is usable again: ${lock.acquireSync({ timeout: 100 })}`);
  lock.release();
}
