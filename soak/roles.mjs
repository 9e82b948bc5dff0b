// The targets of the soak's mp.Process children: queue and pipe producers and consumers, and the
// lock workers. (The Pool's parent and its tasks are in pool.mjs.) Each child opens the control
// segment by name; `cfg` says which channel, position and producer id it is.
import * as mp from 'multiproc';
import { CHANNELS, initMessages, makeMessage, MAX_SEQ, verifyMessage } from './messages.mjs';
import { LockParticipant } from './lockround.mjs';
import {
  AckLog, CORRUPT, Ctl, F_BYTES, HELLO, I_ACKED, I_LANE_GONE, I_SENT, I_TAKEN, PRODUCER_MASK, rng, sleep,
} from './shared.mjs';

const tick = () => new Promise((r) => setImmediate(r));

function setUp(cfg) {
  initMessages(cfg.runSeed);
  return { ctl: new Ctl(cfg.ctlName), rand: rng(cfg.seed) };
}

/** The queue a child works on: handed over (A, B) or opened by name (the named queue). */
export function queueOf(cfg, q) {
  const ch = CHANNELS[cfg.channel];
  return cfg.queueName ? new mp.Queue(ch.maxsize, { name: cfg.queueName, capacity: ch.capacity }) : q;
}

// Puts with every method the Queue has; putNowait falls back to put() when a bounded queue is
// full.
export async function putOne(q, msg, rand) {
  const r = rand.next();
  if (r < 0.5) return q.putSync(msg);
  if (r < 0.85) return q.put(msg);
  try {
    return q.putNowait(msg);
  } catch (err) {
    if (!(err instanceof mp.Full)) throw err;
    return q.put(msg);
  }
}

/** Waits while more than `cfg.window` of this producer's messages are unacknowledged (0: no limit). */
export async function keepWithinWindow(ctl, cfg) {
  const { i32 } = ctl;
  while (cfg.window && Atomics.load(i32, I_SENT + cfg.pos) - Atomics.load(i32, I_ACKED + cfg.pos) > cfg.window
    && !ctl.stopped) await sleep(2);
}

/**
 * Puts messages 0, 1, 2… of producer `cfg.producerId`, recording in its position's word how
 * many were put, until its budget is spent or the run stops. On unbounded queues it keeps within
 * its window of unacknowledged messages, so that memory stays bounded whatever the library does
 * when consumers are paused or killed.
 */
export async function queueProducer(cfg, queue) {
  const { ctl, rand } = setUp(cfg);
  const q = queueOf(cfg, queue);
  const budget = Math.min(cfg.budget, MAX_SEQ);
  for (let s = 0; s < budget; s++) {
    if ((s & 15) === 0 && ctl.stopped) break;
    await putOne(q, makeMessage(cfg.channel, cfg.producerId, s), rand);
    Atomics.store(ctl.i32, I_SENT + cfg.pos, s + 1);
    if ((s & 31) === 31) await keepWithinWindow(ctl, cfg);
    if ((s & 255) === 255) await tick();
  }
}

/**
 * Takes messages until a null, checks each against what its producer sent, and acknowledges it
 * in this position's log. `inject` (self-check of the checker): 'loss' drops the
 * acknowledgements of 100 messages, 'dup' acknowledges one twice.
 */
export async function queueConsumer(cfg, queue) {
  const { ctl, rand } = setUp(cfg);
  const q = queueOf(cfg, queue);
  const log = new AckLog(ctl, cfg.consumerPos);
  log.append(HELLO, process.pid);
  for (let n = 0; ; n++) {
    const m = rand.chance(0.6) ? q.getSync() : await q.get();
    if (m === null) break;
    const v = verifyMessage(cfg.channel, m);
    if (!v.ok) ctl.violation('corrupt', `${cfg.channel}: message ${v.s} of producer ${v.p} differs from what was sent`);
    if (cfg.inject === 'loss' && n >= 20 && n < 120) continue;
    log.append(v.p < 0 ? PRODUCER_MASK | CORRUPT : v.p | (v.ok ? 0 : CORRUPT), v.s);
    if (cfg.inject === 'dup' && n === 10) log.append(v.p, v.s);
    ctl.f64[F_BYTES + cfg.consumerPos] += v.bytes;
    if ((n & 255) === 255) await tick();
  }
}

const WINDOW = 256;
// Sent after the reader died without BrokenPipeError, beyond which send() is taken to be broken.
const AFTER_DEATH_LIMIT = 20_000;

/**
 * A lane's writer: sends its messages through the pipe, at most WINDOW ahead of what the
 * lane's reader acknowledged, then closes its end. Once the orchestrator saw the reader die,
 * it goes on sending until send() throws BrokenPipeError, as it must once the ring is full.
 */
export async function pipeProducer(cfg, conn) {
  const { ctl } = setUp(cfg);
  const { i32 } = ctl;
  let afterDeath = 0;
  for (let s = 0; s < Math.min(cfg.budget, MAX_SEQ) && !ctl.stopped; s++) {
    while (Atomics.load(i32, I_LANE_GONE + cfg.lane) === 0 && s - Atomics.load(i32, I_TAKEN + cfg.consumerPos) > WINDOW) {
      if (ctl.stopped) break;
      await sleep(1);
    }
    try {
      await conn.send(makeMessage('P', cfg.producerId, s));
    } catch (err) {
      if (err instanceof mp.BrokenPipeError) return;
      throw err;
    }
    Atomics.store(i32, I_SENT + cfg.pos, s + 1);
    if (Atomics.load(i32, I_LANE_GONE + cfg.lane) !== 0 && ++afterDeath > AFTER_DEATH_LIMIT) {
      ctl.violation('pipe', `lane ${cfg.lane}: ${afterDeath} sends after the reader died and no BrokenPipeError`);
      return;
    }
    if ((s & 255) === 255) await tick();
  }
  conn.close();
}

/** A lane's reader: receives until EOFError, checking and acknowledging every message. */
export async function pipeConsumer(cfg, conn) {
  const { ctl, rand } = setUp(cfg);
  const log = new AckLog(ctl, cfg.consumerPos);
  log.append(HELLO, process.pid);
  for (let n = 0; ; n++) {
    let m;
    try {
      m = rand.chance(0.5) ? conn.recvSync() : await conn.recv();
    } catch (err) {
      if (err instanceof mp.EOFError) break;
      throw err;
    }
    const v = verifyMessage('P', m);
    if (!v.ok) ctl.violation('corrupt', `pipe lane ${cfg.lane}: message ${v.s} of producer ${v.p} differs from what was sent`);
    log.append(v.p < 0 ? PRODUCER_MASK | CORRUPT : v.p | (v.ok ? 0 : CORRUPT), v.s);
    Atomics.add(ctl.i32, I_TAKEN + cfg.consumerPos, 1);
    ctl.f64[F_BYTES + cfg.consumerPos] += v.bytes;
    if ((n & 255) === 255) await tick();
  }
  conn.close();
}

/** Increments the named counter under the named lock, sync and async, until the run stops. */
export async function lockWorker(cfg) {
  const { ctl, rand } = setUp(cfg);
  const me = new LockParticipant(ctl, cfg.names, cfg.slot, rand);
  for (let round = 0; !ctl.stopped; round++) {
    for (let i = 0; i < 20; i++) me.roundSync();
    await me.round();
    if (cfg.inject === 'lock' && round === 0) me.cheat();
    await sleep(rand.int(2));
  }
}
