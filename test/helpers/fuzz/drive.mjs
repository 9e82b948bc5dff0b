/**
 * The message fuzzer's drivers: runs a sequence (sequence.mjs) through a Queue or a Pipe, in
 * one process or between this process and a child (test/fixtures/message_fuzz_peer.mjs),
 * checking each message received against structured clone (compare.mjs). Used by
 * test/message-fuzz.test.ts (bounded) and scripts/fuzz.mjs (for as long as asked).
 *
 * Between processes, both sides generate the same sequence from the seed; the receiver
 * acknowledges each message on a control queue, and the sender waits for the
 * acknowledgements where the sequence says its receiver takes messages: so bursts, lockstep
 * and a reader a few messages behind happen across processes as in one.
 */
import * as mp from 'multiproc';
import { compare, expectedOf, makePool, sharedChecker } from './compare.mjs';
import { Sequence, describeMessage } from './sequence.mjs';

/** The channels messages go through: ring sizes from 4 KiB to the defaults, and one odd. */
export const CHANNELS = {
  'queue 4 KiB': { kind: 'queue', capacity: 4096 },
  'queue 64 KiB': { kind: 'queue', capacity: 64 * 1024 },
  'queue 1 MiB (default)': { kind: 'queue' },
  'queue 12,344 B': { kind: 'queue', capacity: 12_344 },
  'bounded queue 16 KiB': { kind: 'queue', capacity: 16 * 1024, maxsize: 3 },
  'pipe 256 KiB (default)': { kind: 'pipe', duplex: true },
  'pipe 4 KiB': { kind: 'pipe', duplex: true, capacity: 4096 },
  'simplex pipe 64 KiB': { kind: 'pipe', duplex: false, capacity: 64 * 1024 },
  'simplex pipe 256 KiB (default)': { kind: 'pipe', duplex: false },
};

/** Ring bytes of a channel. */
export const capacityOf = (spec) => spec.capacity ?? (spec.kind === 'queue' ? 1 << 20 : 256 * 1024);

const PEER = new URL('../../fixtures/message_fuzz_peer.mjs', import.meta.url).href;
// Receives wait this long at a time, then look whether the other side still lives.
const POLL_MS = 1000;
// Re-checked this many messages later: a received value must not change when later ones arrive.
const LATE = 4;

/** A mismatch, or an error or a stall while sending or receiving; `report` says how to replay it. */
export class FuzzFailure extends Error {
  constructor(report) {
    super(formatReport(report));
    this.name = 'FuzzFailure';
    this.report = report;
  }
}

function formatReport(r) {
  return [`${r.what}`, `  at ${r.path ?? '(the message as a whole)'}`,
    `  seed ${r.seed}, ${r.channel}, ${r.mode}, count ${r.count}${r.maxSize ? `, max size ${r.maxSize}` : ''}`,
    `  ${r.message}`, ...(r.previous ? [`  after ${r.previous}`] : []),
    `  replay: npm run fuzz -- --seed ${r.seed} --channel '${r.channel}' --mode '${r.mode}' --count ${r.count}`
      + `${r.maxSize ? ` --max-size ${r.maxSize}` : ''}`].join('\n');
}

/** Where a run is: its seed, channel, mode, sequence; builds failure reports. */
class Run {
  constructor({ seed, channel, mode, count, maxSize }, seq) {
    Object.assign(this, { seed, channel, mode, count, maxSize, seq });
    this.capacity = seq.capacity;
    // The messages last sent or received, by index: a failure also describes the one before.
    this.recent = new Map();
  }

  /** Notes that `m` is being sent or received. */
  at(m) {
    this.recent.set(m.index, m);
    this.recent.delete(m.index - 128);
  }

  failure(m, what, path) {
    const previous = this.recent.get(m.index - 1);
    return new FuzzFailure({ seed: this.seed, channel: this.channel, mode: this.mode, count: this.count,
      maxSize: this.maxSize, what, path, message: describeMessage(m, this.capacity),
      previous: previous && describeMessage(previous, this.capacity) });
  }
}

/** Checks received messages one by one, and each again LATE messages later. */
class Checker {
  constructor(run, pool) {
    this.run = run;
    this.checkShared = sharedChecker(pool);
    this.late = [];
    this.messages = 0;
    // Messages whose sending threw, as it had to (nothing to receive).
    this.refused = 0;
    this.bytes = 0;
    // Messages by the encoding they should have taken.
    this.encodings = {};
  }

  check(m, received) {
    const expected = expectedOf(m);
    const d = compare(expected.value, received, this.checkShared);
    if (d) throw this.run.failure(m, `received message differs from structured clone: ${d.what}`, d.path);
    this.messages++;
    this.bytes += expected.bytes;
    this.encodings[m.enc] = (this.encodings[m.enc] ?? 0) + 1;
    this.late.push({ m, expected: expected.value, received, after: 0 });
    if (this.late.length > LATE) this.recheck(this.late.shift(), m);
  }

  recheck(entry, now) {
    const d = compare(entry.expected, entry.received, this.checkShared);
    if (d) {
      throw this.run.failure(entry.m, `received message changed once message #${now.index} arrived: ${d.what}`, d.path);
    }
  }

  finish() {
    for (const entry of this.late) this.recheck(entry, entry.m);
    this.late = [];
    return { messages: this.messages, refused: this.refused, bytes: this.bytes, encodings: this.encodings };
  }
}

// ------------------------------------------------------------------ sending and receiving

const isQueue = (end) => end instanceof mp.Queue;

async function send(end, m) {
  const v = m.value;
  if (!isQueue(end)) {
    if (typeof m.send === 'object') end.sendBytes(v, ...m.send.bytes);
    else end.send(v);
    return;
  }
  switch (m.send) {
    case 'sync': end.putSync(v); return;
    case 'async': await end.put(v); return;
    default:
      try {
        end.putNowait(v);
      } catch (err) {
        if (!(err instanceof mp.Full)) throw err;
        await end.put(v);
      }
  }
}

// One receive of `m`, waiting POLL_MS at most: mp.Empty if nothing came.
async function receiveOnce(end, m, sync) {
  const timeout = POLL_MS;
  const how = sync ? m.recv : m.recv === 'sync' || m.recv === 'nowait' ? 'async' : m.recv;
  if (isQueue(end)) {
    if (how === 'sync') return end.getSync({ timeout });
    if (how === 'async') return end.get({ timeout });
    try {
      return end.getNowait();
    } catch (err) {
      if (!(err instanceof mp.Empty)) throw err;
      return end.getSync({ timeout });
    }
  }
  if (how === 'sync') return end.recvSync({ timeout });
  if (how === 'async') return end.recv({ timeout });
  if (!(await end.poll(timeout))) throw new mp.Empty();
  return how === 'bytes' ? end.recvBytes() : end.recv();
}

// Receives `m`, looking every POLL_MS whether `alive()`; a stall past `stallMs` is a failure.
async function receive(run, end, m, { sync = true, alive = () => true, stallMs = 60_000 } = {}) {
  const since = performance.now();
  for (;;) {
    try {
      return await receiveOnce(end, m, sync);
    } catch (err) {
      if (!(err instanceof mp.Empty)) throw run.failure(m, `receiving threw ${err.stack ?? err}`);
    }
    if (!alive()) throw run.failure(m, 'the sending process is gone and this message never came');
    if (performance.now() - since > stallMs) throw run.failure(m, `nothing received for ${stallMs} ms (lost or stuck)`);
  }
}

// Sends `m`; a message that must fail (m.throws) must throw that, and nothing else.
async function sendChecked(run, end, m) {
  try {
    await send(end, m);
  } catch (err) {
    if (m.throws && String(err?.message).includes(m.throws)) return;
    throw run.failure(m, `sending threw ${err.stack ?? err}`);
  }
  if (m.throws) throw run.failure(m, `sending did not throw (expected an error saying "${m.throws}")`);
}

// After a failure: reads what is left in queue `q`, so that no message waits in this process's
// outbox for a reader that will not come (a process with such messages stays alive, by design).
// getSync() writes the outbox before it waits. A pipe needs none: its outbox is dropped once no
// reader holds the other end.
function drainQueue(q) {
  for (;;) {
    try {
      q.getSync({ timeout: 100 });
    } catch {
      return;
    }
  }
}

// ------------------------------------------------------------------ one process

function openLocal(spec) {
  if (spec.kind === 'queue') {
    const q = new mp.Queue(spec.maxsize ?? 0, spec.capacity ? { capacity: spec.capacity } : undefined);
    return { ends: [[q, q]], close(failed) { if (failed) drainQueue(q); q.close(); } };
  }
  const [a, b] = mp.Pipe({ duplex: spec.duplex, capacity: spec.capacity });
  // [writer, reader] pairs; a duplex pipe is used both ways, a segment each.
  const ends = spec.duplex ? [[a, b], [b, a]] : [[b, a]];
  return { ends, close() { a.close(); b.close(); } };
}

const sequenceFor = (spec, seed, { count, maxSize }, pool) => new Sequence(seed, {
  capacity: capacityOf(spec), kind: spec.kind, count, pool, maxSize,
  maxPending: spec.maxsize ? spec.maxsize - 1 : Infinity,
});

/**
 * What a run checked: messages received, messages whose sending threw as it had to, bytes (of
 * their structured clones), messages by the encoding they should have taken.
 * @typedef {{ messages: number, refused: number, bytes: number, encodings: Record<string, number> }} RunStats
 */

/**
 * @typedef {object} RunOptions
 * @property {number} count messages in the sequence
 * @property {number} [maxSize] the largest encoding, in bytes (sequence.mjs's MAX_MESSAGE by default)
 */

/**
 * Sends `count` messages from `seed` through a fresh `spec` channel of this process and
 * receives each when the sequence says; a new channel for each of the sequence's segments.
 * @param {string} channel a key of CHANNELS @param {number} seed @param {RunOptions} options
 * @returns {Promise<RunStats>}
 */
export async function runLocal(channel, seed, options) {
  const spec = CHANNELS[channel];
  const pool = makePool();
  const seq = sequenceFor(spec, seed, options, pool);
  const run = new Run({ ...options, seed, channel, mode: 'one process' }, seq);
  const checker = new Checker(run, pool);
  const pending = [];
  let ch = null;
  let segment = 0;
  let failed = true;
  try {
    for (const m of seq) {
      if (m.fresh) {
        ch?.close();
        ch = openLocal(spec);
        segment++;
      }
      const [writer, reader] = ch.ends[segment % ch.ends.length];
      run.at(m);
      await sendChecked(run, writer, m);
      if (m.throws) checker.refused++;
      else pending.push(m);
      for (let i = 0; i < m.take; i++) {
        const p = pending.shift();
        checker.check(p, await receive(run, reader, p, { stallMs: 30_000 }));
      }
    }
    const stats = checker.finish();
    failed = false;
    return stats;
  } finally {
    ch?.close(failed);
  }
}

// ------------------------------------------------------------------ between processes

/** The control channel of one side: acknowledgements and reports from the other side. */
class Link {
  constructor(inbox, outbox, alive) {
    Object.assign(this, { inbox, outbox, alive });
    this.acked = -1;
    this.report = null;
    this.done = null;
    this.waiters = [];
  }

  post(message) {
    this.outbox.putNowait(message);
  }

  // Reads the other side's messages until it is done (or gone, or failed).
  async listen() {
    while (!this.done && !this.report) {
      let m;
      try {
        m = await this.inbox.get({ timeout: POLL_MS });
      } catch (err) {
        if (!(err instanceof mp.Empty)) this.report = { what: `reading the control queue threw ${err.stack ?? err}` };
        else if (!this.alive()) this.report = { what: 'the other process is gone without a report' };
        this.wakeAll();
        continue;
      }
      if (m.ack !== undefined) this.acked = Math.max(this.acked, m.ack);
      if (m.fail) this.report = m.fail;
      if (m.done) this.done = m.done;
      this.wakeAll();
    }
    this.wakeAll();
  }

  wakeAll() {
    for (const w of this.waiters.splice(0)) w();
  }

  // Resolves once message `index` was acknowledged; throws if the other side failed or stalled.
  async reach(run, m, index, stallMs) {
    const since = performance.now();
    while (this.acked < index) {
      if (this.report) throw new FuzzFailure(this.report);
      if (this.done) throw run.failure(m, `the receiving side finished before acknowledging message #${index}`);
      if (performance.now() - since > stallMs) {
        throw run.failure(m, `message #${index} not acknowledged within ${stallMs} ms (lost or stuck)`);
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

// Sends `seq` on `end`, waiting at each of its takes until the receiver acknowledged them.
async function sendStream(run, end, seq, link, stallMs) {
  const pending = [];
  for (const m of seq) {
    run.at(m);
    await sendChecked(run, end, m);
    if (!m.throws) pending.push(m.index);
    if (m.take > 0) {
      const taken = pending.splice(0, m.take);
      await link.reach(run, m, taken[taken.length - 1], stallMs);
    }
  }
}

// Receives and checks `seq` from `end`, acknowledging each message.
async function checkStream(run, end, seq, link, pool, { sync, stallMs }) {
  const checker = new Checker(run, pool);
  for (const m of seq) {
    if (m.throws) {
      checker.refused++;
      continue;
    }
    run.at(m);
    checker.check(m, await receive(run, end, m, { sync, alive: link.alive, stallMs }));
    link.post({ ack: m.index });
  }
  return checker.finish();
}

/**
 * One side of a run between processes (this process's, or the child's in fuzzPeer()): sends
 * the `side.send` sequence and checks the `side.recv` one, concurrently, either may be null.
 */
async function runSide(job, side) {
  const { spec, options, stallMs } = job;
  const link = new Link(side.inbox, side.outbox, side.alive);
  const listening = link.listen();
  const tasks = [];
  let stats = { messages: 0, refused: 0, bytes: 0, encodings: {} };
  const mode = (dir) => `between processes, ${dir}`;
  if (side.send) {
    const seq = sequenceFor(spec, side.send.seed, options, side.send.pool);
    const run = new Run({ ...options, seed: side.send.seed, channel: job.channel, mode: mode(side.send.dir) }, seq);
    tasks.push(sendStream(run, side.send.end, seq, link, stallMs));
  }
  if (side.recv) {
    const seq = sequenceFor(spec, side.recv.seed, options, side.recv.pool);
    const run = new Run({ ...options, seed: side.recv.seed, channel: job.channel, mode: mode(side.recv.dir) }, seq);
    // Both ways at once in one thread: a blocking receive would stop this side's sending.
    tasks.push(checkStream(run, side.recv.end, seq, link, side.recv.pool, { sync: !side.send, stallMs })
      .then((s) => { stats = s; }));
  }
  try {
    await Promise.all(tasks);
    return { link, listening, stats };
  } catch (err) {
    // Stops listening (within POLL_MS).
    link.done ??= { aborted: true };
    throw err;
  }
}

/**
 * Runs `count` messages from `seed` between this process and a child, `dir` 'to child' (the
 * child checks), 'from child' (this process checks) or 'both ways' (a duplex pipe, another
 * seed the other way).
 * @param {string} channel a key of CHANNELS @param {number} seed
 * @param {'to child'|'from child'|'both ways'} dir @param {RunOptions & { stallMs?: number }} options
 * @returns {Promise<RunStats>}
 */
export async function runRemote(channel, seed, dir, { stallMs = 60_000, ...options }) {
  const spec = CHANNELS[channel];
  const toChild = dir !== 'from child';
  const fromChild = dir !== 'to child';
  if (dir === 'both ways' && !(spec.kind === 'pipe' && spec.duplex)) throw new TypeError(`${channel} is one way`);
  const up = new mp.Queue();
  const down = new mp.Queue();
  let mine;
  let theirs;
  let close = () => {};
  if (spec.kind === 'queue') {
    const q = new mp.Queue(spec.maxsize ?? 0, spec.capacity ? { capacity: spec.capacity } : undefined);
    mine = { send: q, recv: q };
    theirs = { send: q, recv: q };
    close = (failed) => failed && drainQueue(q);
  } else {
    const [a, b] = mp.Pipe({ duplex: spec.duplex, capacity: spec.capacity });
    // Simplex: a reads, b writes.
    const [myEnd, theirEnd] = spec.duplex ? [a, b] : toChild ? [b, a] : [a, b];
    mine = { send: myEnd, recv: myEnd };
    theirs = { send: theirEnd, recv: theirEnd };
    close = () => myEnd.close();
  }
  const seeds = { down: seed, up: dir === 'both ways' ? (seed ^ 0x5bd1e995) >>> 0 : seed };
  const pools = { down: makePool(), up: makePool() };
  const job = { channel, spec, options, stallMs, parent: process.pid,
    send: fromChild ? { seed: seeds.up, pool: pools.up, end: theirs.send, dir } : null,
    recv: toChild ? { seed: seeds.down, pool: pools.down, end: theirs.recv, dir } : null,
    inbox: down, outbox: up };
  const child = new mp.Process({ target: { module: PEER, name: 'fuzzPeer' }, args: [job] }).start();
  if (spec.kind === 'pipe') theirs.send.close();
  let failed = true;
  try {
    const { link, listening, stats } = await runSide(job, {
      send: toChild ? { seed: seeds.down, pool: pools.down, end: mine.send, dir } : null,
      recv: fromChild ? { seed: seeds.up, pool: pools.up, end: mine.recv, dir } : null,
      inbox: up, outbox: down, alive: () => child.isAlive(),
    });
    link.post({ done: true });
    await listening;
    if (link.report) throw new FuzzFailure(link.report);
    await child.join();
    if (child.exitCode !== 0) throw new Error(`the child exited with code ${child.exitCode}: ${child.error?.stack ?? ''}`);
    failed = false;
    const childStats = link.done?.stats ?? { messages: 0, refused: 0, bytes: 0, encodings: {} };
    const encodings = { ...stats.encodings };
    for (const [enc, n] of Object.entries(childStats.encodings)) encodings[enc] = (encodings[enc] ?? 0) + n;
    return { messages: stats.messages + childStats.messages, refused: stats.refused + childStats.refused,
      bytes: stats.bytes + childStats.bytes, encodings };
  } finally {
    if (child.isAlive()) child.kill();
    await child.join();
    close(failed);
  }
}

/** The child's side of runRemote() (the target of test/fixtures/message_fuzz_peer.mjs). */
export async function fuzzPeer(job) {
  const alive = () => {
    try {
      process.kill(job.parent, 0);
      return true;
    } catch {
      return false;
    }
  };
  let result;
  try {
    result = await runSide(job, { send: job.send, recv: job.recv, inbox: job.inbox, outbox: job.outbox, alive });
  } catch (err) {
    job.outbox.putSync({ fail: err instanceof FuzzFailure ? err.report : { what: `the child threw ${err.stack ?? err}` } });
    return;
  }
  job.outbox.putSync({ done: { stats: result.stats } });
  await result.listening;
  if (job.send && job.spec.kind === 'pipe') job.send.end.close();
}
