/**
 * Who holds a ring's words, and whether they still live: the one place lib/queue asks. The
 * stream and reservation words and a Pipe's holder slots name a holder by its lease id in the
 * segment of the ring's header (native/core/lease.h): one per thread that mapped it, ended by
 * the kernel when that thread's process dies, in whatever PID namespace. A word whose holder
 * died is taken back by whoever finds it so.
 */
import type { MappedSegment } from '../shared/segments.js';

export class Liveness {
  /** The id this thread writes into the ring words it takes. */
  readonly me: number;
  readonly #seg: MappedSegment;

  constructor(seg: MappedSegment) {
    this.#seg = seg;
    this.me = seg.lease;
  }

  /** Whether the holder written as `id` is alive (a system call, unless it is this thread). */
  alive(id: number): boolean {
    return id === this.me || this.#seg.native.leaseAlive(id);
  }

  /**
   * A new id, alive until drop(id) or this process's end: it stands for a copy on its way to
   * a process that has not mapped the ring yet.
   */
  spare(): number {
    return this.#seg.native.takeSpareLease();
  }

  drop(id: number): void {
    this.#seg.native.dropSpareLease(id);
  }
}
