// Per-task cost of a pool of 2 workers running a trivial function (x => 2x).
//   --what=map1   map over 20k items with chunksize 1; us per task
//   --what=map    map over 1M items with the default chunksize (about n / (4 x workers)); us per task
//   --what=apply  one apply() round trip; per run the median of --n applies; us
//   --impl=multiproc  mp.Pool({ processes: 2 })
//   --impl=piscina    piscina (worker_threads, 2 threads): map1 = one run() per item, all at once;
//                     map = one run() per chunk of the same size as the default chunksize;
//                     apply = one awaited run()
// The pool is started and warmed up (a small map and some applies) before anything is timed;
// workers are not pinned (neither are Python's).
import { arg, main, now, requireMp, summarize } from './common.js';
import { double, doubleAll } from './pool-targets.js';

const impl = arg('impl', 'multiproc', String);
const what = arg('what', 'map1', String);
const runs = arg('runs', 5);
const n = arg('n', what === 'map1' ? 20_000 : what === 'map' ? 1_000_000 : 2_000);
const WORKERS = 2;
const targets = new URL('./pool-targets.js', import.meta.url).href;

function check(got, items) {
  if (got.length !== items.length || got[0] !== items[0] * 2 || got[got.length - 1] !== items[items.length - 1] * 2) {
    throw new Error('wrong map result');
  }
}

async function makePool() {
  if (impl === 'piscina') {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({ filename: targets, minThreads: WORKERS, maxThreads: WORKERS });
    const chunked = async (items, size) => {
      const parts = [];
      for (let i = 0; i < items.length; i += size) parts.push(pool.run(items.slice(i, i + size), { name: 'doubleAll' }));
      return (await Promise.all(parts)).flat();
    };
    return {
      map1: (items) => Promise.all(items.map((x) => pool.run(x, { name: 'double' }))),
      map: (items) => chunked(items, Math.max(1, Math.ceil(items.length / (4 * WORKERS)))),
      apply: (x) => pool.run(x, { name: 'double' }),
      close: () => pool.destroy(),
    };
  }
  const mp = await requireMp();
  const pool = new mp.Pool({ processes: WORKERS });
  return {
    map1: (items) => pool.map(double, items, 1),
    map: (items) => pool.map(double, items),
    apply: (x) => pool.apply(double, [x]),
    close: async () => { pool.terminate(); await pool.join(); },
  };
}

const mp = impl === 'multiproc' ? await requireMp() : null;
if (!mp || mp.isMainProcess()) {
  main(async () => {
    const pool = await makePool();
    try {
      const items = Array.from({ length: what === 'apply' ? 0 : n }, (_, i) => i);
      // Warm-up: every worker started, the target loaded, the JITs warm.
      const warm = Array.from({ length: 100_000 }, (_, i) => i);
      for (let i = 0; i < 3; i++) check(await pool.map1(warm.slice(0, 2000)), warm.slice(0, 2000));
      check(await pool.map(warm), warm);
      for (let i = 0; i < 500; i++) await pool.apply(i);
      const samples = [];
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
        } else {
          const t0 = now();
          const got = await (what === 'map1' ? pool.map1(items) : pool.map(items));
          samples.push(Number(now() - t0) / 1e3 / n);
          check(got, items);
        }
      }
      return { unit: 'us', n, runs, workers: WORKERS, ...summarize(samples) };
    } finally {
      await pool.close();
    }
  }, { impl, what: `pool-${what}` });
}
