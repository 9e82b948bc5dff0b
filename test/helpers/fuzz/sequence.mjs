/**
 * The message fuzzer's sequences: from a seed, the same messages in every process, each with
 * when to read (how many of the messages sent so far the receiver takes after it), how to send
 * and how to receive it. Sizes aim at the boundaries of lib/queue/{tree,codec,ring}.ts, and
 * patterns of several messages aim at states they leave behind: a grown encoding slab filled
 * to its last bytes, a ring filled to a few bytes from its end, a ring emptied around its early
 * restart 4 KiB in, the receiving slab passed by many byte arrays.
 */
import * as mp from 'multiproc';
import { FLAVOURS, Rng, randomString } from './random.mjs';
import { FIXED, LIMITS, SIZED, WEIGHTS, recordOf } from './shapes.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The largest message a sequence sends by default. */
export const MAX_MESSAGE = 4 * MiB;

const align8 = (n) => (n + 7) & ~7;

/** Encoding sizes (the codec's, tag byte included) worth aiming at whatever the ring: the tree and
 * receive slabs, the receive slab's largest piece, the early restart, small-field limits. */
const ABSOLUTE_SIZES = [1, 5, 9, 12, 13, 32, 33, LIMITS.earlyWrap, LIMITS.recvPiece + 1, 16 * KiB, 64 * KiB,
  LIMITS.treeSlab, LIMITS.treeSlab + 11, 512 * KiB, MiB, 2 * MiB, 4 * MiB - 64];

/**
 * Encoding sizes worth aiming at for a ring of `capacity` bytes: the streaming threshold (a
 * record over a quarter of the ring: an encoding over a quarter less 4), multiples of the
 * chunk (a quarter), the ring's own size.
 * @param {number} capacity @returns {number[]}
 */
export function ringSizes(capacity) {
  const q = capacity >> 2;
  return [q - 4, q - 4, q - 4, q - 4, q, 2 * q - 8, 2 * q, 3 * q + 4, capacity - 8, capacity, capacity + 4, 2 * capacity,
    5 * q];
}

// Within 9 bytes of one of `sizes` (those up to `max`).
function near(rng, sizes, max) {
  const fit = sizes.filter((s) => s <= max);
  return fit.length > 0 ? rng.pick(fit) + rng.range(-9, 9) : rng.int(max + 1);
}

/**
 * An encoding size: mostly small, some spread over 0 B to `max` (log-uniform), many within 9
 * bytes of an aimed size.
 * @param {Rng} rng @param {number} capacity @param {number} max @returns {number}
 */
export function pickSize(rng, capacity, max) {
  let n;
  switch (rng.weighted({ tiny: 4, small: 3, spread: 2, absolute: 2, ring: 4 })) {
    case 'tiny': n = rng.int(64); break;
    case 'small': n = rng.int(4096); break;
    case 'spread': n = Math.floor(2 ** (rng.float() * Math.log2(max))); break;
    case 'absolute': n = near(rng, ABSOLUTE_SIZES, max); break;
    default: n = near(rng, ringSizes(capacity), max);
  }
  return Math.min(max, Math.max(0, n));
}

// How the receiver keeps up: after each message (lockstep), after bursts of them, a few
// messages behind (reads and writes interleave with records in the ring), or at random.
const MODES = { lockstep: 3, burst: 3, lag: 2, random: 1 };

/** A generated message and how it travels. */
export class Message {
  constructor(index, built) {
    /** @type {number} */ this.index = index;
    this.value = built.value;
    /** What structured clone should be compared with, when it is not `value`. */
    this.template = built.template;
    /** @type {string} */ this.shape = built.shape;
    /** @type {string} the codec encoding it should take */ this.enc = built.enc;
    /** @type {number} about the size of its encoding */ this.bytes = built.bytes;
    /** @type {number} messages the receiver takes once this one is sent */ this.take = 0;
    /** @type {boolean} sent into a new channel (one-process runs), nothing before it pending */ this.fresh = false;
    /** @type {'nowait'|'sync'|'async'|'send'|{bytes: [number, number]}} */ this.send = 'nowait';
    /** @type {'sync'|'async'|'nowait'|'poll'|'bytes'} */ this.recv = 'sync';
    /** @type {string | undefined} sending must throw an error whose message contains this; nothing arrives */
    this.throws = built.throws;
  }
}

/** A deterministic sequence of `count` messages for a channel of `capacity` bytes. */
export class Sequence {
  /**
   * @param {number} seed
   * @param {{ capacity: number, kind: 'queue'|'pipe', count: number, pool?: readonly object[], maxSize?: number,
   *   maxPending?: number }} options `maxPending`: messages left untaken at most (a bounded
   *   queue's size - 1)
   */
  constructor(seed, { capacity, kind, count, pool = [], maxSize = MAX_MESSAGE, maxPending = Infinity }) {
    this.seed = seed >>> 0;
    this.rng = new Rng(seed);
    this.capacity = capacity;
    this.kind = kind;
    this.count = count;
    this.pool = pool;
    this.maxSize = maxSize;
    this.maxPending = maxPending;
    this.index = 0;
    // Sizes of the messages sent and not yet taken, oldest first.
    this.inflight = [];
    this.steps = [];
    this.segmentLeft = 0;
    this.phase = { mode: 'lockstep', left: 0, burst: 1, lag: 1 };
    // What the last message was built as (before the choice of how it travels).
    this.previous = null;
  }

  *[Symbol.iterator]() {
    for (let m = this.next(); m; m = this.next()) yield m;
  }

  /** @returns {Message | null} the next message, null after the last */
  next() {
    if (this.index >= this.count) return null;
    const { rng } = this;
    let fresh = false;
    if (this.steps.length === 0 && this.inflight.length === 0) {
      if (this.segmentLeft <= 0) {
        fresh = true;
        this.segmentLeft = rng.range(100, 600);
        if (rng.chance(0.5)) this.steps = this.ringPattern();
      } else if (rng.chance(0.05)) {
        this.steps = this.slabPattern();
      }
    }
    const step = this.steps.shift() ?? { make: () => this.randomShape() };
    const built = step.make();
    const m = new Message(this.index, built);
    m.fresh = fresh;
    this.index++;
    this.segmentLeft--;
    if (!m.throws) this.inflight.push(m.bytes);
    const all = this.inflight.length;
    let take = step.take ?? this.phaseTake();
    // The last message, the end of a segment, or too many bytes in flight: take everything.
    const bytes = this.inflight.reduce((a, b) => a + b, 0);
    if (this.index === this.count || (this.segmentLeft <= 0 && this.steps.length === 0) || bytes > 24 * MiB) take = all;
    m.take = Math.min(all, Math.max(take, all - this.maxPending));
    this.inflight.splice(0, m.take);
    this.chooseApis(m);
    this.previous = built;
    return m;
  }

  phaseTake() {
    const { rng, phase } = this;
    if (phase.left-- <= 0) {
      phase.mode = rng.weighted(MODES);
      phase.left = rng.range(5, 200);
      phase.burst = rng.chance(0.8) ? rng.range(2, 8) : rng.range(9, 64);
      phase.lag = rng.range(1, 8);
    }
    const all = this.inflight.length;
    switch (phase.mode) {
      case 'lockstep': return all;
      case 'burst': return all >= phase.burst ? all : 0;
      case 'lag': return Math.max(0, all - phase.lag);
      default: return rng.int(all + 1);
    }
  }

  chooseApis(m) {
    const { rng } = this;
    const sent = m.template ?? m.value;
    if (this.kind === 'queue') {
      m.send = rng.weighted({ nowait: 3, sync: 2, async: 2 });
      m.recv = rng.weighted({ sync: 3, async: 2, nowait: 1 });
      return;
    }
    m.send = 'send';
    if (m.value instanceof Uint8Array && Object.getPrototypeOf(m.value) === (Buffer.isBuffer(m.value) ? Buffer.prototype
      : Uint8Array.prototype) && rng.chance(0.3)) {
      const n = m.value.byteLength;
      const offset = rng.chance(0.5) ? 0 : rng.int(n + 1);
      const size = rng.chance(0.5) ? n - offset : rng.int(n - offset + 1);
      m.send = { bytes: [offset, size] };
      m.template = Buffer.from(m.value.subarray(offset, offset + size));
      m.shape += ` sent with sendBytes(…, ${offset}, ${size})`;
      m.enc = 'Buffer';
    }
    const isBuffer = Buffer.isBuffer(m.template ?? sent);
    m.recv = rng.weighted({ sync: 3, async: 2, poll: 1, bytes: isBuffer ? 2 : 0 });
  }

  randomShape() {
    const { rng } = this;
    if (this.previous && rng.chance(0.02)) {
      const p = this.previous;
      return { ...p, shape: `again (the same object): ${p.shape}` };
    }
    const name = rng.weighted(WEIGHTS);
    if (name in SIZED) return SIZED[name](this, pickSize(rng, this.capacity, this.maxSize));
    return FIXED[name](this);
  }

  // ------------------------------------------------------------------ patterns
  // A pattern is a list of steps: how to make a message and, if it matters, how many to take.

  /** Patterns that need a ring in a known state: a fresh one (tail at 0, nothing in it). */
  ringPattern() {
    const { rng } = this;
    const q = this.capacity >> 2;
    const buf = (record, take) => ({ make: () => SIZED.buffer(this, record - 4), take });
    const form = rng.weighted({ end: 3, earlyWrap: 2, stream: 2 });
    if (form === 'end') {
      // Records of at most a quarter of the ring (larger ones are streamed) up to `gap` bytes
      // from its end, a few of them read, then a record that fits the gap, wraps, or waits.
      const gap = rng.pick([0, 4, 8, 12, 16, 64, 4 * rng.range(1, Math.max(1, (q >> 2) - 4))]);
      const records = [];
      for (let left = this.capacity - gap; left > 0;) {
        let r = Math.min(q, left);
        if (left - r > 0 && left - r < 8) r -= 8;
        records.push(r);
        left -= r;
      }
      const steps = records.map((r) => buf(r, 0));
      steps[steps.length - 1].take = rng.pick([0, 1, 1, 2]);
      const x = rng.pick([gap, gap + 4, gap - 4, records[0], records[0] + 4, 8, rng.range(2, q >> 2) * 4, q + 4, 3 * q]);
      steps.push(x >= 8 ? buf(x, rng.pick([0, 1])) : { make: () => FIXED.atom(this), take: 0 });
      steps.push({ make: () => this.randomShape() });
      return steps;
    }
    if (form === 'earlyWrap') {
      // An empty ring is written from its start again once 4 KiB in, if the record fits there.
      const first = LIMITS.earlyWrap + 4 * rng.range(-2, 2);
      const x = rng.pick([first - 4, first, first + 4, 8, 2 * first]);
      return [buf(first, 1), buf(x, rng.pick([0, 1])), { make: () => this.randomShape() }];
    }
    // A stream that starts at some offset: sizes around multiples of the chunk (a quarter).
    const before = 4 * rng.range(2, q >> 2);
    const total = q * rng.range(1, 9) + rng.range(-9, 9);
    return [buf(before, 1), { make: () => SIZED.buffer(this, Math.min(this.maxSize, total)) },
      { make: () => this.randomShape() }];
  }

  /** Patterns aimed at the encoder's and the decoder's slabs. */
  slabPattern() {
    const { rng } = this;
    const form = rng.weighted({ chase: 3, pieces: 2, depths: 1, strings: 1 });
    if (form === 'chase' && this.maxSize >= 140_000) {
      // [Buffer(L)] encodes to 10 + L bytes and grows the slab to 2 * (10 + L) bytes (aligned
      // to 8 since de3c40c); [Buffer(F)] then ends `gap` bytes before that end (a negative gap:
      // F grows the slab itself). Repeated: after the first, each round starts from a freshly
      // grown slab; each its own gap.
      const L = rng.range(130_000, Math.min(this.maxSize, 1_600_000));
      const steps = [];
      for (let round = rng.range(3, 5); round > 0; round--) {
        const gap = rng.range(-2, 9);
        const F = 2 * (10 + L) - gap - align8(10 + L) - 10;
        steps.push({ make: () => treeBuffer(this, L) }, { make: () => treeBuffer(this, F) });
      }
      steps.push({ make: () => FIXED.tree(this) });
      return steps;
    }
    if (form === 'pieces') {
      // The receive slab is cut in pieces of up to 8 KiB: 256 KiB pass within a few dozen.
      const around = rng.pick([LIMITS.recvPiece, LIMITS.recvPiece - 8, rng.range(3000, LIMITS.recvPiece)]);
      return Array.from({ length: rng.range(20, 80) }, () => ({
        make: () => SIZED[rng.chance(0.7) ? 'buffer' : 'uint8'](this, around + 1 + rng.range(-8, 8)),
      }));
    }
    if (form === 'depths') {
      return [62, 63, 64, 65, 66].map((levels) => ({ make: () => nested(this, levels) }));
    }
    // Strings around the codec's inline limit, wide characters at their end.
    return [4094, 4095, 4096, 4097, 4098].map((length) => ({ make: () => inlineLimit(this, length) }));
  }
}

function treeBuffer(g, n) {
  const value = [SIZED.buffer(g, n + 1).value];
  return { shape: `tree [Buffer(${n})]`, enc: 'Tree', value, bytes: n + 11, template: undefined };
}

function nested(g, levels) {
  let value = g.rng.int(100);
  for (let i = 0; i < levels; i++) value = g.rng.chance(0.5) ? [value] : { d: value };
  return { shape: `nested(${levels} levels)`, enc: levels <= LIMITS.maxDepth ? 'Tree' : 'Clone', value, bytes: levels * 8 };
}

function inlineLimit(g, length) {
  const flavour = g.rng.pick(FLAVOURS);
  let value = randomString(g.rng, length, flavour);
  if (g.rng.chance(0.5)) value = value.slice(0, -2) + g.rng.pick(['\u{1f600}', '\u00e9\u2713']);
  const inline = value.length <= LIMITS.inlineString;
  return { shape: `string(${value.length} units, ${flavour}, wide end)`, enc: inline ? 'String' : 'Clone', value,
    bytes: 1 + 3 * value.length };
}

/**
 * The size of `m`'s encoding (exact except for trees: about), and whether a ring of `capacity`
 * streams it. For failure reports.
 * @param {Message} m @param {number} capacity @returns {string}
 */
export function describeSize(m, capacity) {
  const v = m.template && m.enc === 'Buffer' ? m.template : m.value;
  let size;
  let bound;
  switch (m.enc) {
    case 'Buffer': case 'Bytes': size = 1 + v.byteLength; break;
    case 'String': size = 1 + Buffer.byteLength(v); bound = 1 + 3 * v.length; break;
    case 'Int': size = 5; break;
    case 'Double': size = 9; break;
    case 'Clone': size = 1 + safeSize(v); break;
    case 'Tree': size = m.bytes; break;
    default: size = 1;
  }
  const streamed = recordOf(bound ?? size) > capacity >> 2;
  return `${m.enc === 'Tree' ? '~' : ''}${size} B${bound ? ` (bound ${bound})` : ''}, ${streamed
    ? `streamed (over ${capacity >> 2} B, a quarter of the ring)` : `record ${recordOf(bound ?? size)} B`}`;
}

function safeSize(value) {
  try {
    return mp.serialize(value).byteLength;
  } catch {
    return NaN;
  }
}

/**
 * One line saying what `m` is: index, shape, encoding, size, and how it travelled.
 * @param {Message} m @param {number} capacity @returns {string}
 */
export function describeMessage(m, capacity) {
  if (m.throws) return `message #${m.index}: ${m.shape}, sent ${m.send}, then ${m.take} taken`;
  const send = typeof m.send === 'object' ? `sendBytes(${m.send.bytes.join(', ')})` : m.send;
  return `message #${m.index}: ${m.shape}; ${m.enc} encoding, ${describeSize(m, capacity)}; `
    + `sent ${send}, received ${m.recv}, then ${m.take} taken${m.fresh ? '; first in a fresh channel' : ''}`;
}
