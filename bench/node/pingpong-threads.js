// Node alternative for ping-pong: two worker_threads in one process doing
// Atomics.wait/notify on a SharedArrayBuffer.  Thread "ping" (pinned to
// --cpus[0]) bumps word PING and waits for word PONG to follow; thread "pong"
// (pinned to --cpus[1]) waits for PING and copies it to PONG.
// Each thread reports its kernel tid; the main thread pins it (multiproc's
// mp.setAffinity(tid, [cpu]) when dist/ is built, else taskset), then opens
// the start gate.  Same warm-up/calibration scheme as pingpong.js: the ping
// thread publishes the round count in word TOTAL before its first timed round.
// Reports microseconds per round trip for each run.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { arg, Channel, cpuList, main, now, pin, roundsFor, summarize, threadId, tryMp } from './common.js';

const PING = 0, PONG = 1, GATE = 2, TOTAL = 3;

if (isMainThread) {
  const cpus = cpuList(arg('cpus', '0,1', String));
  const warmup = arg('warmup', 2_000);
  const runs = arg('runs', 5);
  const runMs = arg('run-ms', 250);
  const fixedRounds = arg('rounds', 0);
  main(async () => {
    const mp = await tryMp();
    const sab = new SharedArrayBuffer(16);
    const words = new Int32Array(sab);
    const workers = ['ping', 'pong'].map((role) => new Worker(new URL(import.meta.url),
      { workerData: { role, sab, warmup, runs, runMs, fixedRounds }, stdout: false }));
    try {
      const chans = workers.map((w, i) => new Channel(w, `${i ? 'pong' : 'ping'} thread`));
      let pinnedWith;
      for (let i = 0; i < 2; i++) {
        const { tid } = await chans[i].next(30_000);
        pinnedWith = pin(mp, cpus[i], tid);
      }
      Atomics.store(words, GATE, 1);
      Atomics.notify(words, GATE);
      const { samples, rounds } = await chans[0].next(120_000);
      return { unit: 'us/roundtrip', rounds, warmup, runs, cpus, pinnedWith, ...summarize(samples) };
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }, { impl: 'worker_threads', what: 'pingpong' });
} else {
  const { role, sab, warmup, runs, runMs, fixedRounds } = workerData;
  const w = new Int32Array(sab);
  parentPort.postMessage({ tid: threadId() });
  while (Atomics.load(w, GATE) === 0) Atomics.wait(w, GATE, 0);
  let k = 0;
  if (role === 'ping') {
    const batch = (n) => {
      const t0 = now();
      for (let i = 0; i < n; i++) {
        k++;
        Atomics.store(w, PING, k);
        Atomics.notify(w, PING, 1);
        while (Atomics.load(w, PONG) !== k) Atomics.wait(w, PONG, k - 1);
      }
      return now() - t0;
    };
    const warmNs = Number(batch(warmup));
    const rounds = fixedRounds || roundsFor(warmNs / warmup, runMs);
    Atomics.store(w, TOTAL, warmup + runs * rounds);
    const samples = [];
    for (let r = 0; r < runs; r++) samples.push(Number(batch(rounds)) / rounds / 1000);
    parentPort.postMessage({ samples, rounds });
  } else {
    let total = warmup + 1;
    for (k = 1; k <= total; k++) {
      while (Atomics.load(w, PING) < k) Atomics.wait(w, PING, k - 1);
      if (k === warmup + 1) total = Atomics.load(w, TOTAL);
      Atomics.store(w, PONG, k);
      Atomics.notify(w, PONG, 1);
    }
  }
}
