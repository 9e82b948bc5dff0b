/**
 * The byte ring itself: length-prefixed records between two positions. A writer publishes a
 * record by moving TAIL, a reader frees it by moving HEAD, each with an atomic store, and each
 * side only reads the other side's position. So a producer copying a message in and a consumer
 * copying one out never wait for each other, and with one producer and one consumer each lock
 * stays with its process. A record exists once TAIL moved past it, complete: a writer killed
 * before that leaves nothing.
 */
import { GOT, HEAD, MAXSIZE, PUT, SLEEP_DATA, SLEEP_ROOM, SLEEP_SLOT, TAIL } from './header.js';
import { moveHead } from './journal.js';
import type { RingParts } from './ring_parts.js';
import { DATA, RingWaits, ROOM, SLOT } from './ring_waits.js';

// A record is a 32-bit word (kind in the top 2 bits, payload length below) and its payload,
// padded to 4 bytes.
export const MSG = 0;
export const START = 1;
export const CHUNK = 2;
export const WRAP = 3;
export const LEN_MASK = 0x3fffffff;

// Bytes into an empty ring past which a writer starts again from its start (see place()).
const EARLY_WRAP = 4096;

export const align4 = (n: number) => (n + 3) & ~3;

export abstract class Records extends RingWaits {
  readonly capacity: number;
  /** @internal The ring's bytes. */
  readonly buf: Buffer;
  /** @internal The same bytes. */
  readonly view: DataView;

  constructor(parts: RingParts) {
    super(parts);
    this.buf = Buffer.from(parts.bytes.buffer, parts.bytes.byteOffset, parts.bytes.length);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.capacity = this.buf.byteLength;
  }

  /** Messages in the queue (reserved ones included); a snapshot. */
  count(): number {
    return Math.max(0, (Atomics.load(this.h, PUT) - Atomics.load(this.h, GOT)) | 0);
  }

  /** Whether a record is waiting to be read (a snapshot, for poll()). */
  hasData(): boolean {
    return Atomics.load(this.h, HEAD) !== Atomics.load(this.h, TAIL);
  }

  /** @internal The offset in the bytes of a position. */
  offset(pos: number): number {
    return pos < this.capacity ? pos : pos - this.capacity;
  }

  /** @internal `pos` moved on by `n` bytes. */
  advance(pos: number, n: number): number {
    const next = pos + n;
    return next >= 2 * this.capacity ? next - 2 * this.capacity : next;
  }

  /** @internal Bytes between two positions. */
  distance(from: number, to: number): number {
    const d = to - from;
    return d < 0 ? d + 2 * this.capacity : d;
  }

  // ------------------------------------------------------------------ writing (writers' lock held)

  /** @internal Bytes that can be written in one record right now (after a wrap if needed). */
  contiguousFree(): number {
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
   * @internal Where a record of `size` bytes goes, as a position (after wrap padding if needed),
   * or -1 if it does not fit now. An empty ring is written from its start again once EARLY_WRAP
   * bytes in: the records in flight then stay in a few cache lines. Not sooner: the padding
   * counts as used until the reader passes it, so the writes that follow have only those bytes.
   */
  place(size: number): number {
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

  /** @internal Publishes the complete record at `pos`: a writer killed earlier leaves nothing. */
  commit(pos: number, kind: number, length: number): void {
    this.view.setUint32(this.offset(pos), ((kind << 30) | length) >>> 0, true);
    Atomics.store(this.h, TAIL, this.advance(pos, align4(4 + length)));
    if (Atomics.load(this.h, SLEEP_DATA) !== 0) this.wake(DATA);
  }

  // ------------------------------------------------------------------ reading (readers' lock held)

  /** @internal Frees the records before `next`, `messages` of them messages. */
  consume(next: number, messages: number): void {
    moveHead(this.h, next, messages);
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
}
