// Two-process mp.Semaphore ping-pong.  This process (main thread pinned to
// --cpus[0]) releases a and waits b; a fork()ed child (pinned to --cpus[1])
// waits a and releases b.
//
// Start barrier and calibration, all over IPC so no start-up time is timed:
//   child: deserialize {a, b}, pin, send `ready`, run `warmup` round trips,
//          send `warmed`, wait for the round count, send `armed`, loop.
//   parent: wait `ready`, run the warm-up round trips (their speed picks the
//          rounds per run so one run takes ~--run-ms), send the count, wait
//          `armed`, then time `runs` batches of `rounds` round trips.
// Reports microseconds per round trip for each run.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arg, Channel, cpuList, main, now, pin, reap, requireMp, roundsFor, summarize } from './common.js';

const cpus = cpuList(arg('cpus', '0,1', String));
const warmup = arg('warmup', 2_000);
const runs = arg('runs', 5);
const runMs = arg('run-ms', 250);
const fixedRounds = arg('rounds', 0);

function pingLoop(a, b, n) {
  const t0 = now();
  for (let i = 0; i < n; i++) {
    a.release();
    b.acquireSync();
  }
  return now() - t0;
}

main(async () => {
  const mp = await requireMp();
  const pinnedWith = pin(mp, cpus[0]);
  const a = new mp.Semaphore(0);
  const b = new mp.Semaphore(0);
  const payload = mp.serialize({ a, b }).toString('base64');
  const child = fork(fileURLToPath(new URL('./pingpong-child.js', import.meta.url)),
    [payload, String(cpus[1]), String(warmup)], { stdio: ['ignore', 2, 2, 'ipc'] });
  try {
    const ch = new Channel(child, 'ping-pong child');
    const expect = async (key) => {
      const m = await ch.next(30_000);
      if (!m || !(key in m)) throw new Error(`expected ${key} from child, got ${JSON.stringify(m)}`);
      return m[key];
    };
    await expect('ready');
    const warmNs = Number(pingLoop(a, b, warmup));
    await expect('warmed');
    const rounds = fixedRounds || roundsFor(warmNs / warmup, runMs);
    child.send({ total: runs * rounds });
    await expect('armed');
    const samples = [];
    for (let r = 0; r < runs; r++) samples.push(Number(pingLoop(a, b, rounds)) / rounds / 1000);
    const done = await expect('done');
    if (done !== runs * rounds) throw new Error(`child did ${done} round trips`);
    return { unit: 'us/roundtrip', rounds, warmup, runs, cpus, pinnedWith, ...summarize(samples) };
  } finally {
    await reap(child);
  }
}, { impl: 'multiproc', what: 'pingpong' });
