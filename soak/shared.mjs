// What every process of the soak shares: the layout of the control segment (a named
// SharedMemory every participant opens by name), the seeded hash that makes every message
// reproducible from (producer, sequence), the acknowledgement logs consumers write and the
// orchestrator reads, and the reporting of violations.
import * as mp from 'multiproc';

// ---------------------------------------------------------------- control segment layout
// Int32 words (Atomics) in the first 4 KiB.
export const I_STOP = 0; //            1 once the run is over: producers and workers finish
export const I_POOL_KILLS = 1; //      pool workers the orchestrator killed (bumped before the kill)
export const I_HOLDER = 2; //          lock participant slot + 1 holding the named lock, 0 if none
export const I_RECOVERIES = 3; //      acquires that were told the previous holder died
export const I_ROLLBACKS = 4; //       half-done counter increments rolled back after a holder died
export const I_JOURNAL = 5; //         slot whose increment is in flight, -1 if none
export const I_VIOLATIONS = 6; //      violations reported by any process
const I_VIOLATION_TEXTS = 7; //          violation text slots taken
export const I_SENT = 64; //           [position]: messages a producer position has put or sent
export const I_TAKEN = 192; //         [consumer position]: messages acknowledged (pipe windows)
export const I_LANE_GONE = 320; //     [lane]: the lane's reader is dead (keep sending until EPIPE)
export const I_ACKED = 448; //         [position]: messages of its live producer acknowledged so far
export const POSITIONS = 64;

// Float64 words, written only under the named lock (or by a single writer).
const F_BASE = 4096 / 8;
export const F_J_COUNTER = F_BASE; //  the counter before the increment in flight
export const F_J_DONE = F_BASE + 1; // that slot's done count before it
export const F_DONE = F_BASE + 8; //   [slot]: increments a lock participant completed
export const LOCK_SLOTS = 32;
export const F_BYTES = F_BASE + 64; // [consumer position]: payload bytes verified
export const F_POOL = F_BASE + 192; // pool statistics, see POOL_FIELDS
export const POOL_FIELDS = ['tasksOk', 'tasksDied', 'maps', 'mapsRejected', 'applyBursts', 'applies',
  'imaps', 'imapChunksFailed', 'batches', 'workerDeaths'];

// Violation texts: VIOLATION_SLOTS records of VIOLATION_BYTES (a length word, then UTF-8).
const VIOLATION_BASE = 8192;
const VIOLATION_SLOTS = 64;
const VIOLATION_BYTES = 256;
// Texts kept per kind: one kind reported thousands of times must not take every slot.
const TEXTS_PER_KIND = 10;

// Acknowledgement logs, one per consumer position: head, tail, then LOG_ENTRIES pairs of words.
const LOG_BASE = 32768;
const LOG_ENTRIES = 1 << 15;
const LOG_BYTES = 16 + LOG_ENTRIES * 8;
export const CONSUMER_POSITIONS = 16;
export const CTL_SIZE = LOG_BASE + CONSUMER_POSITIONS * LOG_BYTES;

/** The views of the control segment every process works with. */
export class Ctl {
  constructor(name, create = false) {
    this.shm = create ? new mp.SharedMemory({ name, create: true, size: CTL_SIZE }) : new mp.SharedMemory({ name });
    const { buffer, byteOffset } = this.shm.buf;
    this.i32 = new Int32Array(buffer, byteOffset, CTL_SIZE / 4);
    this.f64 = new Float64Array(buffer, byteOffset, CTL_SIZE / 8);
    this.bytes = this.shm.buf;
    if (create) Atomics.store(this.i32, I_JOURNAL, -1);
  }

  get stopped() {
    return Atomics.load(this.i32, I_STOP) !== 0;
  }

  /** Records a violation: counted, its text kept (the first ten of its kind, 64 in all), and
   * printed on stderr. */
  violation(kind, detail) {
    const text = `${kind}: ${detail}`;
    Atomics.add(this.i32, I_VIOLATIONS, 1);
    const sameKind = this.violations().filter((t) => t.startsWith(`${kind}: `)).length;
    const n = sameKind < TEXTS_PER_KIND ? Atomics.add(this.i32, I_VIOLATION_TEXTS, 1) : VIOLATION_SLOTS;
    if (n < VIOLATION_SLOTS) {
      const at = VIOLATION_BASE + n * VIOLATION_BYTES;
      const len = this.bytes.write(text.slice(0, 240), at + 4, 'utf8');
      this.bytes.writeUInt32LE(len, at);
    }
    process.stderr.write(`soak violation [pid ${process.pid}] ${text}\n`);
  }

  /** The violation texts recorded so far. */
  violations() {
    const n = Math.min(Atomics.load(this.i32, I_VIOLATION_TEXTS), VIOLATION_SLOTS);
    const out = [];
    for (let k = 0; k < n; k++) {
      const at = VIOLATION_BASE + k * VIOLATION_BYTES;
      out.push(this.bytes.toString('utf8', at + 4, at + 4 + this.bytes.readUInt32LE(at)));
    }
    return out;
  }

  close() {
    this.shm.close();
  }
}

// ---------------------------------------------------------------- acknowledgement logs
export const HELLO = -1; // first entry of each consumer process: [HELLO, pid]
export const CORRUPT = 1 << 24; // flag on the producer word: the message's content was wrong
export const PRODUCER_MASK = 0xffffff;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread for `ms` milliseconds. */
export const sleepSync = (ms) => Atomics.wait(sleeper, 0, 0, ms);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A consumer position's log, written by its consumer (head) and read by the orchestrator
 * (tail): a message counts as received once its entry is published (one atomic store of the
 * head), so a consumer killed between taking a message and this store loses that one message.
 */
export class AckLog {
  constructor(ctl, position) {
    const at = ctl.bytes.byteOffset + LOG_BASE + position * LOG_BYTES;
    this.words = new Int32Array(ctl.bytes.buffer, at, LOG_BYTES / 4);
  }

  append(w0, w1) {
    const words = this.words;
    const head = Atomics.load(words, 0);
    while (((head - Atomics.load(words, 1)) | 0) >= LOG_ENTRIES) sleepSync(1);
    const at = 4 + (head & (LOG_ENTRIES - 1)) * 2;
    words[at] = w0;
    words[at + 1] = w1;
    Atomics.store(words, 0, (head + 1) | 0);
  }

  /** Calls `fn(w0, w1)` for every entry published since the last drain. */
  drain(fn) {
    const words = this.words;
    const head = Atomics.load(words, 0);
    let tail = Atomics.load(words, 1);
    while (tail !== head) {
      const at = 4 + (tail & (LOG_ENTRIES - 1)) * 2;
      fn(words[at], words[at + 1]);
      tail = (tail + 1) | 0;
    }
    Atomics.store(words, 1, tail);
  }
}

// ---------------------------------------------------------------- seeded hashing
/** A 32-bit integer hash (lowbias32). */
export function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seeded generator: next() in [0, 1), int(n) in [0, n). */
export function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    return mix32(s) / 2 ** 32;
  };
  return { next, int: (n) => Math.floor(next() * n), chance: (p) => next() < p };
}

/** A seed for one process of the run, from the run's seed and what the process is. */
export const childSeed = (runSeed, ...parts) => parts.reduce((h, p) => mix32(h ^ mix32(p)), runSeed >>> 0);
