// Uncontended lock: acquire+release pairs in a tight loop, one process whose
// main thread is pinned to --cpu.  --impl=multiproc: mp.Lock acquireSync()/
// release().  --impl=atomics: the floor, a plain JS compare-and-swap spin lock
// on a SharedArrayBuffer (CAS 0->1 to acquire, store 0 to release).
// Reports ns per pair for each run (after warm-up).
import { arg, main, now, pin, requireMp, summarize, tryMp } from './common.js';

const impl = arg('impl', 'multiproc', String);
const cpu = arg('cpu', 0);
const iters = arg('iters', 10_000_000);
const warmup = arg('warmup', 1_000_000);
const runs = arg('runs', 5);

function loopMultiproc(lock, n) {
  const t0 = now();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    lock.release();
  }
  return now() - t0;
}

function loopAtomics(word, n) {
  const t0 = now();
  for (let i = 0; i < n; i++) {
    while (Atomics.compareExchange(word, 0, 0, 1) !== 0);
    Atomics.store(word, 0, 0);
  }
  return now() - t0;
}

main(async () => {
  const mp = impl === 'multiproc' ? await requireMp() : await tryMp();
  const pinnedWith = pin(mp, cpu);
  let loop, target;
  if (impl === 'multiproc') {
    target = new mp.Lock();
    if (target.acquireSync() !== true) throw new Error('acquireSync() did not return true');
    target.release();
    loop = loopMultiproc;
  } else {
    target = new Int32Array(new SharedArrayBuffer(4));
    loop = loopAtomics;
  }
  loop(target, warmup);
  const samples = [];
  for (let r = 0; r < runs; r++) samples.push(Number(loop(target, iters)) / iters);
  return { unit: 'ns/pair', iters, warmup, runs, cpus: [cpu], pinnedWith, ...summarize(samples) };
}, { impl: impl === 'multiproc' ? 'multiproc' : 'atomics-cas', what: 'lock' });
