// The hostile part of the soak: SIGKILLs of random participants (their replacements are the
// orchestrator's business), and SIGSTOP/SIGCONT pauses of random participants for 5-300 ms.
// Intervals are exponential around the means given, from the run's seeded generator.
import { childrenOf, parentOf } from './procfs.mjs';
import { I_POOL_KILLS } from './shared.mjs';

/** What gets killed, by weight. */
export const KILL_WEIGHTS = {
  'queue producer': 18, 'queue consumer': 18, 'pipe writer': 9, 'pipe reader': 9,
  'pool worker': 16, 'lock worker': 16, stranger: 6,
};
// A pool gives up after 3 workers in a row die before they are ready (pool.ts), so only
// workers seen for this long are killed.
const POOL_WORKER_MIN_AGE_MS = 2000;
const PAUSE_MS = [5, 300];

const signal = (pid, sig) => {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
};

export class Chaos {
  constructor(soak, rand, { killMeanMs, pauseMeanMs }) {
    this.soak = soak;
    this.rand = rand;
    this.killMeanMs = killMeanMs;
    this.pauseMeanMs = pauseMeanMs;
    this.kills = Object.fromEntries(Object.keys(KILL_WEIGHTS).map((k) => [k, 0]));
    this.pauses = 0;
    this.paused = new Map(); // pid -> timer of its SIGCONT
    this.poolWorkers = new Map(); // pid -> when first seen
    this.timers = {};
    this.running = false;
  }

  start() {
    this.running = true;
    this.#every('kill', this.killMeanMs, () => this.killOne());
    this.#every('pause', this.pauseMeanMs, () => this.pauseOne());
    this.scanTimer = setInterval(() => this.scanPool(), 500);
  }

  /** No more kills or pauses; every paused process is continued. */
  stop() {
    this.running = false;
    for (const t of Object.values(this.timers)) clearTimeout(t);
    clearInterval(this.scanTimer);
    for (const [pid, timer] of this.paused) {
      clearTimeout(timer);
      signal(pid, 'SIGCONT');
    }
    this.paused.clear();
  }

  #every(key, meanMs, fn) {
    const delay = () => -Math.log(1 - this.rand.next()) * meanMs;
    const next = () => {
      if (!this.running) return;
      fn();
      this.timers[key] = setTimeout(next, delay());
    };
    this.timers[key] = setTimeout(next, delay());
  }

  #pick(list) {
    return list[this.rand.int(list.length)];
  }

  /** Notes the pool's workers (children of the Pool's parent), for kills and the final process check. */
  scanPool() {
    const host = this.soak.poolHost;
    if (!host || !this.soak.live.has(host)) return;
    const pids = childrenOf(host.pid);
    const now = Date.now();
    for (const pid of pids) {
      if (this.poolWorkers.has(pid)) continue;
      this.poolWorkers.set(pid, now);
      this.soak.pids.add(pid);
    }
    for (const pid of this.poolWorkers.keys()) if (!pids.includes(pid)) this.poolWorkers.delete(pid);
  }

  killOne() {
    let r = this.rand.next() * Object.values(KILL_WEIGHTS).reduce((a, b) => a + b, 0);
    const kind = Object.keys(KILL_WEIGHTS).find((k) => (r -= KILL_WEIGHTS[k]) < 0) ?? 'stranger';
    if (kind === 'pool worker') {
      this.scanPool();
      const now = Date.now();
      const old = [...this.poolWorkers].filter(([, seen]) => now - seen >= POOL_WORKER_MIN_AGE_MS).map(([pid]) => pid);
      if (old.length === 0) return;
      const pid = this.#pick(old);
      // Counted before the kill: the Pool's parent checks that failures follow a kill.
      Atomics.add(this.soak.ctl.i32, I_POOL_KILLS, 1);
      if (signal(pid, 'SIGKILL')) this.kills[kind]++;
      this.poolWorkers.delete(pid);
      return;
    }
    const candidates = this.soak.killable(kind);
    if (candidates.length === 0) return;
    const part = this.#pick(candidates);
    part.killed = true;
    if (signal(part.pid, 'SIGKILL')) this.kills[kind]++;
  }

  pauseOne() {
    const pids = [...this.soak.live].map((p) => p.pid).concat([...this.poolWorkers.keys()])
      .filter((pid) => !this.paused.has(pid));
    if (pids.length === 0) return;
    const pid = this.#pick(pids);
    const worker = this.poolWorkers.has(pid);
    const host = this.soak.poolHost?.pid;
    if (!signal(pid, 'SIGSTOP')) return;
    this.pauses++;
    const ms = PAUSE_MS[0] + this.rand.int(PAUSE_MS[1] - PAUSE_MS[0] + 1);
    this.paused.set(pid, setTimeout(() => {
      this.paused.delete(pid);
      // A pool worker may have died meanwhile, its pid reaped: continue only the same process.
      if (!worker || parentOf(pid) === host) signal(pid, 'SIGCONT');
    }, ms));
  }

  /** `pid` ended: its pending SIGCONT is dropped (the pid may be reused). */
  forget(pid) {
    const t = this.paused.get(pid);
    if (t === undefined) return;
    clearTimeout(t);
    this.paused.delete(pid);
  }
}
