// Message passing between two pinned processes.
//   --what=small   1->1 throughput of small ints       (msgs/s)
//   --what=small2  2->2 throughput of small ints       (msgs/s; producer i and consumer i on CPU i)
//   --what=kib     1->1 throughput of 1 KiB Buffers    (msgs/s)
//   --what=rtt     ping-pong round trip of a small int (us)
//   --impl=multiproc   mp.Queue (putSync/getSync) / mp.Pipe (send/recvSync), children pinned
//   --impl=ipc         child_process.fork + process.send (what a Node user would do)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arg, cpuList, main, now, requireMp, summarize } from './common.js';
import { consume, echo, produce } from './queue-targets.js';

const impl = arg('impl', 'multiproc', String);
const what = arg('what', 'small', String);
const cpus = cpuList(arg('cpus', '0,1', String));
const runs = arg('runs', 3);
const n = arg('n', what === 'rtt' ? 20_000 : what === 'kib' ? 300_000 : 1_000_000);
const pairs = what === 'small2' ? 2 : 1;
const payload = what === 'kib' ? { kib: 1024 } : null;
const self = fileURLToPath(import.meta.url);

async function mpThroughput(mp) {
  const q = new mp.Queue();
  const ready = new mp.Semaphore(0);
  const go = new mp.Event();
  const each = n / pairs;
  // 1->1: producer on the first CPU, consumer on the second; 2->2: one of each on every CPU.
  const cs = Array.from({ length: pairs }, (_, i) => new mp.Process({ target: consume,
    args: [q, each, ready, go], affinity: [cpus[pairs === 1 ? 1 : i]] }).start());
  const ps = Array.from({ length: pairs }, (_, i) => new mp.Process({ target: produce,
    args: [q, each, payload, ready, go], affinity: [cpus[pairs === 1 ? 0 : i]] }).start());
  for (let i = 0; i < 2 * pairs; i++) await ready.acquire();
  const t0 = now();
  go.set();
  for (const c of cs) await c.join();
  const s = Number(now() - t0) / 1e9;
  for (const p of ps) await p.join();
  const codes = [...cs, ...ps].map((p) => p.exitCode);
  if (codes.some((c) => c !== 0)) throw new Error(`exit codes ${codes}`);
  return n / s;
}

async function mpRoundTrip(mp) {
  const [mine, theirs] = mp.Pipe();
  const c = new mp.Process({ target: echo, args: [theirs], affinity: [cpus[1]] }).start();
  theirs.close();
  mp.setAffinity(0, [cpus[0]]);
  for (let i = 0; i < 2000; i++) { mine.send(i); mine.recvSync(); }
  const t0 = now();
  for (let i = 0; i < n; i++) { mine.send(i); mine.recvSync(); }
  const us = Number(now() - t0) / 1e3 / n;
  mine.close();
  await c.join();
  return us;
}

// child_process IPC: the child sends n messages (or echoes); the parent receives.
async function ipc() {
  const child = fork(self, ['--ipc-child', what, String(n)], { serialization: 'json' });
  await new Promise((r) => child.once('message', r)); // ready
  if (what === 'rtt') {
    let i = 0;
    const t0 = now();
    await new Promise((resolve) => {
      child.on('message', () => { if (++i === n) resolve(); else child.send(i); });
      child.send(0);
    });
    const us = Number(now() - t0) / 1e3 / n;
    child.kill();
    return us;
  }
  let got = 0;
  const t0 = now();
  await new Promise((resolve) => {
    child.on('message', () => { if (++got === n) resolve(); });
    child.send('go');
  });
  const s = Number(now() - t0) / 1e9;
  child.kill();
  return n / s;
}

if (process.argv[2] === '--ipc-child') {
  const [, , , w, count] = process.argv;
  const body = w === 'kib' ? Buffer.alloc(1024, 1).toString('base64') : null;
  process.on('message', (m) => {
    if (w === 'rtt') { process.send(m); return; }
    for (let i = 0; i < Number(count); i++) process.send(body ?? i);
  });
  process.send('ready');
} else {
  const mp = await requireMp();
  main(async () => {
    const samples = [];
    for (let r = 0; r < runs; r++) {
      if (impl === 'ipc') samples.push(await ipc());
      else samples.push(what === 'rtt' ? await mpRoundTrip(mp) : await mpThroughput(mp));
    }
    const higher = what !== 'rtt';
    return { unit: higher ? 'ops/s' : 'us', n, runs, cpus, ...summarize(samples, higher) };
  }, { impl, what: `queue-${what}` });
}
