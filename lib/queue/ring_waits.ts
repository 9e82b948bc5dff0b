/**
 * Taking a ring's locks and waiting on it. Writers serialize on one robust Lock and readers on
 * another (as Python's Queue has a write lock and a read lock around its pipe). The locks are
 * only ever taken synchronously: their critical sections are short, and an async caller that
 * finds one busy yields to the event loop between tries.
 *
 * Waiting is an eventcount made of a sleeper count in the header and a Semaphore of wake tokens,
 * one per reason (readers wait for data, writers for room or for a slot, joiners for the last
 * task_done): a waiter counts itself, then looks once more at what it waits for, then takes a
 * token; whoever changes that state changes it first, then tops the tokens up to the number of
 * sleepers. Either the waiter sees the change or the changer sees the waiter (both use
 * sequentially consistent atomics). Nothing is ever held on behalf of a waiter that has not
 * returned yet, so synchronous and asynchronous calls mix freely in one thread.
 */
import { arraySegment } from '../shared/array.js';
import { Liveness } from './liveness.js';
import { OwnerDeadError } from '../errors.js';
import type { Lock } from '../sync/lock.js';
import type { Semaphore } from '../sync/semaphore.js';
import { DISCARD, GOT, HEAD, HEADER_WORDS, PUT, SLEEP_DATA, SLEEP_DONE, SLEEP_ROOM, SLEEP_SLOT, STREAM_R,
  STREAM_W, TAIL, UNFINISHED } from './header.js';
import type { RingParts } from './ring_parts.js';

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

// How often a wait that depends on a stream's producer or consumer checks that it still lives.
const STREAM_POLL_MS = 100;
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
export const SPIN_MS = 0.05;

/** Calls `done` in a tight loop (no lock held) until it is true, or `ms` passed: false then. */
export function spinUntil(done: () => boolean, ms: number): boolean {
  const until = performance.now() + ms;
  for (let i = 1; ; i++) {
    if (done()) return true;
    // performance.now() costs more than a look at the ring.
    if ((i & 63) === 0 && performance.now() >= until) return false;
  }
}

/** A ring's locks and waits; the ring itself (ring.ts) says how to repair after a dead holder. */
export abstract class RingWaits {
  readonly parts: RingParts;
  /** @internal The header words (header.ts). */
  readonly h: Int32Array;
  /** Who this thread is in the ring's words, and whether another holder lives. */
  readonly live: Liveness;
  // The other side's words as this side last looked at them before deciding to wait (see()).
  private seenTail = 0;
  private seenHead = 0;
  private seenGot = 0;

  constructor(parts: RingParts) {
    this.parts = parts;
    // A plain view: the shared arrays are typed-array subclasses, and subarray() of those
    // would construct more of them.
    this.h = new Int32Array(parts.header.buffer, parts.header.byteOffset, HEADER_WORDS);
    this.live = new Liveness(arraySegment(parts.header));
  }

  /** Completes what a holder of the lock of `side` left half done when it died. */
  protected abstract repair(side: Side): void;

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
  // true once held. A holder that died is cleaned up after, and the lock is then ours. Every
  // lock of the ring is taken here.
  private acquire(side: Side, options?: { timeout: number }): boolean {
    try {
      return this.lockFor(side).acquireSync(options);
    } catch (err) {
      if (!(err instanceof OwnerDeadError)) throw err;
      this.repair(side);
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

  /**
   * Tops the tokens up to the number of sleepers on `side`. Fewer would lose wake-ups: a woken
   * sleeper may find its record taken by a caller that never slept, and sleep again. Callers of
   * both sides may do this at once: a sleeper may then be woken for nothing (it looks and
   * sleeps again), never left asleep.
   */
  wake(side: Side): void {
    const sleepers = Atomics.load(this.h, side);
    if (sleepers === 0) return;
    const tokens = this.tokens(side);
    const missing = sleepers - tokens.getValue();
    for (let i = 0; i < missing; i++) tokens.release();
  }
}
