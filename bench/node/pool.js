// Pool benchmarks.  Per-task cost of a pool of 2 workers running a trivial function (x => 2x):
//   --what=map1   map over 20k items with chunksize 1; us per task
//   --what=map    map over 1M items with the default chunksize (about n / (4 x workers)); us per task
//   --what=apply  one apply() round trip; per run the median of --n applies; us (and p99 and
//                 max over the applies of every run)
// and the speed-up of a CPU-bound job on all CPUs:
//   --what=speedup  8 tasks per CPU, each `burn` for about --task-ms (25) ms, run one after the
//                   other in this process, then through the pool (workers = CPUs, one task per
//                   dispatch); per run the sequential time / the pool time
//   --impl=multiproc  mp.Pool({ processes })
//   --impl=piscina    piscina (worker_threads); --impl=tinypool: tinypool with runtime 'child_process'.
//                     Neither has map(): map1 = one run() per item, all at once; map = one run() per
//                     chunk of the same size as the default chunksize; apply = one awaited run();
//                     speedup = one run() per task, all at once
// The pool is started and warmed up (a small map and some applies; for speedup two short tasks per
// worker) before anything is timed; workers are not pinned (neither are Python's).
import { availableParallelism } from 'node:os';
import { arg, main, now, requireMp, summarize, tail } from './common.js';
import { burn, double, doubleAll } from './pool-targets.js';

const impl = arg('impl', 'multiproc', String);
const what = arg('what', 'map1', String);
const runs = arg('runs', 5);
const n = arg('n', what === 'map1' ? 20_000 : what === 'map' ? 1_000_000 : 2_000);
const taskMs = arg('task-ms', 25);
const WORKERS = what === 'speedup' ? availableParallelism() : 2;
const targets = new URL('./pool-targets.js', import.meta.url).href;

function check(got, items) {
  if (got.length !== items.length || got[0] !== items[0] * 2 || got[got.length - 1] !== items[items.length - 1] * 2) {
    throw new Error('wrong map result');
  }
}

async function makePool() {
  if (impl === 'piscina' || impl === 'tinypool') {
    const size = { minThreads: WORKERS, maxThreads: WORKERS };
    const pool = impl === 'piscina'
      ? new (await import('piscina')).Piscina({ filename: targets, ...size })
      : new (await import('tinypool')).Tinypool({ filename: targets, runtime: 'child_process', ...size });
    const runAll = (tasks, name) => Promise.all(tasks.map((t) => pool.run(t, { name })));
    const chunked = async (items, size) => {
      const parts = [];
      for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
      return (await runAll(parts, 'doubleAll')).flat();
    };
    return {
      map1: (items) => runAll(items, 'double'),
      map: (items) => chunked(items, Math.max(1, Math.ceil(items.length / (4 * WORKERS)))),
      apply: (x) => pool.run(x, { name: 'double' }),
      burn: (tasks) => runAll(tasks, 'burn'),
      close: () => pool.destroy(),
    };
  }
  const mp = await requireMp();
  const pool = new mp.Pool({ processes: WORKERS });
  return {
    map1: (items) => pool.map(double, items, 1),
    map: (items) => pool.map(double, items),
    apply: (x) => pool.apply(double, [x]),
    burn: (tasks) => pool.map(burn, tasks, 1),
    close: async () => { pool.terminate(); await pool.join(); },
  };
}

async function perTask(pool) {
  const items = Array.from({ length: what === 'apply' ? 0 : n }, (_, i) => i);
  // Warm-up: every worker started, the target loaded, the JITs warm.
  const warm = Array.from({ length: 100_000 }, (_, i) => i);
  for (let i = 0; i < 3; i++) check(await pool.map1(warm.slice(0, 2000)), warm.slice(0, 2000));
  check(await pool.map(warm), warm);
  for (let i = 0; i < 500; i++) await pool.apply(i);
  const samples = [];
  const all = [];
  for (let r = 0; r < runs; r++) {
    if (what === 'apply') {
      const lat = [];
      for (let i = 0; i < n; i++) {
        const t0 = now();
        const got = await pool.apply(i);
        lat.push(Number(now() - t0) / 1e3);
        if (got !== 2 * i) throw new Error('wrong apply result');
      }
      samples.push(summarize(lat).median);
      all.push(...lat);
    } else {
      const t0 = now();
      const got = await (what === 'map1' ? pool.map1(items) : pool.map(items));
      samples.push(Number(now() - t0) / 1e3 / n);
      check(got, items);
    }
  }
  return { unit: 'us', n, runs, workers: WORKERS, ...summarize(samples), ...(what === 'apply' ? tail(all) : {}) };
}

const ms = (t0) => Number(now() - t0) / 1e6;

/** Iterations of `burn` that take about `taskMs` here (the fastest of a few probes, JIT warm). */
function calibrate() {
  const probe = 2_000_000;
  let best = Infinity;
  for (let i = 0; i < 4; i++) {
    const t0 = now();
    burn([1, probe]);
    if (i > 0) best = Math.min(best, ms(t0));
  }
  return Math.round((probe * taskMs) / best);
}

async function speedup(pool) {
  const iters = calibrate();
  // Many more tasks than workers, handed out one at a time, so that a worker delayed by other
  // load costs at most one task at the end, not a fixed share of the job.
  const tasks = Array.from({ length: 8 * WORKERS }, (_, i) => [i + 1, iters]);
  await pool.burn(Array.from({ length: 2 * WORKERS }, (_, i) => [i + 1, iters >> 4]));
  const samples = [];
  const seqMs = [];
  const poolMs = [];
  for (let r = 0; r < runs; r++) {
    let t0 = now();
    const want = tasks.map(burn);
    seqMs.push(ms(t0));
    t0 = now();
    const got = await pool.burn(tasks);
    poolMs.push(ms(t0));
    if (got.length !== want.length || got.some((x, i) => x !== want[i])) throw new Error('wrong burn result');
    samples.push(seqMs[r] / poolMs[r]);
  }
  return { unit: 'x', tasks: tasks.length, iters, workers: WORKERS, runs, seqMs, poolMs, ...summarize(samples, true) };
}

const mp = impl === 'multiproc' ? await requireMp() : null;
if (!mp || mp.isMainProcess()) {
  main(async () => {
    const pool = await makePool();
    try {
      return await (what === 'speedup' ? speedup(pool) : perTask(pool));
    } finally {
      await pool.close();
    }
  }, { impl, what: `pool-${what}` });
}
