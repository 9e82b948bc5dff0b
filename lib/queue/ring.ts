/**
 * The shared core of Queue and Pipe: a byte ring in shared memory holding length-prefixed
 * records. Writers serialize on one robust Lock and readers on another (as Python's Queue has a
 * write lock and a read lock around its pipe): a writer publishes a record by moving TAIL, a
 * reader frees it by moving HEAD, each with an atomic store, and each side only reads the other
 * side's position. So a producer copying a message in and a consumer copying one out never wait
 * for each other, and with one producer and one consumer each lock stays with its process.
 *
 * Waiting is an eventcount made of a sleeper count in the header and a Semaphore of wake tokens,
 * one per reason (readers wait for data, writers for room or for a slot, joiners for the last
 * task_done): a waiter counts itself, then looks once more at what it waits for, then takes a
 * token; whoever changes that state changes it first, then tops the tokens up to the number of
 * sleepers. Either the waiter sees the change or the changer sees the waiter (both use
 * sequentially consistent atomics). Nothing is ever held on behalf of a waiter that has not
 * returned yet, so synchronous and asynchronous calls mix freely in one thread. The locks are
 * only ever taken synchronously: their critical sections are short, and an async caller that
 * finds one busy yields to the event loop between tries.
 *
 * A message whose encoding exceeds a quarter of the ring is streamed: a START record (with the
 * total length) and CHUNK records, written by one producer at a time and read by one consumer
 * at a time, so chunks never interleave with other messages. A stream whose producer or
 * consumer dies is abandoned (that one message is lost) and the ring goes on.
 *
 * A process killed in the middle of an operation leaves the ring readable: a record exists once
 * TAIL moved past it, complete; a reader's HEAD and message count move together through a
 * journal that the lock's next holder (told by OwnerDeadError) completes.
 */
import { native } from '../binding.js';
import { OwnerDeadError } from '../errors.js';
import { RawArray, unlinkArray, type SharedArray } from '../shared/array.js';
import { Lock } from '../sync/lock.js';
import { THREAD } from '../sync/primitive.js';
import { Semaphore } from '../sync/semaphore.js';
import { decode, type Encoded } from './codec.js';

// Header words (Int32). Each side's words share a cache line of their own, apart from the
// other side's: a producer and a consumer then only pass each other their positions. Atomics
// are builtin calls of ~10 ns in V8 (see word_ops.ts), so the hot paths use one only where the
// order of accesses matters: to publish a position, to read the other side's position before
// its records, and to look for sleepers after publishing (the other half of addSleeper()).
// Positions (TAIL, HEAD) are in [0, 2 * capacity): the lap bit tells a full ring from an empty one.
// Writers' words, changed under the writers' lock:
const TAIL = 0;        // position where the next record goes
const PUT = 1;         // messages reserved so far (wrapping), those not yet written included
const STREAM_W = 2;    // thread writing a stream, 0 if none
const SLEEP_DATA = 3;  // readers waiting for a record (counted by readers, read by every writer)
// Pairs (thread, messages it reserved and has not written yet): a thread killed with messages
// in its outbox would otherwise keep their slots of a bounded queue taken for good.
const RESERVERS = 4;
const RESERVER_SLOTS = 6;
// Readers' words, changed under the readers' lock:
const HEAD = 16;       // position of the next record to read
const GOT = 17;        // messages taken so far (wrapping)
const NEXT_HEAD = 18;  // journal: HEAD + 1 about to be published with NEXT_GOT, 0 if none
const NEXT_GOT = 19;
const STREAM_R = 20;   // thread reading the current stream, 0 if none
const STREAM_LEFT = 21; // bytes of the current stream still to come out of the ring
const DISCARD = 22;    // 1 while the rest of an abandoned stream is being dropped
const SLEEP_ROOM = 23; // writers waiting for bytes or for a stream to end
const SLEEP_SLOT = 24; // writers waiting for a slot of a full bounded queue
// Others:
const MAXSIZE = 32;    // 0: unbounded
const UNTRACKED = 33;  // Pipe: 1 once more processes held the writing end than can be tracked
const UNFINISHED = 34; // JoinableQueue: messages put and not yet marked done
const SLEEP_DONE = 35; // JoinableQueue.join() callers
const UNTRACKED_R = 36; // Pipe: the same for the reading end
const WRITERS = 48;    // Pipe: pids of the processes holding the writing end (0 = free slot)
const READERS = 64;    // Pipe: the same for the reading end
const HOLDER_SLOTS = 16;
const HEADER_WORDS = READERS + HOLDER_SLOTS;

/** A Pipe ring's end, as recorded in it: the processes holding it. */
export type PipeEnd = typeof WRITERS | typeof READERS;
export const WRITE_END: PipeEnd = WRITERS;
export const READ_END: PipeEnd = READERS;
// The word marking `end` held by more processes than its slots track.
const untrackedWord = (end: PipeEnd) => (end === WRITERS ? UNTRACKED : UNTRACKED_R);

// A record is a 32-bit word (kind in the top 2 bits, payload length below) and its payload,
// padded to 4 bytes.
const MSG = 0;
const START = 1;
const CHUNK = 2;
const WRAP = 3;
const LEN_MASK = 0x3fffffff;

// How often a wait that depends on a stream's producer or consumer checks that it still lives.
const STREAM_POLL_MS = 100;
// Bytes into an empty ring past which a writer starts again from its start (see place()).
const EARLY_WRAP = 4096;
// The longest any waiter sleeps without looking at the ring again: a wake-up lost to a process
// killed between two steps of the protocol costs at most this, never a hang.
const RECHECK_MS = 1000;
// The longest an async caller blocks its thread for a lock before yielding to the event loop.
const LOCK_SLICE_MS = 1;
// A waiting acquire checks that the lock's holder lives only after 50 ms: an async caller that
// could not get a lock in this many slices waits this long once, so that a dead holder is found.
const LOCK_STUCK_SLICES = 100;
const LOCK_OWNER_CHECK_MS = 60;
// How long a synchronous waiter watches the ring before it sleeps.
const SPIN_MS = 0.05;

const align4 = (n: number) => (n + 3) & ~3;

/** Calls `done` in a tight loop (no lock held) until it is true, or `ms` passed: false then. */
export function spinUntil(done: () => boolean, ms: number): boolean {
  const until = performance.now() + ms;
  for (let i = 1; ; i++) {
    if (done()) return true;
    // performance.now() costs more than a look at the ring.
    if ((i & 63) === 0 && performance.now() >= until) return false;
  }
}

/** The shared objects a ring is made of; they travel as one handle. */
export interface RingParts {
  /** The writers' lock. */
  lock: Lock;
  /** The readers' lock. */
  rlock: Lock;
  header: SharedArray<number>;
  bytes: SharedArray<number>;
  /**
   * Wake tokens: for readers, for writers waiting for bytes, for writers waiting for a slot, for
   * join() callers. Sleepers that wait for different things must not share tokens: one that
   * was woken for nothing and sleeps again could take the token of one that would go on.
   */
  data: Semaphore;
  room: Semaphore;
  slot: Semaphore;
  done: Semaphore;
}

/** What a read step found. */
export const NOTHING = Symbol('multiproc.nothing');
/** What a caller waits for: a record, room to write, a slot, or the last task_done(). */
export type Side = typeof DATA | typeof ROOM | typeof SLOT | typeof DONE;
export const DATA = SLEEP_DATA;
export const ROOM = SLEEP_ROOM;
export const SLOT = SLEEP_SLOT;
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
  // The other side's words as this side last looked at them before deciding to wait (see()).
  private seenTail = 0;
  private seenHead = 0;
  private seenGot = 0;
  // HEAD when roomSoon() last found the readers idle, -1 if they moved since.
  private idleHead = -1;
  // Which RESERVERS pair this thread used last (a hint, checked before use).
  private reserverPair = -1;

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
    // A lock whose holder died is repaired by acquire() here, before anyone relies on it.
    const repaired = (suffix: string) => new Lock({ ...named(suffix), ownerDead: 'throw' });
    const parts: RingParts = {
      lock: repaired('lock'),
      rlock: repaired('rlock'),
      header: RawArray('i', HEADER_WORDS, named('header')),
      bytes: RawArray('B', capacity, named('bytes')),
      data: new Semaphore(0, named('data')),
      room: new Semaphore(0, named('room')),
      slot: new Semaphore(0, named('slot')),
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
      () => Lock.unlink(`${name}.rlock`),
      () => unlinkArray(`${name}.header`),
      () => unlinkArray(`${name}.bytes`),
      ...['data', 'room', 'slot', 'done'].map((side) => () => Semaphore.unlink(`${name}.${side}`)),
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
  count(): number {
    return Math.max(0, (Atomics.load(this.h, PUT) - Atomics.load(this.h, GOT)) | 0);
  }

  // ------------------------------------------------------------------ positions

  private offset(pos: number): number {
    return pos < this.capacity ? pos : pos - this.capacity;
  }

  private advance(pos: number, n: number): number {
    const next = pos + n;
    return next >= 2 * this.capacity ? next - 2 * this.capacity : next;
  }

  // Bytes between two positions.
  private distance(from: number, to: number): number {
    const d = to - from;
    return d < 0 ? d + 2 * this.capacity : d;
  }

  // ------------------------------------------------------------------ locking

  /** Takes both locks (readers' first), blocking: for what concerns both sides. */
  lockSync(): void {
    this.lockRead();
    this.lockWrite();
  }

  unlock(): void {
    this.unlockWrite();
    this.unlockRead();
  }

  /** Takes the readers' lock, blocking; completes what a reader that died left half done. */
  lockRead(): void {
    this.acquire(DATA);
  }

  unlockRead(): void {
    this.parts.rlock.release();
  }

  /** Takes the writers' lock, blocking; cleans up after a writer that died. */
  lockWrite(): void {
    this.acquire(ROOM);
  }

  unlockWrite(): void {
    this.parts.lock.release();
  }

  private lockFor(side: Side): Lock {
    return side === DATA ? this.parts.rlock : this.parts.lock;
  }

  // Takes the lock of `side` (readers' for DATA, writers' otherwise), waiting `options` allow;
  // true once held. A holder that died is cleaned up after, and the lock is then ours.
  private acquire(side: Side, options?: { timeout: number }): boolean {
    try {
      return this.lockFor(side).acquireSync(options);
    } catch (err) {
      if (!(err instanceof OwnerDeadError)) throw err;
      if (side === DATA) this.repairRead();
      else this.repairWrite();
      return true;
    }
  }

  private unlockSide(side: Side): void {
    this.lockFor(side).release();
  }

  /**
   * Runs `step` holding the lock of `side` (readers' for DATA, writers' otherwise), without
   * blocking the event loop for more than a moment to get it. The lock is taken and released in
   * one synchronous run: an async caller never holds it across an await, so a synchronous call
   * in the same thread can never wait for it forever.
   */
  async locked<T>(side: Side, step: () => T): Promise<T> {
    for (let tries = 1; ; tries++) {
      if (this.acquire(side, { timeout: tries % LOCK_STUCK_SLICES === 0 ? LOCK_OWNER_CHECK_MS : LOCK_SLICE_MS })) {
        try {
          return step();
        } finally {
          this.unlockSide(side);
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private tokens(side: Side): Semaphore {
    const parts = this.parts;
    return side === DATA ? parts.data : side === ROOM ? parts.room : side === SLOT ? parts.slot : parts.done;
  }

  /**
   * Notes the other side's words before the caller (holding the lock of `side`) looks whether
   * it must wait: if they change after this, a waiter must not sleep (see addSleeper()).
   */
  see(side: Side): void {
    const h = this.h;
    if (side === DATA) {
      this.seenTail = h[TAIL]!;
    } else if (side !== DONE) {
      this.seenHead = h[HEAD]!;
      this.seenGot = h[GOT]!;
    }
  }

  // Whether the other side moved since see(side).
  private otherSideMoved(side: Side): boolean {
    const h = this.h;
    if (side === DATA) return Atomics.load(h, TAIL) !== this.seenTail;
    if (side === DONE) return Atomics.load(h, UNFINISHED) <= 0;
    return Atomics.load(h, HEAD) !== this.seenHead || Atomics.load(h, GOT) !== this.seenGot;
  }

  /**
   * Waits (lock of `side` held on entry and on return, see(side) called before the caller
   * found nothing to do) until `side` is woken or `ms` passed. Waits that depend on a stream's
   * owner come back now and then so that its death is noticed.
   */
  waitSync(side: Side, ms: number): void {
    // The other side usually moves within microseconds: watching the ring costs less than a
    // sleeper would cost it (a token release) and us (a wake-up). This side's words are taken
    // under the lock, where the caller found nothing to do, so no change can slip in unseen.
    const mine = this.ownWords(side);
    this.unlockSide(side);
    const moved = this.spinUntilMoved(side, mine, SPIN_MS);
    this.acquire(side);
    if (moved || this.ownWordsMoved(side, mine) || !this.addSleeper(side)) return;
    const timeout = Math.min(this.pollMs(ms) ?? RECHECK_MS, RECHECK_MS);
    this.unlockSide(side);
    try {
      this.tokens(side).acquireSync({ timeout });
    } finally {
      this.acquire(side);
      Atomics.sub(this.h, side, 1);
    }
  }

  /**
   * Counts the caller as a sleeper on `side` (lock of `side` held), unless the other side moved
   * since see(side): it changes its words before it looks for sleepers, so either it sees this
   * one or this one sees the change.
   */
  private addSleeper(side: Side): boolean {
    Atomics.add(this.h, side, 1);
    if (!this.otherSideMoved(side)) return true;
    Atomics.sub(this.h, side, 1);
    return false;
  }

  /**
   * The asynchronous wait loop: runs `step` under the lock of `side` until it returns something
   * other than a Sleep, sleeping on `side` in between. The caller is counted as a sleeper in the
   * same critical section in which `step` found nothing to do, so no wake-up can be missed.
   */
  async until<T>(side: Side, step: () => T | Sleep): Promise<T> {
    let sleeping = false;
    for (;;) {
      const result = await this.locked(side, () => {
        if (sleeping) Atomics.sub(this.h, side, 1);
        for (;;) {
          this.see(side);
          const out = step();
          sleeping = out instanceof Sleep && this.addSleeper(side);
          if (sleeping || !(out instanceof Sleep)) return out;
        }
      });
      if (!(result instanceof Sleep)) return result;
      await this.tokens(side).acquire({ timeout: Math.min(result.ms ?? RECHECK_MS, RECHECK_MS) });
    }
  }

  // This side's words whose change by another caller of this side may let a waiter go on.
  private ownWords(side: Side): number[] {
    const h = this.h;
    return side === DATA ? [h[HEAD]!, h[STREAM_R]!] : [h[TAIL]!, h[STREAM_W]!, h[PUT]!];
  }

  private ownWordsMoved(side: Side, seen: number[]): boolean {
    const h = this.h;
    return side === DATA
      ? Atomics.load(h, HEAD) !== seen[0] || Atomics.load(h, STREAM_R) !== seen[1]
      : Atomics.load(h, TAIL) !== seen[0] || Atomics.load(h, STREAM_W) !== seen[1] || Atomics.load(h, PUT) !== seen[2];
  }

  // True once the ring moved (lock not held), false after `ms`.
  private spinUntilMoved(side: Side, mine: number[], ms: number): boolean {
    return spinUntil(() => this.otherSideMoved(side) || this.ownWordsMoved(side, mine), ms);
  }

  /** How long a wait may last: `ms`, shortened while a stream's owner must be watched. */
  pollMs(ms: number): number | undefined {
    const h = this.h;
    const streaming = Atomics.load(h, STREAM_W) !== 0 || Atomics.load(h, STREAM_R) !== 0
      || Atomics.load(h, DISCARD) !== 0;
    const limit = streaming ? STREAM_POLL_MS : -1;
    if (ms < 0) return limit < 0 ? undefined : limit;
    return limit < 0 ? ms : Math.min(ms, limit);
  }

  // Tops the tokens up to the number of sleepers on `side`. Fewer would lose wake-ups: a woken
  // sleeper may find its record taken by a caller that never slept, and sleep again. Callers of
  // both sides may do this at once: a sleeper may then be woken for nothing (it looks and
  // sleeps again), never left asleep.
  private wake(side: Side): void {
    const sleepers = Atomics.load(this.h, side);
    if (sleepers === 0) return;
    const tokens = this.tokens(side);
    const missing = sleepers - tokens.getValue();
    for (let i = 0; i < missing; i++) tokens.release();
  }

  // ------------------------------------------------------------------ writing (writers' lock held)

  /**
   * Waits (writers' lock held on entry and on return, released meanwhile) while the readers
   * free room, until an eighth of the ring is free: true then, false once they stopped for a
   * moment. Writing a batch at a time keeps a writer that caught up with a reader off the cache
   * lines that reader is on. False at once while the readers have not moved since they were
   * last found idle: a ring nobody reads costs its writers no wait at all.
   */
  roomSoon(): boolean {
    const h = this.h;
    let head = Atomics.load(h, HEAD);
    if (head === this.idleHead) return false;
    this.unlockWrite();
    let since = performance.now();
    let enough = false;
    for (let i = 1; ; i++) {
      const current = Atomics.load(h, HEAD);
      if (current !== head) {
        enough = this.distance(current, Atomics.load(h, TAIL)) <= this.capacity - (this.capacity >> 3);
        if (enough) break;
        head = current;
        since = performance.now();
      } else if ((i & 63) === 0 && performance.now() - since >= SPIN_MS) {
        break;
      }
    }
    this.lockWrite();
    this.idleHead = enough ? -1 : head;
    return enough;
  }

  /** Takes a message slot, or says to wait for one. */
  reserve(): boolean {
    const h = this.h;
    const max = h[MAXSIZE]!;
    if (max > 0 && ((h[PUT]! - h[GOT]!) | 0) >= max
      && (!this.releaseDeadReservations() || ((h[PUT]! - h[GOT]!) | 0) >= max)) return false;
    h[PUT]!++;
    const pending = this.pendingWord(true);
    if (pending >= 0) h[pending]!++;
    return true;
  }

  /** Gives back a slot reserved for a message that will not be written. */
  unreserve(): void {
    this.h[PUT]!--;
    this.reservationDone();
    this.wake(SLOT);
  }

  // The word counting this thread's reserved, unwritten messages (taking a free pair if `claim`),
  // or -1: a thread beyond RESERVER_SLOTS is not tracked (its slots are only lost if it is killed).
  private pendingWord(claim: boolean): number {
    const h = this.h;
    const cached = RESERVERS + 2 * this.reserverPair;
    if (this.reserverPair >= 0 && h[cached] === THREAD) return cached + 1;
    let free = -1;
    for (let i = 0; i < RESERVER_SLOTS; i++) {
      const at = RESERVERS + 2 * i;
      if (h[at] === THREAD) {
        this.reserverPair = i;
        return at + 1;
      }
      if (free < 0 && h[at] === 0) free = i;
    }
    if (!claim || free < 0) return -1;
    h[RESERVERS + 2 * free] = THREAD;
    h[RESERVERS + 2 * free + 1] = 0;
    this.reserverPair = free;
    return RESERVERS + 2 * free + 1;
  }

  // One message this thread reserved is written (its first record) or given up: done before the
  // record is published, so that a thread killed in between loses that slot rather than miscount it.
  private reservationDone(): void {
    const pending = this.pendingWord(false);
    if (pending < 0) return;
    const h = this.h;
    if (--h[pending]! <= 0) {
      h[pending] = 0;
      h[pending - 1] = 0;
    }
  }

  // A full bounded queue: frees the slots reserved by threads that died before writing their
  // messages. True if any was freed.
  private releaseDeadReservations(): boolean {
    const h = this.h;
    let freed = 0;
    for (let i = 0; i < RESERVER_SLOTS; i++) {
      const at = RESERVERS + 2 * i;
      const thread = h[at]!;
      if (thread === 0 || thread === THREAD || native.processAlive(thread)) continue;
      freed += h[at + 1]!;
      h[at] = 0;
      h[at + 1] = 0;
    }
    h[PUT]! -= freed;
    return freed > 0;
  }

  /** Whether a message of this size is streamed. */
  isLarge(enc: Encoded): boolean {
    return align4(4 + enc.size) > this.capacity >> 2;
  }

  /**
   * Writes as much of `w` as possible now; true when it is all in the ring. The slot must be
   * reserved first.
   */
  write(w: WriteState): boolean {
    const streamer = this.h[STREAM_W]!;
    if (streamer !== 0 && streamer !== THREAD && !this.abandonDeadWriter()) return false;
    if (!this.isLarge(w.enc)) {
      const pos = this.place(align4(4 + w.enc.size));
      if (pos < 0) return false;
      const at = this.offset(pos);
      const n = w.enc.write(this.buf, this.view, at + 4);
      this.reservationDone();
      this.commit(pos, MSG, n);
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
      const pos = this.place(align4(header + n));
      if (pos < 0) break;
      const at = this.offset(pos);
      if (first) {
        Atomics.store(this.h, STREAM_W, THREAD);
        this.view.setUint32(at + 4, total, true);
      }
      this.copyParts(w.parts, w.written, n, at + header);
      // A reader counts a streamed message as taken at its START record.
      if (first) this.reservationDone();
      this.commit(pos, first ? START : CHUNK, header - 4 + n);
      w.written += n;
    }
    if (w.written < total) return false;
    // After the last chunk's TAIL: a reader that sees no stream writer then sees every chunk.
    Atomics.store(this.h, STREAM_W, 0);
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
    const tail = this.h[TAIL]!;
    const head = this.h[HEAD]!;
    const used = this.distance(head, tail);
    if (used === this.capacity) return 0;
    const t = this.offset(tail);
    const hd = this.offset(head);
    if (t < hd) return hd - t;
    return Math.max(this.capacity - t, hd);
  }

  /**
   * Where a record of `size` bytes goes, as a position (after wrap padding if needed), or -1 if
   * it does not fit now. An empty ring is written from its start again once EARLY_WRAP bytes
   * in: the records in flight then stay in a few cache lines. Not sooner: the padding counts as
   * used until the reader passes it, so the writes that follow have only those bytes.
   */
  private place(size: number): number {
    const tail = this.h[TAIL]!;
    const head = this.h[HEAD]!;
    const used = this.distance(head, tail);
    if (used + size > this.capacity) return -1;
    const t = this.offset(tail);
    if (t + size <= this.capacity && (used > 0 || t < EARLY_WRAP || size > t)) return tail;
    // Wrap: the end of the ring is padding, the record goes at 0.
    const pad = this.capacity - t;
    if (used + pad + size > this.capacity) return -1;
    if (pad >= 4) this.view.setUint32(t, (WRAP << 30) >>> 0, true);
    return this.advance(tail, pad);
  }

  // Publishes the complete record at `pos`: a writer killed earlier leaves nothing.
  private commit(pos: number, kind: number, length: number): void {
    this.view.setUint32(this.offset(pos), ((kind << 30) | length) >>> 0, true);
    Atomics.store(this.h, TAIL, this.advance(pos, align4(4 + length)));
    if (Atomics.load(this.h, SLEEP_DATA) !== 0) this.wake(DATA);
  }

  // ------------------------------------------------------------------ reading (readers' lock held)

  /**
   * Takes the next message if this thread may: the value, NOTHING (wait for more), or
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
      const head = h[HEAD]!;
      if (head === Atomics.load(h, TAIL)) {
        this.checkStalledStream(r, head);
        return NOTHING;
      }
      const at = this.offset(head);
      if (this.capacity - at < 4 || this.view.getUint32(at, true) >>> 30 === WRAP) {
        Atomics.store(h, HEAD, this.advance(head, this.capacity - at));
        continue;
      }
      const word = this.view.getUint32(at, true);
      const kind = word >>> 30;
      const length = word & LEN_MASK;
      const next = this.advance(head, align4(4 + length));
      if (h[DISCARD] === 1) {
        if (kind !== CHUNK) {
          h[DISCARD] = 0;
          h[STREAM_LEFT] = 0;
          continue;
        }
        h[STREAM_LEFT]! -= length;
        this.consume(next, 0);
        if (h[STREAM_LEFT]! <= 0) h[DISCARD] = 0;
        continue;
      }
      if (kind === MSG) {
        if (r.stream) return this.abandonRead(r);
        const value = decode(this.buf, this.view, at + 4, length);
        this.consume(next, 1);
        return value;
      }
      if (kind === START) {
        if (r.stream) return this.abandonRead(r);
        const total = this.view.getUint32(at + 4, true);
        r.stream = Buffer.allocUnsafe(total);
        r.filled = 0;
        h[STREAM_R] = THREAD;
        h[STREAM_LEFT] = total;
        this.takeChunk(r, at + 8, length - 4, next, 1);
      } else if (kind === CHUNK && r.stream) {
        this.takeChunk(r, at + 4, length, next, 0);
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

  private takeChunk(r: ReadState, from: number, n: number, next: number, messages: number): void {
    r.stream!.set(this.buf.subarray(from, from + n), r.filled);
    r.filled += n;
    this.h[STREAM_LEFT]! -= n;
    this.consume(next, messages);
  }

  // Frees the records before `next`, `messages` of them messages. HEAD and GOT move together:
  // the journal lets the next reader complete the move if this one dies half way (repairRead).
  private consume(next: number, messages: number): void {
    const h = this.h;
    if (messages > 0) {
      const got = (h[GOT]! + messages) | 0;
      h[NEXT_GOT] = got;
      h[NEXT_HEAD] = next + 1;
      Atomics.store(h, HEAD, next);
      h[GOT] = got;
      h[NEXT_HEAD] = 0;
    } else {
      Atomics.store(h, HEAD, next);
    }
    this.roomFreed();
  }

  // Wakes writers once it is worth it: those waiting for a slot when one is free, those waiting
  // for bytes when half the ring is (waking them for every record read would cost a wake-up per
  // message).
  private roomFreed(): void {
    const h = this.h;
    // The atomic load orders the plain one after it too.
    const room = Atomics.load(h, SLEEP_ROOM);
    if (h[SLEEP_SLOT] !== 0 && this.count() < h[MAXSIZE]!) this.wake(SLOT);
    if (room !== 0 && this.distance(h[HEAD]!, h[TAIL]!) <= this.capacity >> 1) this.wake(ROOM);
  }

  // A record of this kind must not come while a stream is half read: the stream is lost.
  private abandonRead(r: ReadState): typeof NOTHING {
    r.stream = null;
    this.h[STREAM_R] = 0;
    this.h[STREAM_LEFT] = 0;
    return NOTHING;
  }

  // Nothing to read at `head`: if the stream being read (or dropped) has no writer any more,
  // nothing more of it will come. The writer clears STREAM_W after its last TAIL, so TAIL is
  // looked at again once STREAM_W was.
  private checkStalledStream(r: ReadState, head: number): void {
    const h = this.h;
    if (!r.stream && h[DISCARD] === 0) return;
    const writer = Atomics.load(h, STREAM_W);
    if (writer !== 0 && native.processAlive(writer)) return;
    if (Atomics.load(h, TAIL) !== head) return;
    if (h[DISCARD] === 1) {
      h[DISCARD] = 0;
      h[STREAM_LEFT] = 0;
    }
    if (!r.stream) return;
    r.stream = null;
    h[STREAM_R] = 0;
    h[STREAM_LEFT] = 0;
    this.wake(DATA);
  }

  // A stream writer that died: let the others write again. True if it was dead.
  private abandonDeadWriter(): boolean {
    const writer = this.h[STREAM_W]!;
    if (native.processAlive(writer)) return false;
    Atomics.store(this.h, STREAM_W, 0);
    this.wake(DATA);
    return true;
  }

  /** Whether a record is waiting to be read (a snapshot, for poll()). */
  hasData(): boolean {
    return Atomics.load(this.h, HEAD) !== Atomics.load(this.h, TAIL);
  }

  // ------------------------------------------------------------------ Pipe and JoinableQueue
  // The holder slots change by compare-and-swap: the other end clears those of dead processes.

  /**
   * Pipe: records that process `pid` holds `end`. Beyond HOLDER_SLOTS holders the end is marked
   * untracked, and the other end only sees it gone once it is closed by all.
   */
  addHolder(end: PipeEnd, pid: number): void {
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      if (Atomics.compareExchange(this.h, i, 0, pid) === 0) return;
    }
    Atomics.store(this.h, untrackedWord(end), 1);
  }

  /** Pipe: `end` registered under `from` is now held by `to`. */
  replaceHolder(end: PipeEnd, from: number, to: number): boolean {
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      if (Atomics.compareExchange(this.h, i, from, to) === from) return true;
    }
    return false;
  }

  /** Pipe: whether `pid` holds `end`. */
  hasHolder(end: PipeEnd, pid: number): boolean {
    for (let i = end; i < end + HOLDER_SLOTS; i++) if (Atomics.load(this.h, i) === pid) return true;
    return false;
  }

  /** Pipe: one copy of `end` held by `pid` is closed; whoever waits on the other end looks again. */
  removeHolder(end: PipeEnd, pid: number): void {
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      if (Atomics.compareExchange(this.h, i, pid, 0) === pid) break;
    }
    this.wake(end === WRITERS ? DATA : ROOM);
  }

  /**
   * Pipe: no process holds `end` any more: all closed, or, when `checkAlive`, the holders left
   * are dead (a system call each, so callers ration it).
   */
  holdersGone(end: PipeEnd, checkAlive: boolean): boolean {
    const h = this.h;
    if (h[untrackedWord(end)] === 1) return false;
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      // A plain load: a stale pid only delays the answer to the next look.
      const pid = h[i]!;
      if (pid === 0) continue;
      if (!checkAlive || native.processAlive(pid)) return false;
      Atomics.compareExchange(h, i, pid, 0);
    }
    return true;
  }

  /** JoinableQueue: one more message to be marked done. */
  addUnfinished(): void { Atomics.add(this.h, UNFINISHED, 1); }

  /** JoinableQueue: marks one done; false if there was none. */
  taskDone(): boolean {
    for (;;) {
      const n = Atomics.load(this.h, UNFINISHED);
      if (n <= 0) return false;
      if (Atomics.compareExchange(this.h, UNFINISHED, n, n - 1) !== n) continue;
      if (n === 1) this.wake(DONE);
      return true;
    }
  }

  get unfinished(): number { return Atomics.load(this.h, UNFINISHED); }

  // ------------------------------------------------------------------ recovery

  // A reader died holding the readers' lock: completes its last move, if it had begun it.
  private repairRead(): void {
    const h = this.h;
    const next = Atomics.load(h, NEXT_HEAD);
    if (next !== 0) {
      Atomics.store(h, HEAD, next - 1);
      Atomics.store(h, GOT, h[NEXT_GOT]!);
      Atomics.store(h, NEXT_HEAD, 0);
    }
    if (h[STREAM_R] !== 0 && !native.processAlive(h[STREAM_R]!)) {
      h[STREAM_R] = 0;
      h[DISCARD] = 1;
    }
    this.wake(DATA);
    this.wake(ROOM);
    this.wake(SLOT);
  }

  // A writer died holding the writers' lock: what it had not published does not exist.
  private repairWrite(): void {
    const h = this.h;
    if (h[STREAM_W] !== 0 && !native.processAlive(h[STREAM_W]!)) Atomics.store(h, STREAM_W, 0);
    this.wake(DATA);
    this.wake(ROOM);
    this.wake(SLOT);
  }
}
