// Process start cost: the time from start() to the end of join() for a trivial target, and
// from start() to the target running (it sets an Event the parent waits on).
//   --impl=spawn     mp.Process, a fresh runtime per child
//   --impl=standby   mp.Process with the 'standby' start method (a runtime loaded ahead)
//   --impl=fork      child_process.fork of an empty script (what a user would do by hand)
// Runs are sequential; for standby each run first waits until a standby is ready again, as
// a service starting children now and then would find it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arg, main, now, requireMp, summarize } from './common.js';
import { signal } from './process-target.js';

const impl = arg('impl', 'spawn', String);
const runs = arg('runs', 10);
const warmup = arg('warmup', 2);

const ms = (t0) => Number(now() - t0) / 1e6;
const emptyScript = fileURLToPath(new URL('./process-empty-child.js', import.meta.url));

async function oneFork() {
  const t0 = now();
  await new Promise((resolve, reject) => fork(emptyScript).on('exit', resolve).on('error', reject));
  return { joined: ms(t0), started: null };
}

async function oneMp(mp, startMethod) {
  if (startMethod === 'standby') await mp.prepareStandby();
  const started = new mp.Event();
  const t0 = now();
  const p = new mp.Process({ target: signal, args: [started], startMethod }).start();
  await started.wait(30_000);
  const tStarted = ms(t0);
  await p.join();
  if (p.exitCode !== 0) throw new Error(`child exit code ${p.exitCode}`);
  return { joined: ms(t0), started: tStarted };
}

const mpModule = await requireMp();
main(async () => {
  const one = impl === 'fork' ? () => oneFork() : () => oneMp(mpModule, impl);
  for (let i = 0; i < warmup; i++) await one();
  const joined = [];
  const started = [];
  for (let i = 0; i < runs; i++) {
    const r = await one();
    joined.push(r.joined);
    if (r.started !== null) started.push(r.started);
  }
  const s = started.length ? summarize(started) : null;
  return { unit: 'ms', runs, warmup, ...summarize(joined),
    started: s && { median: s.median, best: s.best, samples: s.samples } };
}, { impl, what: 'process-start' });
