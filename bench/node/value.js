// mp.Value('i') += 1 under its own lock from two fork()ed children pinned to
// --cpus (default CPU 0 and CPU 1); same protocol as bench/python/value.py.
//
// Each child loops: lock.acquireSync(); v.value += 1; lock.release().  The
// children stay alive across runs.  For every run this (unpinned,
// coordinating) process resets the value, sends both children the iteration
// count over IPC, waits until both are `armed`, then releases the shared
// `start` semaphore once per child.  Each child stamps hrtime after passing
// the barrier and after its last iteration; the run's time is
// max(end) - min(start) (CLOCK_MONOTONIC is shared by all processes).  The
// final value must be exactly children * n.  Run 0 is warm-up/calibration:
// its rate picks n so that one run lasts about --run-ms.  Reports ops/s.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arg, Channel, cpuList, main, reap, requireMp, summarize } from './common.js';

const cpus = cpuList(arg('cpus', '0,1', String));
const runs = arg('runs', 3);
const calib = arg('calib', 200_000);
const runMs = arg('run-ms', 700);
const fixedN = arg('iters', 0);

main(async () => {
  const mp = await requireMp();
  const v = mp.Value('i', 0);
  const start = new mp.Semaphore(0);
  const payload = mp.serialize({ v, start }).toString('base64');
  const childPath = fileURLToPath(new URL('./value-child.js', import.meta.url));
  const children = cpus.map((cpu) =>
    fork(childPath, [payload, String(cpu)], { stdio: ['ignore', 2, 2, 'ipc'] }));
  try {
    const chans = children.map((c, i) => new Channel(c, `value child ${i} (CPU ${cpus[i]})`));
    let pinnedWith;
    for (const ch of chans) ({ pinnedWith } = await ch.next(30_000));

    const oneRun = async (n) => {
      v.value = 0;
      for (const c of children) c.send({ n });
      for (const ch of chans) {
        const m = await ch.next(30_000);
        if (m?.armed !== true) throw new Error(`child not armed: ${JSON.stringify(m)}`);
      }
      for (let i = 0; i < children.length; i++) start.release();
      const stamps = [];
      for (const ch of chans) stamps.push(await ch.next(120_000));
      const t0 = stamps.reduce((m, s) => (BigInt(s.t0) < m ? BigInt(s.t0) : m), BigInt(stamps[0].t0));
      const t1 = stamps.reduce((m, s) => (BigInt(s.t1) > m ? BigInt(s.t1) : m), 0n);
      const total = n * children.length;
      const final = v.value;
      if (final !== total) throw new Error(`lost updates: value ${final} !== ${total}`);
      return { rate: total / (Number(t1 - t0) / 1e9), final };
    };

    const { rate } = await oneRun(calib); // warm-up + calibration, not reported
    const n = fixedN || Math.max(calib, Math.floor((rate * runMs) / 1000 / children.length));
    const samples = [];
    const finals = [];
    for (let r = 0; r < runs; r++) {
      const { rate: x, final } = await oneRun(n);
      samples.push(x);
      finals.push(final);
    }
    for (const c of children) c.send({ n: 0 });
    return {
      unit: 'ops/s', itersPerProc: n, runs, cpus, pinnedWith, finalValues: finals, exact: true,
      ...summarize(samples, true),
    };
  } finally {
    await Promise.all(children.map((c) => reap(c)));
  }
}, { impl: 'multiproc', what: 'value' });
