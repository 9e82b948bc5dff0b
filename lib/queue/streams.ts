/**
 * Messages bigger than a quarter of the ring, streamed: a START record (with the total length)
 * and CHUNK records, written by one producer at a time (STREAM_W) and read by one consumer at a
 * time (STREAM_R), so chunks never interleave with other messages and messages of any size pass
 * through any ring. A stream whose producer or consumer dies is abandoned (that one message is
 * lost: its remaining chunks are dropped) and the ring goes on.
 */
import { decode } from './codec.js';
import { DISCARD, STREAM_LEFT, STREAM_R, STREAM_W, TAIL } from './header.js';
import { NOTHING, type ReadState, type WriteState } from './progress.js';
import { align4, CHUNK, START, type Records } from './records.js';
import type { Reservations } from './reservations.js';
import { DATA, ROOM } from './ring_waits.js';

/** What readRecord() returns when the caller should look at the next record. */
export const MORE = Symbol('multiproc.more');

export class Streams {
  private readonly ring: Records;
  private readonly reservations: Reservations;

  constructor(ring: Records, reservations: Reservations) {
    this.ring = ring;
    this.reservations = reservations;
  }

  // ------------------------------------------------------------------ writing (writers' lock held)

  /** Writes as much of the stream `w` as fits now; true once all of it is in the ring. */
  write(w: WriteState): boolean {
    const ring = this.ring;
    const h = ring.h;
    if (!w.parts) {
      w.parts = w.enc.parts();
      w.total = w.parts.reduce((sum, part) => sum + part.byteLength, 0);
    }
    const total = w.total!;
    const chunkMax = ring.capacity >> 2;
    while (w.written < total) {
      const first = w.written === 0;
      const header = first ? 8 : 4;
      const free = ring.contiguousFree();
      if (free < header + 64 && free < header + (total - w.written)) break;
      const n = Math.min(total - w.written, chunkMax, free - header);
      const pos = ring.place(align4(header + n));
      if (pos < 0) break;
      const at = ring.offset(pos);
      if (first) {
        Atomics.store(h, STREAM_W, this.ring.live.me);
        ring.view.setUint32(at + 4, total, true);
      }
      this.copyParts(w.parts, w.written, n, at + header);
      // A reader counts a streamed message as taken at its START record.
      if (first) this.reservations.done();
      ring.commit(pos, first ? START : CHUNK, header - 4 + n);
      w.written += n;
    }
    if (w.written < total) return false;
    // After the last chunk's TAIL: a reader that sees no stream writer then sees every chunk.
    Atomics.store(h, STREAM_W, 0);
    ring.wake(ROOM);
    return true;
  }

  private copyParts(parts: readonly Uint8Array[], from: number, n: number, to: number): void {
    const buf = this.ring.buf;
    let skip = from;
    for (const part of parts) {
      if (n === 0) return;
      if (skip >= part.byteLength) {
        skip -= part.byteLength;
        continue;
      }
      const take = Math.min(part.byteLength - skip, n);
      buf.set(part.subarray(skip, skip + take), to);
      to += take;
      n -= take;
      skip = 0;
    }
  }

  /** The stream writer `writer` (not this thread) died: let the others write again. True if it was dead. */
  abandonDeadWriter(writer: number): boolean {
    if (this.ring.live.alive(writer)) return false;
    Atomics.store(this.ring.h, STREAM_W, 0);
    this.ring.wake(DATA);
    return true;
  }

  // ------------------------------------------------------------------ reading (readers' lock held)

  /** The stream reader `reader` (not this thread) died: true, and the rest of its stream is dropped. */
  abandonDeadReader(reader: number): boolean {
    if (this.ring.live.alive(reader)) return false;
    const h = this.ring.h;
    h[STREAM_R] = 0;
    h[DISCARD] = 1;
    return true;
  }

  /** Whether the records read now belong to an abandoned stream. */
  discarding(): boolean {
    return this.ring.h[DISCARD] === 1;
  }

  /** Drops the record before `next` (of `kind`, `length` bytes) of an abandoned stream. */
  discard(kind: number, length: number, next: number): void {
    const h = this.ring.h;
    if (kind !== CHUNK) {
      h[DISCARD] = 0;
      h[STREAM_LEFT] = 0;
      return;
    }
    h[STREAM_LEFT]! -= length;
    this.ring.consume(next, 0);
    if (h[STREAM_LEFT]! <= 0) h[DISCARD] = 0;
  }

  /**
   * Takes the START or CHUNK record at `at` (`length` bytes, the next record at `next`) into
   * `r`: the whole message once its last chunk is in, NOTHING if `r`'s stream was lost, else MORE.
   */
  readRecord(r: ReadState, kind: number, at: number, length: number, next: number): unknown {
    const ring = this.ring;
    const h = ring.h;
    if (kind === START) {
      if (r.stream) return this.abandonRead(r);
      const total = ring.view.getUint32(at + 4, true);
      r.stream = Buffer.allocUnsafe(total);
      r.filled = 0;
      h[STREAM_R] = this.ring.live.me;
      h[STREAM_LEFT] = total;
      this.takeChunk(r, at + 8, length - 4, next, 1);
    } else if (kind === CHUNK && r.stream) {
      this.takeChunk(r, at + 4, length, next, 0);
    } else {
      // A chunk of a stream nobody reads: its reader died between records.
      h[DISCARD] = 1;
      return MORE;
    }
    if (r.filled < r.stream.byteLength) return MORE;
    const whole = r.stream;
    r.stream = null;
    r.size = whole.byteLength;
    h[STREAM_R] = 0;
    ring.wake(DATA);
    return decode(whole, new DataView(whole.buffer, whole.byteOffset, whole.byteLength), 0, whole.byteLength, true);
  }

  private takeChunk(r: ReadState, from: number, n: number, next: number, messages: number): void {
    r.stream!.set(this.ring.buf.subarray(from, from + n), r.filled);
    r.filled += n;
    this.ring.h[STREAM_LEFT]! -= n;
    this.ring.consume(next, messages);
  }

  /** A record of another message came while `r`'s stream was half read: the stream is lost. */
  abandonRead(r: ReadState): typeof NOTHING {
    r.stream = null;
    const h = this.ring.h;
    h[STREAM_R] = 0;
    h[STREAM_LEFT] = 0;
    return NOTHING;
  }

  /**
   * Nothing to read at `head`: if the stream being read (or dropped) has no writer any more,
   * nothing more of it will come. The writer clears STREAM_W after its last TAIL, so TAIL is
   * looked at again once STREAM_W was.
   */
  checkStalled(r: ReadState, head: number): void {
    const ring = this.ring;
    const h = ring.h;
    if (!r.stream && h[DISCARD] === 0) return;
    const writer = Atomics.load(h, STREAM_W);
    if (writer !== 0 && this.ring.live.alive(writer)) return;
    if (Atomics.load(h, TAIL) !== head) return;
    if (h[DISCARD] === 1) {
      h[DISCARD] = 0;
      h[STREAM_LEFT] = 0;
    }
    if (!r.stream) return;
    r.stream = null;
    h[STREAM_R] = 0;
    h[STREAM_LEFT] = 0;
    ring.wake(DATA);
  }

  // ------------------------------------------------------------------ recovery

  /** A reader died holding the readers' lock: if it was reading a stream, the rest is dropped. */
  repairRead(): void {
    const h = this.ring.h;
    if (h[STREAM_R] !== 0 && !this.ring.live.alive(h[STREAM_R]!)) {
      h[STREAM_R] = 0;
      h[DISCARD] = 1;
    }
  }

  /** A writer died holding the writers' lock: a stream it was writing ends here. */
  repairWrite(): void {
    const h = this.ring.h;
    if (h[STREAM_W] !== 0 && !this.ring.live.alive(h[STREAM_W]!)) Atomics.store(h, STREAM_W, 0);
  }
}
