/**
 * The shared core of Queue and Pipe: a byte ring in shared memory (records.ts) carrying
 * messages, with its locks and waits (ring_waits.ts). A message goes in one record; one whose
 * encoding exceeds a quarter of the ring is streamed in chunks (streams.ts). Around that: the
 * slots of a bounded queue (reservations.ts), a Pipe's holder registry (holders.ts) and
 * JoinableQueue's count of unfinished tasks. The header's words are listed in header.ts.
 *
 * A process killed in the middle of an operation leaves the ring readable: a record exists once
 * TAIL moved past it, complete; a reader's HEAD and message count move together through a
 * journal (journal.ts) that the lock's next holder completes.
 */
import { decode, type Encoded } from './codec.js';
import { HEAD, HIGH_WATER, MAXSIZE, STREAM_R, STREAM_W, TAIL, UNFINISHED, WRITERS } from './header.js';
import { Holders, type PipeEnd } from './holders.js';
import { completeMove } from './journal.js';
import { NOTHING, type ReadState, type WriteState } from './progress.js';
import { align4, LEN_MASK, MSG, Records, WRAP } from './records.js';
import { Reservations } from './reservations.js';
import { createParts, unlinkParts, type RingParts } from './ring_parts.js';
import { DATA, DONE, ROOM, SLOT, SPIN_MS, type Side } from './ring_waits.js';
import { MORE, Streams } from './streams.js';

export { NOTHING, type ReadState, type WriteState } from './progress.js';
export { READ_END, WRITE_END, type PipeEnd } from './holders.js';
export type { RingParts } from './ring_parts.js';
export { DATA, DONE, ROOM, Sleep, SLOT, spinUntil, type Side } from './ring_waits.js';

export class Ring extends Records {
  /** Pipe: the processes holding each end. */
  readonly holders: Holders;
  private readonly reservations: Reservations;
  private readonly streams: Streams;
  // HEAD when roomSoon() last found the readers idle, -1 if they moved since.
  private idleHead = -1;

  constructor(parts: RingParts) {
    super(parts);
    this.reservations = new Reservations(this.h, this.live, () => this.wake(SLOT));
    this.streams = new Streams(this, this.reservations);
    this.holders = new Holders(this.h, this.live, (end: PipeEnd) => this.wake(end === WRITERS ? DATA : ROOM));
  }

  /**
   * Makes the shared parts of a new ring (or opens the named one, whose settings were made by
   * its creator).
   */
  static create(capacity: number, maxsize: number, name?: string, highWaterMark?: number): Ring {
    const ring = new Ring(createParts(capacity, name));
    const h = ring.h;
    h[MAXSIZE] ||= maxsize;
    if (highWaterMark !== undefined) h[HIGH_WATER] ||= highWaterMark === Infinity ? -1 : highWaterMark + 1;
    return ring;
  }

  /** Removes the names of a named ring's parts. */
  static unlink(name: string): void {
    unlinkParts(name);
  }

  get maxsize(): number { return this.h[MAXSIZE]!; }

  /** The highWaterMark its creator gave, undefined if none. */
  get highWaterMark(): number | undefined {
    const word = this.h[HIGH_WATER]!;
    return word === 0 ? undefined : word < 0 ? Infinity : word - 1;
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
    return this.reservations.reserve();
  }

  /** Gives back a slot reserved for a message that will not be written. */
  unreserve(): void {
    this.reservations.unreserve();
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
    if (streamer !== 0 && streamer !== this.live.me && !this.streams.abandonDeadWriter(streamer)) return false;
    if (this.isLarge(w.enc)) return this.streams.write(w);
    const pos = this.place(align4(4 + w.enc.size));
    if (pos < 0) return false;
    const at = this.offset(pos);
    const n = w.enc.write(this.buf, this.view, at + 4);
    this.reservations.done();
    this.commit(pos, MSG, n);
    return true;
  }

  // ------------------------------------------------------------------ reading (readers' lock held)

  /**
   * Takes the next message if this thread may: the value, NOTHING (wait for more), or
   * continues a stream in `r`.
   */
  read(r: ReadState): unknown {
    const h = this.h;
    const streams = this.streams;
    for (;;) {
      const reader = h[STREAM_R]!;
      if (reader !== 0 && reader !== this.live.me && !streams.abandonDeadReader(reader)) return NOTHING;
      const head = h[HEAD]!;
      if (head === Atomics.load(h, TAIL)) {
        streams.checkStalled(r, head);
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
      if (streams.discarding()) {
        streams.discard(kind, length, next);
        continue;
      }
      if (kind === MSG) {
        if (r.stream) return streams.abandonRead(r);
        const value = decode(this.buf, this.view, at + 4, length);
        this.consume(next, 1);
        r.size = length;
        return value;
      }
      const value = streams.readRecord(r, kind, at, length, next);
      if (value !== MORE) return value;
    }
  }

  // ------------------------------------------------------------------ JoinableQueue

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

  // A holder of the lock of `side` died: a reader's last move is completed (what it had not
  // begun is still there), a writer's unpublished record does not exist. Everyone looks again.
  protected repair(side: Side): void {
    if (side === DATA) {
      completeMove(this.h);
      this.streams.repairRead();
    } else {
      this.streams.repairWrite();
    }
    this.wake(DATA);
    this.wake(ROOM);
    this.wake(SLOT);
  }
}
