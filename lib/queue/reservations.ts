/**
 * The slots of a bounded queue, reserved by a put() before its message is written. Each thread
 * that holds reserved, unwritten messages (in its outbox) is recorded in a pair of words (its
 * id, how many): a thread killed with messages in its outbox would otherwise keep their slots
 * taken for good. A writer that finds the queue full gives the slots of dead threads back. Up to
 * RESERVER_SLOTS threads are tracked at once; the slots of one beyond that are only lost if it is
 * killed. Writers' lock held for all of it.
 */
import { GOT, MAXSIZE, PUT, RESERVER_SLOTS, RESERVERS } from './header.js';
import type { Liveness } from './liveness.js';

export class Reservations {
  private readonly h: Int32Array;
  private readonly live: Liveness;
  private readonly slotFreed: () => void;
  // Which RESERVERS pair this thread used last (a hint, checked before use).
  private pair = -1;

  /** `slotFreed` wakes writers waiting for a slot. */
  constructor(h: Int32Array, live: Liveness, slotFreed: () => void) {
    this.h = h;
    this.live = live;
    this.slotFreed = slotFreed;
  }

  /** Takes a message slot, or says to wait for one. */
  reserve(): boolean {
    const h = this.h;
    const max = h[MAXSIZE]!;
    if (max > 0 && ((h[PUT]! - h[GOT]!) | 0) >= max
      && (!this.releaseDead() || ((h[PUT]! - h[GOT]!) | 0) >= max)) return false;
    h[PUT]!++;
    const pending = this.pendingWord(true);
    if (pending >= 0) h[pending]!++;
    return true;
  }

  /** Gives back a slot reserved for a message that will not be written. */
  unreserve(): void {
    this.h[PUT]!--;
    this.done();
    this.slotFreed();
  }

  /**
   * One message this thread reserved is written (its first record) or given up: called before
   * the record is published, so that a thread killed in between loses that slot rather than
   * miscount it.
   */
  done(): void {
    const pending = this.pendingWord(false);
    if (pending < 0) return;
    const h = this.h;
    if (--h[pending]! <= 0) {
      h[pending] = 0;
      h[pending - 1] = 0;
    }
  }

  // The word counting this thread's reserved, unwritten messages (taking a free pair if `claim`),
  // or -1: a thread beyond RESERVER_SLOTS is not tracked.
  private pendingWord(claim: boolean): number {
    const h = this.h;
    const cached = RESERVERS + 2 * this.pair;
    if (this.pair >= 0 && h[cached] === this.live.me) return cached + 1;
    let free = -1;
    for (let i = 0; i < RESERVER_SLOTS; i++) {
      const at = RESERVERS + 2 * i;
      if (h[at] === this.live.me) {
        this.pair = i;
        return at + 1;
      }
      if (free < 0 && h[at] === 0) free = i;
    }
    if (!claim || free < 0) return -1;
    h[RESERVERS + 2 * free] = this.live.me;
    h[RESERVERS + 2 * free + 1] = 0;
    this.pair = free;
    return RESERVERS + 2 * free + 1;
  }

  // A full bounded queue: frees the slots reserved by threads that died before writing their
  // messages. True if any was freed.
  private releaseDead(): boolean {
    const h = this.h;
    let freed = 0;
    for (let i = 0; i < RESERVER_SLOTS; i++) {
      const at = RESERVERS + 2 * i;
      const thread = h[at]!;
      if (thread === 0 || this.live.alive(thread)) continue;
      freed += h[at + 1]!;
      h[at] = 0;
      h[at + 1] = 0;
    }
    h[PUT]! -= freed;
    return freed > 0;
  }
}
