/**
 * A Pipe ring's holder registry: for each end (writing, reading), the threads holding a copy
 * of it, one slot each, so that the other end can tell when nobody holds it any more (closed,
 * collected, or the process gone). The slots change by compare-and-swap: the other end clears
 * those of dead processes.
 */
import { HOLDER_SLOTS, READERS, UNTRACKED, UNTRACKED_R, WRITERS } from './header.js';
import type { Liveness } from './liveness.js';

/** A Pipe ring's end, as recorded in it: the processes holding it. */
export type PipeEnd = typeof WRITERS | typeof READERS;
export const WRITE_END: PipeEnd = WRITERS;
export const READ_END: PipeEnd = READERS;

// The word marking `end` held by more processes than its slots track.
const untrackedWord = (end: PipeEnd) => (end === WRITERS ? UNTRACKED : UNTRACKED_R);

export class Holders {
  private readonly h: Int32Array;
  private readonly live: Liveness;
  private readonly closed: (end: PipeEnd) => void;

  /** `closed(end)` wakes whoever waits on the other side of `end`. */
  constructor(h: Int32Array, live: Liveness, closed: (end: PipeEnd) => void) {
    this.h = h;
    this.live = live;
    this.closed = closed;
  }

  /**
   * Records that process `id` holds `end`. Beyond HOLDER_SLOTS holders the end is marked
   * untracked, and the other end only sees it gone once it is closed by all.
   */
  add(end: PipeEnd, id: number): void {
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      if (Atomics.compareExchange(this.h, i, 0, id) === 0) return;
    }
    Atomics.store(this.h, untrackedWord(end), 1);
  }

  /** `end` registered under `from` is now held by `to`. */
  replace(end: PipeEnd, from: number, to: number): boolean {
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      if (Atomics.compareExchange(this.h, i, from, to) === from) return true;
    }
    return false;
  }

  /** How many copies of `end` `id` holds, or -1 if others hold some too (or too many to track). */
  countOnly(end: PipeEnd, id: number): number {
    const h = this.h;
    if (Atomics.load(h, untrackedWord(end)) === 1) return -1;
    let n = 0;
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      const holder = Atomics.load(h, i);
      if (holder === id) n++;
      else if (holder !== 0) return -1;
    }
    return n;
  }

  /** One copy of `end` held by `id` is closed; whoever waits on the other end looks again. */
  remove(end: PipeEnd, id: number): void {
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      if (Atomics.compareExchange(this.h, i, id, 0) === id) break;
    }
    this.closed(end);
  }

  /**
   * No process holds `end` any more: all closed, or, when `checkAlive`, the holders left
   * are dead (a system call each, so callers ration it).
   */
  gone(end: PipeEnd, checkAlive: boolean): boolean {
    const h = this.h;
    if (h[untrackedWord(end)] === 1) return false;
    for (let i = end; i < end + HOLDER_SLOTS; i++) {
      // A plain load: a stale id only delays the answer to the next look.
      const id = h[i]!;
      if (id === 0) continue;
      if (!checkAlive || this.live.alive(id)) return false;
      Atomics.compareExchange(h, i, id, 0);
    }
    return true;
  }
}
