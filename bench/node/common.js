// Shared helpers for the Node side of the benchmarks (drivers and children).
// Every driver prints exactly one JSON object as the last line of stdout;
// children never write to stdout (their stdout is mapped to stderr).
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

export const now = () => process.hrtime.bigint();

/** --name=value / --name value, else the default (cast with `cast`). */
export function arg(name, def, cast = Number) {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}` && i + 1 < argv.length) return cast(argv[i + 1]);
    if (argv[i].startsWith(`--${name}=`)) return cast(argv[i].slice(name.length + 3));
  }
  return def;
}

export const cpuList = (s) => String(s).split(',').map(Number);

let mpPromise;
/** The multiproc package (via its own package.json exports), or throws. */
export function requireMp() {
  mpPromise ??= import('multiproc').then((mp) => {
    for (const k of ['Lock', 'Semaphore', 'Value', 'setAffinity', 'serialize', 'deserialize']) {
      if (!(k in mp)) throw new Error(`multiproc does not export ${k}`);
    }
    return mp;
  });
  return mpPromise;
}

/** multiproc if it loads, else null (used only for pinning by the alternatives). */
export async function tryMp() {
  try { return await requireMp(); } catch { return null; }
}

/** Kernel thread id of the calling thread (works in worker_threads too). */
export function threadId() {
  return Number(readlinkSync('/proc/thread-self').split('/').pop());
}

/** CPUs a thread may run on, read from /proc (independent of the library). */
export function allowedCpus(tid = threadId()) {
  const st = readFileSync(`/proc/${process.pid}/task/${tid}/status`, 'utf8');
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(st);
  const out = [];
  for (const part of m[1].split(',')) {
    const [lo, hi = lo] = part.split('-').map(Number);
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}

/**
 * Pin a thread of this process to one CPU and verify it via /proc.
 * With multiproc: mp.setAffinity(0, [cpu]) for the calling main thread, or
 * mp.setAffinity(tid, [cpu]) for another thread (Linux affinity is per thread).
 * Without multiproc (alternatives only, before dist/ is built): taskset.
 */
export function pin(mp, cpu, tid = threadId()) {
  let how;
  if (mp) {
    mp.setAffinity(tid === process.pid && tid === threadId() ? 0 : tid, [cpu]);
    how = 'mp.setAffinity';
  } else {
    execFileSync('taskset', ['-pc', String(cpu), String(tid)], { stdio: 'ignore' });
    how = 'taskset';
  }
  const got = allowedCpus(tid);
  if (got.length !== 1 || got[0] !== cpu) {
    throw new Error(`pinning thread ${tid} to CPU ${cpu} failed: allowed ${got.join(',')}`);
  }
  return how;
}

export function summarize(samples, higherIsBetter = false) {
  const s = [...samples].sort((x, y) => x - y);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const best = higherIsBetter ? s[s.length - 1] : s[0];
  const worst = higherIsBetter ? s[0] : s[s.length - 1];
  return { samples, median, best, worst };
}

/** The tail of a latency distribution: p99 (nearest rank) and max of every sample. */
export function tail(samples) {
  const s = [...samples].sort((x, y) => x - y);
  return { p99: s[Math.ceil(0.99 * s.length) - 1], max: s[s.length - 1], tailSamples: s.length };
}

export function emit(obj) {
  process.stdout.write(JSON.stringify({ node: process.version, ...obj }) + '\n');
}

/** Run an async main, emitting {error} on failure so run.js can show it. */
export function main(fn, meta) {
  fn().then(
    (res) => { emit({ ...meta, ...res }); process.exit(0); },
    (err) => {
      process.stderr.write(`${meta.impl} ${meta.what}: ${err?.stack ?? err}\n`);
      emit({ ...meta, error: String(err?.message ?? err) });
      process.exit(1);
    },
  );
}

/**
 * Message queue over a child's IPC channel (child_process or Worker):
 * `await ch.next(ms)` resolves with the next message, rejects if the peer
 * exits/errors or nothing arrives in `ms`.
 */
export class Channel {
  constructor(peer, name) {
    this.name = name;
    this.queue = [];
    this.waiters = [];
    this.dead = null;
    peer.on('message', (m) => {
      const w = this.waiters.shift();
      if (w) w.resolve(m); else this.queue.push(m);
    });
    const die = (why) => {
      this.dead = new Error(`${name} ${why}`);
      for (const w of this.waiters.splice(0)) w.reject(this.dead);
    };
    peer.on('exit', (code, sig) => die(`exited (code ${code}, signal ${sig ?? 'none'})`));
    peer.on('error', (e) => die(`failed: ${e.message}`));
  }

  next(ms = 30_000) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const w = {
        resolve: (m) => { clearTimeout(t); resolve(m); },
        reject: (e) => { clearTimeout(t); reject(e); },
      };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.name}: no message within ${ms} ms`));
      }, ms);
      this.waiters.push(w);
    });
  }
}

/** Kill a forked child if it is still running and wait for it to be reaped. */
export async function reap(child, graceMs = 2000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  if (graceMs === 0) child.kill('SIGKILL');
  await gone;
  clearTimeout(t);
}

/** Round trips per timed run so that one run lasts about `runMs` ms. */
export function roundsFor(nsPerRound, runMs, min = 2_000, max = 2_000_000) {
  return Math.max(min, Math.min(max, Math.ceil((runMs * 1e6) / nsPerRound)));
}
