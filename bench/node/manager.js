// Manager benchmarks: one operation on a proxy, a round trip to the manager's server process.
//   --what=dict-set     await d.set(key, i)   on a mp.Manager() dict
//   --what=dict-get     await d.get(key)      on the same dict (keys set beforehand)
//   --what=list-append  await l.append(i)     on a mp.Manager() list
//       each: per run the median of --n sequential, awaited calls (us), and p99 and max over the
//       calls of every run
//   --what=dict-set-pipelined  --n d.set() calls per run, --inflight (100) at a time
//       (Promise.all of each batch); per run the wall time / n (us per call): throughput, not latency
//   --what=remote       BaseManager over TCP loopback: the registered Calc (node/manager-targets.js)
//       served by getServer().serveForever() in a forked server program, a BaseManager here
//       connect()ed to its address and key; await calc.add(i, 1), as the sequential rows
// The manager is started and warmed up (--warm calls) before anything is timed; neither the driver
// nor the server is pinned (neither are Python's).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Channel, arg, main, now, reap, requireMp, summarize, tail } from './common.js';
import { Calc } from './manager-targets.js';

const what = arg('what', 'dict-set', String);
const runs = arg('runs', 5);
const n = arg('n', 5_000);
const inflight = arg('inflight', 100);
const warm = arg('warm', 2_000);
const KEYS = Array.from({ length: 100 }, (_, i) => `k${i}`);

const ops = {
  'dict-set': (objs, i) => objs.d.set(KEYS[i % KEYS.length], i),
  'dict-get': (objs, i) => objs.d.get(KEYS[i % KEYS.length]),
  'list-append': (objs, i) => objs.l.append(i),
  'dict-set-pipelined': (objs, i) => objs.d.set(KEYS[i % KEYS.length], i),
  remote: (objs, i) => objs.calc.add(i, 1),
};

/** The objects an operation works on, and how to stop their servers. */
async function setUp(mp) {
  if (what === 'remote') {
    // A server program of its own (not start(): a server of this process tree is reached through
    // shared-memory pipes, not TCP), as another program on the machine would run it.
    const authkey = 'bench-key';
    const child = fork(fileURLToPath(import.meta.url), ['--serve', authkey]);
    const { address } = await new Channel(child, 'manager server').next();
    const client = new mp.BaseManager({ address, authkey });
    client.register('Calc');
    await client.connect();
    const calc = await client.create('Calc');
    let sync = null;
    try { calc.addSync(1, 1); } catch (e) { sync = e.code; }
    if (sync !== 'ERR_SYNC_UNSUPPORTED') throw new Error(`not over a socket (addSync: ${sync})`);
    return { objs: { calc }, close: async () => { await client.shutdown(); await reap(child); } };
  }
  const manager = await mp.Manager();
  const d = await manager.dict();
  for (const k of KEYS) await d.set(k, 0);
  const l = await manager.list();
  return { objs: { d, l }, close: () => manager.shutdown() };
}

async function sequential(op, objs) {
  const samples = [];
  const all = [];
  for (let r = 0; r < runs; r++) {
    const lat = new Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = now();
      await op(objs, i);
      lat[i] = Number(now() - t0) / 1e3;
    }
    samples.push(summarize(lat).median);
    all.push(...lat);
  }
  return { ...summarize(samples), ...tail(all) };
}

async function pipelined(op, objs) {
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    for (let i = 0; i < n; i += inflight) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + inflight); j++) batch.push(op(objs, j));
      await Promise.all(batch);
    }
    samples.push(Number(now() - t0) / 1e3 / n);
  }
  return { inflight, ...summarize(samples) };
}

const mp = await requireMp();
if (process.argv[2] === '--serve') {
  const server = new mp.BaseManager({ address: { host: '127.0.0.1', port: 0 }, authkey: process.argv[3] });
  server.register('Calc', Calc);
  const serving = server.getServer();
  const done = serving.serveForever();
  process.send({ address: await serving.listening });
  await done;
  process.disconnect();
} else if (mp.isMainProcess()) {
  main(async () => {
    const op = ops[what];
    if (!op) throw new Error(`unknown --what=${what}`);
    const { objs, close } = await setUp(mp);
    try {
      for (let i = 0; i < warm; i++) await op(objs, i);
      if (what === 'remote' && (await objs.calc.add(4, 4)) !== 8) throw new Error('wrong add result');
      const res = what === 'dict-set-pipelined' ? await pipelined(op, objs) : await sequential(op, objs);
      if (what === 'list-append' && (await objs.l.length()) !== warm + runs * n) throw new Error('wrong list length');
      if (what.startsWith('dict-set') && (await objs.d.get(KEYS[(n - 1) % KEYS.length])) !== n - 1) {
        throw new Error('wrong dict value');
      }
      return { unit: 'us', n, runs, ...res };
    } finally {
      await close();
    }
  }, { impl: 'multiproc', what: `manager-${what}` });
}
