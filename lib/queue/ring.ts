/**
 * The shared core of Queue and Pipe: a byte ring in shared memory holding length-prefixed
 * records, guarded by a robust Lock. Every operation is a short critical section. Waiting is
 * an eventcount made of a sleeper count in the header and a Semaphore of wake tokens, one per
 * side (readers wait for data, writers for room, joiners for the last task_done): a waiter
 * counts itself under the lock, drops the lock and takes a token; whoever changes the state
 * tops the tokens up to the number of sleepers. Nothing is ever held on behalf of a waiter
 * that has not returned yet, so synchronous and asynchronous calls mix freely in one thread.
 * The lock itself is only ever taken synchronously: its critical sections are a few
 * microseconds, and an async caller that finds it busy yields to the event loop between tries.
 *
 * A message whose encoding exceeds a quarter of the ring is streamed: a START record (with the
 * total length) and CHUNK records, written by one producer at a time and read by one consumer
 * at a time, so chunks never interleave with other messages. A stream whose producer or
 * consumer dies is abandoned (that one message is lost) and the ring goes on.
 *
 * State changes are ordered so that a process killed between two statements leaves the ring
 * readable: the lock's next holder is told (OwnerDeadError) and re-derives the counters by
 * walking the records (repair()).
 */
import { native } from '../binding.js';
import { OwnerDeadError } from '../errors.js';
import { RawArray, unlinkArray, type SharedArray } from '../shared/array.js';
import { Lock } from '../sync/lock.js';
import { THREAD } from '../sync/primitive.js';
import { Semaphore } from '../sync/semaphore.js';
import { decode, type Encoded } from './codec.js';

// Header words (Int32), changed only under the lock.
const HEAD = 0;        // byte offset of the next record to read
const TAIL = 1;        // byte offset where the next record goes
const USED = 2;        // bytes between HEAD and TAIL, wrap padding included
const COUNT = 3;       // messages put and not yet taken (reserved ones included)
const MAXSIZE = 4;     // 0: unbounded
const UNTRACKED = 5;   // Pipe: 1 once more processes held the writing end than can be tracked
const STREAM_W = 6;    // pid of the producer writing a stream, 0 if none
const STREAM_R = 7;    // pid of the consumer reading the current stream, 0 if none
const STREAM_LEFT = 8; // bytes of the current stream still to come out of the ring
const DISCARD = 9;     // 1 while the rest of an abandoned stream is being dropped
const UNFINISHED = 10; // JoinableQueue: messages put and not yet marked done
const SLEEP_DATA = 11; // readers waiting for a record
const SLEEP_ROOM = 12; // writers waiting for a slot, for bytes or for a stream to end
const SLEEP_DONE = 13; // JoinableQueue.join() callers
const WRITERS = 16;    // Pipe: pids of the processes holding the writing end (0 = free slot)
const WRITER_SLOTS = 16;
const HEADER_WORDS = WRITERS + WRITER_SLOTS;

// A record is a 32-bit word (kind in the top 2 bits, payload length below) and its payload,
// padded to 4 bytes.
const MSG = 0;
const START = 1;
const CHUNK = 2;
const WRAP = 3;
const LEN_MASK = 0x3fffffff;

// How often a wait that depends on a stream's producer or consumer checks that it still lives.
const STREAM_POLL_MS = 100;
// The longest an async caller blocks its thread for the lock before yielding to the event loop.
const LOCK_SLICE_MS = 1;
// A waiting acquire checks that the lock's holder lives only after 50 ms: an async caller that
// could not get the lock in this many slices waits this long once, so that a dead holder is found.
const LOCK_STUCK_SLICES = 100;
const LOCK_OWNER_CHECK_MS = 60;
// How long a synchronous waiter watches the ring before it sleeps.
const SPIN_MS = 0.05;

const align4 = (n: number) => (n + 3) & ~3;

/** The shared objects a ring is made of; they travel as one handle. */
export interface RingParts {
  lock: Lock;
  header: SharedArray<number>;
  bytes: SharedArray<number>;
  /** Wake tokens: for readers, for writers, for join() callers. */
  data: Semaphore;
  room: Semaphore;
  done: Semaphore;
}

/** What a read step found. */
export const NOTHING = Symbol('multiproc.nothing');
/** What a caller waits for: a record, room to write, or the last task_done(). */
export type Side = typeof DATA | typeof ROOM | typeof DONE;
export const DATA = SLEEP_DATA;
export const ROOM = SLEEP_ROOM;
export const DONE = SLEEP_DONE;

/** What an until() step returns to wait: for at most `ms` (undefined: until woken). */
export class Sleep {
  constructor(readonly ms: number | undefined) {}
}

/** A reader's progress through a stream (kept across waits). */
export interface ReadState {
  stream: Buffer | null;
  filled: number;
}

/** A writer's progress through a message (kept across waits). */
export interface WriteState {
  readonly enc: Encoded;
  /** For streams: the bytes written so far. */
  written: number;
  /** For streams: the exact bytes (enc.size is only a bound), made at the first write. */
  parts?: readonly Uint8Array[];
  total?: number;
}

export class Ring {
  readonly parts: RingParts;
  readonly capacity: number;
  private readonly h: Int32Array;
  private readonly buf: Buffer;
  private readonly view: DataView;

  constructor(parts: RingParts) {
    this.parts = parts;
    // Plain views: the shared arrays are typed-array subclasses, and subarray() of those
    // would construct more of them.
    this.h = new Int32Array(parts.header.buffer, parts.header.byteOffset, HEADER_WORDS);
    this.buf = Buffer.from(parts.bytes.buffer, parts.bytes.byteOffset, parts.bytes.length);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.capacity = this.buf.byteLength;
  }

  /** Makes the shared parts of a new ring (or opens the named one). */
  static create(capacity: number, maxsize: number, name?: string): Ring {
    const named = (suffix: string) => (name === undefined ? undefined : { name: `${name}.${suffix}` });
    const parts: RingParts = {
      lock: new Lock(named('lock')),
      header: RawArray('i', HEADER_WORDS, named('header')),
      bytes: RawArray('B', capacity, named('bytes')),
      data: new Semaphore(0, named('data')),
      room: new Semaphore(0, named('room')),
      done: new Semaphore(0, named('done')),
    };
    const ring = new Ring(parts);
    ring.h[MAXSIZE] ||= maxsize;
    return ring;
  }

  /** Removes the names of a named ring's parts. */
  static unlink(name: string): void {
    const steps = [
      () => Lock.unlink(`${name}.lock`),
      () => unlinkArray(`${name}.header`),
      () => unlinkArray(`${name}.bytes`),
      ...['data', 'room', 'done'].map((side) => () => Semaphore.unlink(`${name}.${side}`)),
    ];
    const errors: unknown[] = [];
    for (const step of steps) {
      try {
        step();
      } catch (err) {
        errors.push(err);
      }
    }
    // Like unlink(2): an error only if there was nothing to remove.
    if (errors.length === steps.length) throw errors[0];
  }

  get maxsize(): number { return this.h[MAXSIZE]!; }

  /** Messages in the queue (reserved ones included); a snapshot. */
  count(): number { return Atomics.load(this.h, COUNT); }

  // ------------------------------------------------------------------ locking

  /** Takes the lock, blocking; repairs the ring if its holder died. */
  lockSync(): void {
    try {
      this.parts.lock.acquireSync();
    } catch (err) {
      if (!(err instanceof OwnerDeadError)) throw err;
      this.repair();
    }
  }

  /**
   * Runs `step` holding the lock, without blocking the event loop for more than a moment to get
   * it. The lock is taken and released in one synchronous run: an async caller never holds it
   * across an await, so a synchronous call in the same thread can never wait for it forever.
   */
  async locked<T>(step: () => T): Promise<T> {
    for (let tries = 1; ; tries++) {
      let held = false;
      try {
        held = this.parts.lock.acquireSync({ timeout: tries % LOCK_STUCK_SLICES === 0 ? LOCK_OWNER_CHECK_MS : LOCK_SLICE_MS });
      } catch (err) {
        if (!(err instanceof OwnerDeadError)) throw err;
        this.repair();
        held = true;
      }
      if (held) {
        try {
          return step();
        } finally {
          this.unlock();
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  unlock(): void {
    this.parts.lock.release();
  }

  private tokens(side: Side): Semaphore {
    return side === DATA ? this.parts.data : side === ROOM ? this.parts.room : this.parts.done;
  }

  /**
   * Waits (lock held on entry and on return) until `side` is woken or `ms` passed. Waits that
   * depend on a stream's owner come back now and then so that its death is noticed.
   */
  waitSync(side: Side, ms: number): void {
    // The other side usually moves within microseconds: watching the ring costs less than a
    // sleeper would cost it (a token release) and us (a wake-up). The snapshot is taken under
    // the lock, where the caller found nothing to do, so no change can slip in unseen.
    const seen = this.snapshot();
    this.unlock();
    const moved = this.spinUntilMoved(seen, SPIN_MS);
    this.lockSync();
    if (moved || this.movedSince(seen)) return;
    this.h[side]!++;
    this.unlock();
    try {
      this.tokens(side).acquireSync({ timeout: this.pollMs(ms) });
    } finally {
      this.lockSync();
      this.h[side]!--;
    }
  }

  /**
   * The asynchronous wait loop: runs `step` under the lock until it returns something other
   * than a Sleep, sleeping on `side` in between. The caller is counted as a sleeper in the same
   * critical section in which `step` found nothing to do, so no wake-up can be missed.
   */
  async until<T>(side: Side, step: () => T | Sleep): Promise<T> {
    let sleeping = false;
    for (;;) {
      const result = await this.locked(() => {
        if (sleeping) this.h[side]!--;
        const out = step();
        sleeping = out instanceof Sleep;
        if (sleeping) this.h[side]!++;
        return out;
      });
      if (!(result instanceof Sleep)) return result;
      await this.tokens(side).acquire({ timeout: result.ms });
    }
  }

  // The words whose change may let a waiter go on.
  private snapshot(): number[] {
    const h = this.h;
    return [h[HEAD]!, h[TAIL]!, h[COUNT]!, h[STREAM_W]!, h[STREAM_R]!];
  }

  private movedSince(seen: number[]): boolean {
    const h = this.h;
    return Atomics.load(h, TAIL) !== seen[1] || Atomics.load(h, HEAD) !== seen[0]
      || Atomics.load(h, COUNT) !== seen[2] || Atomics.load(h, STREAM_W) !== seen[3]
      || Atomics.load(h, STREAM_R) !== seen[4];
  }

  // True once the ring moved (lock not held), false after `ms`.
  private spinUntilMoved(seen: number[], ms: number): boolean {
    const until = performance.now() + ms;
    for (let i = 1; ; i++) {
      if (this.movedSince(seen)) return true;
      if ((i & 63) === 0 && performance.now() >= until) return false;
    }
  }

  /** How long a wait may last: `ms`, shortened while a stream's owner must be watched. */
  pollMs(ms: number): number | undefined {
    const streaming = this.h[STREAM_W] !== 0 || this.h[STREAM_R] !== 0 || this.h[DISCARD] !== 0;
    const limit = streaming ? STREAM_POLL_MS : -1;
    if (ms < 0) return limit < 0 ? undefined : limit;
    return limit < 0 ? ms : Math.min(ms, limit);
  }

  // Tops the tokens up to the number of sleepers on `side`. Fewer would lose wake-ups: a woken
  // sleeper may find its record taken by a caller that never slept, and sleep again.
  private wake(side: Side): void {
    const sleepers = this.h[side]!;
    if (sleepers === 0) return;
    const tokens = this.tokens(side);
    const missing = sleepers - tokens.getValue();
    for (let i = 0; i < missing; i++) tokens.release();
  }

  // ------------------------------------------------------------------ writing (lock held)

  /** Takes a COUNT slot, or says to wait for one. */
  reserve(): boolean {
    const max = this.h[MAXSIZE]!;
    if (max > 0 && this.h[COUNT]! >= max) return false;
    this.h[COUNT]!++;
    return true;
  }

  /** Gives back a slot reserved for a message that will not be written. */
  unreserve(): void {
    this.h[COUNT]!--;
    this.wake(ROOM);
  }

  /** Whether a message of this size is streamed. */
  isLarge(enc: Encoded): boolean {
    return align4(4 + enc.size) > this.capacity >> 2;
  }

  /**
   * Writes as much of `w` as possible now; true when it is all in the ring. The COUNT slot
   * must be reserved first.
   */
  write(w: WriteState): boolean {
    const streamer = this.h[STREAM_W]!;
    if (streamer !== 0 && streamer !== THREAD && !this.abandonDeadWriter()) return false;
    if (!this.isLarge(w.enc)) {
      const at = this.place(align4(4 + w.enc.size));
      if (at < 0) return false;
      const n = w.enc.write(this.buf, this.view, at + 4);
      this.commit(at, MSG, n);
      this.wake(DATA);
      return true;
    }
    return this.writeStream(w);
  }

  private writeStream(w: WriteState): boolean {
    if (!w.parts) {
      w.parts = w.enc.parts();
      w.total = w.parts.reduce((sum, part) => sum + part.byteLength, 0);
    }
    const total = w.total!;
    const chunkMax = this.capacity >> 2;
    while (w.written < total) {
      const first = w.written === 0;
      const header = first ? 8 : 4;
      const free = this.contiguousFree();
      if (free < header + 64 && free < header + (total - w.written)) break;
      const n = Math.min(total - w.written, chunkMax, free - header);
      const at = this.place(align4(header + n));
      if (at < 0) break;
      if (first) {
        this.h[STREAM_W] = THREAD;
        this.view.setUint32(at + 4, total, true);
      }
      this.copyParts(w.parts, w.written, n, at + header);
      this.commit(at, first ? START : CHUNK, header - 4 + n);
      w.written += n;
      this.wake(DATA);
    }
    if (w.written < total) return false;
    this.h[STREAM_W] = 0;
    this.wake(ROOM);
    return true;
  }

  private copyParts(parts: readonly Uint8Array[], from: number, n: number, to: number): void {
    let skip = from;
    for (const part of parts) {
      if (n === 0) return;
      if (skip >= part.byteLength) {
        skip -= part.byteLength;
        continue;
      }
      const take = Math.min(part.byteLength - skip, n);
      this.buf.set(part.subarray(skip, skip + take), to);
      to += take;
      n -= take;
      skip = 0;
    }
  }

  /** Bytes that can be written in one record right now (after a wrap if needed). */
  private contiguousFree(): number {
    const used = this.h[USED]!;
    if (used === 0) return this.capacity;
    const tail = this.h[TAIL]!;
    const head = this.h[HEAD]!;
    if (tail > head) return Math.max(this.capacity - tail, head);
    return head - tail;
  }

  /** Where a record of `size` bytes goes (wrapping if needed), or -1 if it does not fit now. */
  private place(size: number): number {
    const h = this.h;
    if (h[USED] === 0) {
      h[HEAD] = 0;
      h[TAIL] = 0;
    }
    const tail = h[TAIL]!;
    const head = h[HEAD]!;
    const used = h[USED]!;
    if (used + size > this.capacity) return -1;
    if (tail >= head || used === 0) {
      if (tail + size <= this.capacity) return tail;
      // Wrap: the end of the ring is padding, the record goes at 0.
      const pad = this.capacity - tail;
      if (size > head || used + pad + size > this.capacity) return -1;
      if (pad >= 4) this.view.setUint32(tail, (WRAP << 30) >>> 0, true);
      h[USED] = used + pad;
      h[TAIL] = 0;
      return 0;
    }
    return tail + size <= head ? tail : -1;
  }

  // The record is complete before TAIL moves past it: a writer killed earlier leaves nothing.
  private commit(at: number, kind: number, length: number): void {
    this.view.setUint32(at, ((kind << 30) | length) >>> 0, true);
    const size = align4(4 + length);
    this.h[USED]! += size;
    const tail = at + size;
    this.h[TAIL] = tail === this.capacity ? 0 : tail;
  }

  // ------------------------------------------------------------------ reading (lock held)

  /**
   * Takes the next message if this process may: the value, NOTHING (wait for more), or
   * continues a stream in `r`.
   */
  read(r: ReadState): unknown {
    const h = this.h;
    for (;;) {
      const reader = h[STREAM_R]!;
      if (reader !== 0 && reader !== THREAD) {
        if (native.processAlive(reader)) return NOTHING;
        h[STREAM_R] = 0;
        h[DISCARD] = 1;
      }
      if (h[USED] === 0) {
        this.checkStalledStream(r);
        return NOTHING;
      }
      const at = this.skipWrap();
      const word = this.view.getUint32(at, true);
      const kind = word >>> 30;
      const length = word & LEN_MASK;
      if (h[DISCARD] === 1) {
        if (kind !== CHUNK) {
          h[DISCARD] = 0;
          h[STREAM_LEFT] = 0;
          continue;
        }
        h[STREAM_LEFT]! -= length;
        this.consume(at, length);
        if (h[STREAM_LEFT]! <= 0) h[DISCARD] = 0;
        continue;
      }
      if (kind === MSG) {
        if (r.stream) return this.abandonRead(r);
        const value = decode(this.buf, this.view, at + 4, length);
        this.consume(at, length);
        h[COUNT]!--;
        this.roomFreed();
        return value;
      }
      if (kind === START) {
        if (r.stream) return this.abandonRead(r);
        const total = this.view.getUint32(at + 4, true);
        r.stream = Buffer.allocUnsafe(total);
        r.filled = 0;
        h[STREAM_R] = THREAD;
        h[STREAM_LEFT] = total;
        h[COUNT]!--;
        this.roomFreed();
        this.takeChunk(r, at + 8, length - 4, at, length);
      } else if (kind === CHUNK && r.stream) {
        this.takeChunk(r, at + 4, length, at, length);
      } else {
        // A chunk of a stream nobody reads: its reader died between records.
        h[DISCARD] = 1;
        continue;
      }
      if (r.filled === r.stream.byteLength) {
        const whole = r.stream;
        r.stream = null;
        h[STREAM_R] = 0;
        this.wake(DATA);
        return decode(whole, new DataView(whole.buffer, whole.byteOffset, whole.byteLength), 0, whole.byteLength, true);
      }
    }
  }

  private takeChunk(r: ReadState, from: number, n: number, at: number, length: number): void {
    r.stream!.set(this.buf.subarray(from, from + n), r.filled);
    r.filled += n;
    this.h[STREAM_LEFT]! -= n;
    this.consume(at, length);
    this.roomFreed();
  }

  // Wakes writers once it is worth it: a slot of a full bounded queue, or half the ring free
  // (waking a writer for every record read would cost a wake-up per message).
  private roomFreed(): void {
    const h = this.h;
    if (h[SLEEP_ROOM] === 0) return;
    const max = h[MAXSIZE]!;
    if ((max > 0 && h[COUNT] === max - 1) || h[USED]! <= this.capacity >> 1) this.wake(ROOM);
  }

  // A record of this kind must not come while a stream is half read: the stream is lost.
  private abandonRead(r: ReadState): typeof NOTHING {
    r.stream = null;
    this.h[STREAM_R] = 0;
    this.h[STREAM_LEFT] = 0;
    return NOTHING;
  }

  // Reading a stream whose producer died: nothing more will come.
  private checkStalledStream(r: ReadState): void {
    if (!r.stream) return;
    const writer = this.h[STREAM_W]!;
    if (writer !== 0 && native.processAlive(writer)) return;
    r.stream = null;
    this.h[STREAM_R] = 0;
    this.h[STREAM_LEFT] = 0;
    this.h[STREAM_W] = 0;
    this.wake(ROOM);
    this.wake(DATA);
  }

  // A stream writer that died: let the others write again. True if it was dead.
  private abandonDeadWriter(): boolean {
    const writer = this.h[STREAM_W]!;
    if (native.processAlive(writer)) return false;
    this.h[STREAM_W] = 0;
    if (this.h[STREAM_R] === 0) this.h[DISCARD] = 0;
    this.wake(DATA);
    return true;
  }

  private skipWrap(): number {
    const h = this.h;
    let at = h[HEAD]!;
    const pad = this.capacity - at;
    if (pad < 4 || this.view.getUint32(at, true) >>> 30 === WRAP) {
      h[USED]! -= pad;
      h[HEAD] = 0;
      at = 0;
    }
    return at;
  }

  private consume(at: number, length: number): void {
    const size = align4(4 + length);
    const next = at + size;
    this.h[HEAD] = next === this.capacity ? 0 : next;
    this.h[USED]! -= size;
  }

  /** Whether a record is waiting to be read (a snapshot, for poll()). */
  hasData(): boolean {
    return Atomics.load(this.h, USED) !== 0;
  }

  // ------------------------------------------------------------------ Pipe and JoinableQueue

  /**
   * Pipe: records that process `pid` holds a writing end (lock held). Beyond WRITER_SLOTS
   * holders the end is marked untracked, and its readers only see EOF once it is closed by all.
   */
  addWriter(pid: number): void {
    for (let i = WRITERS; i < WRITERS + WRITER_SLOTS; i++) {
      if (this.h[i] === 0) {
        this.h[i] = pid;
        return;
      }
    }
    this.h[UNTRACKED] = 1;
  }

  /** Pipe: the writing end registered under `from` is now held by `to` (lock held). */
  replaceWriter(from: number, to: number): boolean {
    for (let i = WRITERS; i < WRITERS + WRITER_SLOTS; i++) {
      if (this.h[i] === from) {
        this.h[i] = to;
        return true;
      }
    }
    return false;
  }

  /** Pipe: whether `pid` holds a writing end (lock held). */
  hasWriter(pid: number): boolean {
    for (let i = WRITERS; i < WRITERS + WRITER_SLOTS; i++) if (this.h[i] === pid) return true;
    return false;
  }

  /** Pipe: one writing end held by `pid` is closed (lock held); readers may now see EOF. */
  removeWriter(pid: number): void {
    for (let i = WRITERS; i < WRITERS + WRITER_SLOTS; i++) {
      if (this.h[i] === pid) {
        this.h[i] = 0;
        break;
      }
    }
    this.wake(DATA);
  }

  /**
   * Pipe: no process holds the writing end any more (lock held): all closed, or, when
   * `checkAlive`, the holders left are dead (a system call each, so callers ration it).
   */
  writersGone(checkAlive: boolean): boolean {
    if (this.h[UNTRACKED] === 1) return false;
    for (let i = WRITERS; i < WRITERS + WRITER_SLOTS; i++) {
      const pid = this.h[i]!;
      if (pid === 0) continue;
      if (!checkAlive || native.processAlive(pid)) return false;
      this.h[i] = 0;
    }
    return true;
  }

  /** JoinableQueue: one more message to be marked done (lock held). */
  addUnfinished(): void { this.h[UNFINISHED]!++; }

  /** JoinableQueue: marks one done; false if there was none (lock held). */
  taskDone(): boolean {
    if (this.h[UNFINISHED]! <= 0) return false;
    if (--this.h[UNFINISHED]! === 0) this.wake(DONE);
    return true;
  }

  get unfinished(): number { return this.h[UNFINISHED]!; }

  // ------------------------------------------------------------------ recovery

  /**
   * Re-derives USED and COUNT from the records between HEAD and TAIL after a lock holder died
   * mid-operation; a record cut short is dropped. Reserved slots of live writers are kept.
   */
  private repair(): void {
    const h = this.h;
    let at = h[HEAD]!;
    let used = 0;
    let messages = 0;
    const tail = h[TAIL]!;
    const start = at;
    while (used < this.capacity && (at !== tail || (used === 0 && h[USED] === this.capacity))) {
      if (this.capacity - at < 4) {
        used += this.capacity - at;
        at = 0;
        continue;
      }
      const word = this.view.getUint32(at, true);
      const kind = word >>> 30;
      if (kind === WRAP) {
        used += this.capacity - at;
        at = 0;
        continue;
      }
      const size = align4(4 + (word & LEN_MASK));
      if (used + size > this.capacity) break;
      if (kind === MSG || kind === START) messages++;
      used += size;
      at = at + size === this.capacity ? 0 : at + size;
      if (at === start) break;
    }
    h[TAIL] = at;
    h[USED] = used;
    h[COUNT] = Math.max(h[COUNT]!, messages);
    if (h[STREAM_W] !== 0 && !native.processAlive(h[STREAM_W]!)) h[STREAM_W] = 0;
    if (h[STREAM_R] !== 0 && !native.processAlive(h[STREAM_R]!)) {
      h[STREAM_R] = 0;
      h[DISCARD] = 1;
    }
    this.wake(DATA);
    this.wake(ROOM);
  }
}
