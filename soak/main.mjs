// The soak's orchestrator (an mp main program, started by soak.mjs with SOAK_TAG in its
// environment): it creates the channels and named objects, starts every participant, replaces
// those that die while Chaos kills and pauses them, then stops the run, lets everything drain,
// checks the accounts and writes its report as JSON to the path it was given.
//
//   node soak/main.mjs '<json config>'    (see soak.mjs)
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mp from 'multiproc';
import { Chaos } from './chaos.mjs';
import { Ledger } from './ledger.mjs';
import { doneTotal, LockParticipant } from './lockround.mjs';
import { CHANNELS, initMessages } from './messages.mjs';
import { poolHost } from './pool.mjs';
import { rssKb } from './procfs.mjs';
import { lockWorker, pipeConsumer, pipeProducer, queueConsumer, queueProducer } from './roles.mjs';
import {
  childSeed, Ctl, F_BYTES, F_POOL, I_HOLDER, I_LANE_GONE, I_POOL_KILLS, I_RECOVERIES, I_ROLLBACKS,
  I_STOP, I_TAKEN, I_VIOLATIONS, POOL_FIELDS, rng,
} from './shared.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// Where each participant keeps its counts in the control segment.
const PRODUCERS = { A: [0, 1], B: [2, 3, 4], N: [5] };
const STRANGER_POS = 6;
const LANE_POS = [7, 8];
const CONSUMERS = { A: [0, 1], B: [2, 3], N: [4] }; // A's first consumer is the long-lived one
const LANE_CONSUMER_POS = [5, 6];
const LOCK_WORKER_SLOTS = [0, 1];
const STRANGER_SLOT = 2;
const MAIN_SLOT = 3;
// Messages a producer of an unbounded queue may have put and not seen acknowledged. (Not qsize():
// what a killed producer had put and not written stays counted in it, on an unbounded queue for good.)
const WINDOW = { A: 2000, B: 0, N: 2000 };
const POOL_WORKERS = 2;
const STOP_TIMEOUT_MS = 120_000;
// A channel on which nothing was acknowledged for this long, under load, is stalled.
const STALL_MS = 60_000;
const LANE_PEER_TIMEOUT_MS = 30_000;

const describe = (part) => `${part.kind}${part.meta.channel ? ` of queue ${part.meta.channel}` : ''}`
  + `${part.meta.lane !== undefined ? ` of lane ${part.meta.lane}` : ''} (pid ${part.pid})`;

class Soak {
  constructor(cfg) {
    this.cfg = cfg;
    this.rand = rng(cfg.seed);
    initMessages(cfg.seed);
    const t = cfg.tag;
    this.names = { ctl: `${t}_ctl`, lock: `${t}_lock`, counter: `${t}_counter`, recoveries: `${t}_recoveries`, queue: `${t}_queue` };
    this.ctl = new Ctl(this.names.ctl, true);
    this.ledger = new Ledger(this.ctl);
    this.me = new LockParticipant(this.ctl, this.names, MAIN_SLOT, this.rand);
    const q = (ch, opts = {}) => new mp.Queue(CHANNELS[ch].maxsize, { capacity: CHANNELS[ch].capacity, ...opts });
    this.queues = { A: q('A'), B: q('B'), N: q('N', { name: this.names.queue }) };
    this.live = new Set();
    this.pids = new Set();
    this.laneReaderKilled = new Map();
    this.nextProducerId = 1;
    this.nextChild = 0;
    this.stopping = false;
    this.killedHolding = 0;
    this.rss = { main: [], 'pool parent': [], 'long-lived consumer': [] };
    this.chaos = new Chaos(this, this.rand, cfg);
    this.poolHost = null;
    this.longLived = null;
  }

  violation(kind, detail) {
    this.ledger.violation(kind, detail);
    process.stderr.write(`soak violation [orchestrator] ${kind}: ${detail}\n`);
  }

  /** What every child's config starts with. */
  base(...what) {
    return { ctlName: this.ctl.shm.name, runSeed: this.cfg.seed, seed: childSeed(this.cfg.seed, this.nextChild++, ...what) };
  }

  killable(kind) {
    return [...this.live].filter((p) => p.kind === kind && !p.killed && p !== this.longLived);
  }

  #track(kind, pid, meta) {
    const part = { kind, pid, meta, killed: false, exitCode: null, error: null };
    this.live.add(part);
    this.pids.add(pid);
    return part;
  }

  #ended(part) {
    this.live.delete(part);
    this.chaos.forget(part.pid);
  }

  startMp(kind, target, args, meta = {}) {
    const proc = new mp.Process({ target, args, name: `${kind.replaceAll(' ', '-')}-${this.nextChild}` }).start();
    const part = this.#track(kind, proc.pid, meta);
    part.done = proc.join().then(() => {
      part.exitCode = proc.exitCode;
      part.error = proc.error ?? null;
      this.#ended(part);
    });
    return part;
  }

  // Clean (returned), or killed: anything else is a violation, counted as a kill.
  classify(part) {
    if (part.exitCode === 0) return 'clean';
    if (part.exitCode === -constants.signals.SIGKILL && part.killed) return 'killed';
    this.violation('exit', `${describe(part)} exited with ${part.exitCode}${part.error ? `: ${part.error.message}` : ''}`);
    return 'killed';
  }

  newProducer(channel, pos) {
    const id = this.nextProducerId++;
    this.ledger.addProducer(id, channel, pos);
    return id;
  }

  budget(lo, hi) {
    return lo + this.rand.int(hi - lo);
  }

  startProducer(channel, pos) {
    const id = this.newProducer(channel, pos);
    const cfg = { ...this.base(id), channel, pos, producerId: id, budget: this.budget(2000, 60_000), window: WINDOW[channel],
      queueName: channel === 'N' ? this.names.queue : undefined };
    const part = this.startMp('queue producer', queueProducer, [cfg, channel === 'N' ? null : this.queues[channel]], { channel });
    void part.done.then(() => {
      this.ledger.producerEnded(id, this.classify(part) === 'clean');
      if (!this.stopping) this.startProducer(channel, pos);
    });
  }

  startConsumer(channel, consumerPos, longLived = false) {
    const cfg = { ...this.base(consumerPos), channel, consumerPos,
      queueName: channel === 'N' ? this.names.queue : undefined,
      inject: this.cfg.inject.find((x) => (x === 'loss' && consumerPos === 2) || (x === 'dup' && consumerPos === 4)) };
    const part = this.startMp('queue consumer', queueConsumer, [cfg, channel === 'N' ? null : this.queues[channel]], { channel });
    if (longLived) this.longLived = part;
    void part.done.then(() => {
      if (this.classify(part) === 'killed') this.ledger.channel(channel).consumerKills++;
      if (!this.stopping) this.startConsumer(channel, consumerPos);
    });
  }

  startStranger() {
    const id = this.newProducer('N', STRANGER_POS);
    const cfg = { ...this.base(id), channel: 'N', pos: STRANGER_POS, producerId: id, budget: this.budget(5000, 50_000),
      window: WINDOW.N, queueName: this.names.queue, names: this.names, slot: STRANGER_SLOT };
    const child = spawn(process.execPath, [join(here, 'stranger.mjs'), JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'inherit'] });
    const part = this.#track('stranger', child.pid, {});
    part.done = new Promise((resolve) => child.on('exit', (code, sig) => {
      part.exitCode = code ?? -constants.signals[sig];
      this.#ended(part);
      resolve();
    }));
    void part.done.then(() => {
      this.lockParticipantEnded(part, STRANGER_SLOT);
      this.ledger.producerEnded(id, this.classify(part) === 'clean');
      if (!this.stopping) this.startStranger();
    });
  }

  startLockWorker(slot) {
    const cfg = { ...this.base(slot), slot, names: this.names, inject: slot === 0 && this.cfg.inject.includes('lock') ? 'lock' : undefined };
    const part = this.startMp('lock worker', lockWorker, [cfg], { slot });
    void part.done.then(() => {
      this.lockParticipantEnded(part, slot);
      this.classify(part);
      if (!this.stopping) this.startLockWorker(slot);
    });
  }

  // Kills that landed while the victim held the lock, as far as the holder mark shows (for the
  // report: a takeover that was not announced is caught by the next holder, see lockround.mjs).
  lockParticipantEnded(part, slot) {
    if (part.killed && Atomics.load(this.ctl.i32, I_HOLDER) === slot + 1) this.killedHolding++;
  }

  /** A pipe between a writer and a reader process; when both ended, the next lane replaces it. */
  startLane(lane) {
    const [reader, writer] = mp.Pipe({ duplex: false, capacity: CHANNELS.P.capacity });
    const pos = LANE_POS[lane];
    const consumerPos = LANE_CONSUMER_POS[lane];
    Atomics.store(this.ctl.i32, I_TAKEN + consumerPos, 0);
    Atomics.store(this.ctl.i32, I_LANE_GONE + lane, 0);
    const id = this.newProducer('P', pos);
    const rd = this.startMp('pipe reader', pipeConsumer, [{ ...this.base(id, 1), lane, consumerPos }, reader], { lane });
    const wr = this.startMp('pipe writer', pipeProducer,
      [{ ...this.base(id, 2), lane, pos, consumerPos, producerId: id, budget: this.budget(1000, 30_000) }, writer], { lane });
    reader.close();
    writer.close();
    let readerKilled = false;
    const readerDone = rd.done.then(() => {
      readerKilled = this.classify(rd) === 'killed';
      if (readerKilled) this.ledger.channel('P').consumerKills++;
      Atomics.store(this.ctl.i32, I_LANE_GONE + lane, 1);
      this.watch(wr, `the writer of pipe lane ${lane} still ran ${LANE_PEER_TIMEOUT_MS / 1000} s after its reader ended`);
    });
    const writerDone = wr.done.then(() => {
      this.ledger.producerEnded(id, this.classify(wr) === 'clean');
      this.watch(rd, `the reader of pipe lane ${lane} still ran ${LANE_PEER_TIMEOUT_MS / 1000} s after its writer ended`);
    });
    void Promise.all([readerDone, writerDone]).then(() => {
      this.laneReaderKilled.set(id, readerKilled);
      if (!this.stopping) this.startLane(lane);
    });
  }

  // A peer's end must be seen (EOFError, BrokenPipeError) well within LANE_PEER_TIMEOUT_MS.
  watch(part, what) {
    if (!this.live.has(part)) return;
    const t = setTimeout(() => {
      if (!this.live.has(part)) return;
      this.violation('hang', what);
      part.killed = true;
      process.kill(part.pid, 'SIGKILL');
    }, LANE_PEER_TIMEOUT_MS);
    void part.done.then(() => clearTimeout(t));
  }

  startPoolHost() {
    const cfg = { ...this.base(), workers: POOL_WORKERS, inject: this.cfg.inject.includes('pool') ? 'pool' : undefined };
    this.poolHost = this.startMp('pool parent', poolHost, [cfg]);
    void this.poolHost.done.then(() => this.classify(this.poolHost));
  }

  sampleRss() {
    const t = Date.now() - this.t0;
    const add = (key, pid) => {
      const kb = pid ? rssKb(pid) : null;
      if (kb !== null) this.rss[key].push([t, kb]);
    };
    add('main', process.pid);
    if (this.live.has(this.poolHost)) add('pool parent', this.poolHost.pid);
    if (this.live.has(this.longLived)) add('long-lived consumer', this.longLived.pid);
  }

  progress() {
    const c = this.ledger.channels;
    const moved = Object.values(c).reduce((a, x) => a + x.messages, 0);
    const kills = Object.values(this.chaos.kills).reduce((a, b) => a + b, 0);
    const violations = [...this.ledger.violations.values()].reduce((a, v) => a + v.count, 0) + Atomics.load(this.ctl.i32, I_VIOLATIONS);
    const each = Object.entries(c).map(([ch, x]) => `${ch} ${x.messages}`).join(' ');
    process.stderr.write(`soak: ${((Date.now() - this.t0) / 1000).toFixed(0)} s, ${moved} messages (${each}), ${kills} kills, `
      + `${this.chaos.pauses} pauses, ${this.pool('tasksOk') + this.pool('tasksDied')} pool tasks, ${violations} violations\n`);
  }

  // Reports a channel that moved nothing for STALL_MS (once per stall).
  checkStalls() {
    const now = Date.now();
    this.moved ??= {};
    for (const [ch, c] of Object.entries(this.ledger.channels)) {
      const m = (this.moved[ch] ??= { messages: c.messages, since: now, reported: false });
      if (c.messages !== m.messages) Object.assign(m, { messages: c.messages, since: now, reported: false });
      else if (!m.reported && now - m.since > STALL_MS) {
        m.reported = true;
        this.violation('stall', `${CHANNELS[ch].label}: nothing acknowledged for ${STALL_MS / 1000} s after ${c.messages} messages`);
      }
    }
  }

  pool(field) {
    return this.ctl.f64[F_POOL + POOL_FIELDS.indexOf(field)];
  }

  async run() {
    const { seconds, inject } = this.cfg;
    for (const [ch, positions] of Object.entries(CONSUMERS)) {
      positions.forEach((pos) => this.ledger.addConsumerPosition(pos, ch));
      positions.forEach((pos, k) => this.startConsumer(ch, pos, ch === 'A' && k === 0));
    }
    LANE_CONSUMER_POS.forEach((pos) => this.ledger.addConsumerPosition(pos, 'P'));
    for (const [ch, positions] of Object.entries(PRODUCERS)) positions.forEach((pos) => this.startProducer(ch, pos));
    LANE_POS.forEach((_, lane) => this.startLane(lane));
    LOCK_WORKER_SLOTS.forEach((slot) => this.startLockWorker(slot));
    this.startStranger();
    this.startPoolHost();
    if (inject.includes('shm')) this.leak = new mp.Lock({ name: `${this.cfg.tag}_leak` });
    if (inject.includes('proc')) spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { detached: true, stdio: 'ignore' }).unref();

    this.t0 = Date.now();
    const drain = setInterval(() => this.ledger.drain(), 20);
    const rss = setInterval(() => this.sampleRss(), Math.min(10_000, Math.max(1000, (seconds * 1000) / 150)));
    const progress = setInterval(() => this.progress(), 30_000);
    const stalls = setInterval(() => this.checkStalls(), 1000);
    this.chaos.start();
    let interrupted = false;
    const launcher = process.ppid;
    await new Promise((resolve) => {
      const end = () => { interrupted = true; clearTimeout(t); clearInterval(orphan); resolve(); };
      const t = setTimeout(() => { clearInterval(orphan); resolve(); }, seconds * 1000);
      // In a session of its own (see soak.mjs), so it watches for the launcher's death itself.
      const orphan = setInterval(() => { if (process.ppid !== launcher) end(); }, 500);
      for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, end);
    });
    this.ranMs = Date.now() - this.t0;
    clearInterval(rss);
    clearInterval(progress);
    clearInterval(stalls);
    await this.stop();
    clearInterval(drain);
    this.ledger.settle(this.laneReaderKilled);
    return this.report(interrupted);
  }

  // Waits for `parts` to end; those still running after STOP_TIMEOUT_MS are a violation, and killed.
  async waitFor(parts, what) {
    const all = Promise.all(parts.map((p) => p.done));
    let timer;
    const late = await Promise.race([all.then(() => false),
      new Promise((resolve) => { timer = setTimeout(resolve, STOP_TIMEOUT_MS, true); })]);
    clearTimeout(timer);
    if (!late) return;
    for (const p of parts.filter((x) => this.live.has(x))) {
      this.violation('hang', `${describe(p)} did not end within ${STOP_TIMEOUT_MS / 1000} s of the ${what}`);
      p.killed = true;
      process.kill(p.pid, 'SIGKILL');
    }
    await all;
  }

  async stop() {
    this.stopping = true;
    this.chaos.stop();
    Atomics.store(this.ctl.i32, I_STOP, 1);
    const ending = (kinds) => [...this.live].filter((p) => kinds.includes(p.kind));
    await this.waitFor(ending(['queue producer', 'stranger', 'lock worker', 'pipe writer', 'pool parent']), 'stop');
    for (const ch of Object.keys(CONSUMERS)) {
      const consumers = [...this.live].filter((p) => p.kind === 'queue consumer' && p.meta.channel === ch && !p.killed);
      for (const _ of consumers) await this.queues[ch].put(null);
    }
    await this.waitFor(ending(['queue consumer', 'pipe reader']), 'end of the producers');
  }

  checkLock() {
    const { i32, f64 } = this.ctl;
    this.me.roundSync(); // repairs what a holder killed last left, and checks the sum on the way
    const counter = this.me.set.counter.value;
    const done = doneTotal(f64);
    const recoveries = Atomics.load(i32, I_RECOVERIES);
    const lockKills = this.chaos.kills['lock worker'] + this.chaos.kills.stranger;
    if (counter !== done) this.violation('lock', `counter ${counter} != ${done} increments completed`);
    if (recoveries > lockKills) this.violation('lock', `${recoveries} owner-death takeovers for ${lockKills} kills of participants`);
    return { counter, increments: done, recoveries, recoveriesValue: this.me.set.recoveries.value,
      rollbacks: Atomics.load(i32, I_ROLLBACKS), killedHolding: this.killedHolding, participantKills: lockKills };
  }

  checkPool() {
    const stats = Object.fromEntries(POOL_FIELDS.map((f) => [f, this.pool(f)]));
    stats.workerKills = Atomics.load(this.ctl.i32, I_POOL_KILLS);
    if (stats.workerDeaths > stats.workerKills) {
      this.violation('pool', `${stats.workerDeaths} worker deaths for ${stats.workerKills} kills`);
    }
    return stats;
  }

  report(interrupted) {
    const lock = this.checkLock();
    const pool = this.checkPool();
    const channels = {};
    const positions = { A: CONSUMERS.A, B: CONSUMERS.B, N: CONSUMERS.N, P: LANE_CONSUMER_POS };
    for (const [ch, c] of Object.entries(this.ledger.channels)) {
      channels[ch] = { label: CHANNELS[ch].label, ...c,
        bytes: positions[ch].reduce((a, pos) => a + this.ctl.f64[F_BYTES + pos], 0),
        qsizeAfter: this.queues[ch]?.qsize() ?? null };
    }
    const violations = [...this.ledger.violations].map(([kind, v]) => ({ kind, ...v }));
    const fromChildren = this.ctl.violations();
    const childCount = Atomics.load(this.ctl.i32, I_VIOLATIONS);
    if (childCount > 0) violations.push({ kind: 'reported by participants', count: childCount, details: fromChildren });
    return {
      tag: this.cfg.tag, seed: this.cfg.seed, seconds: this.cfg.seconds, interrupted,
      ranMs: this.ranMs, totalMs: Date.now() - this.t0,
      channels, kills: this.chaos.kills, pauses: this.chaos.pauses, lock, pool,
      rss: this.rss, pids: [...this.pids], violations,
    };
  }

  cleanUp() {
    for (const q of Object.values(this.queues)) q.close();
    mp.Queue.unlink(this.names.queue);
    mp.Lock.unlink(this.names.lock);
    mp.unlinkValue(this.names.counter);
    mp.unlinkValue(this.names.recoveries);
    this.ctl.shm.unlink();
    this.ctl.close();
  }
}

if (mp.isMainProcess()) {
  const cfg = JSON.parse(process.argv[2]);
  const soak = new Soak(cfg);
  const report = await soak.run();
  soak.cleanUp();
  writeFileSync(cfg.reportPath, JSON.stringify(report));
  // Nothing may keep the program alive now: if something does, say so rather than hang.
  setTimeout(() => {
    process.stderr.write('soak: the orchestrator still runs 20 s after its report, kept alive by '
      + `${JSON.stringify(process.getActiveResourcesInfo())}\n`);
    process.exit(3);
  }, 20_000).unref();
}
