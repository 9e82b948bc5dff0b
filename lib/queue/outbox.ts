/**
 * This process's messages that did not fit in a ring when they were put: written in order, as
 * room appears (Python's feeder thread), by a pump that runs on the event loop, or by a thread
 * about to block. Pending writes keep the process alive until they are written, as Python's
 * feeder thread does.
 */
import { finishBeforeExit } from '../process/before_exit.js';
import { getLogger } from '../process/logger.js';
import { Fifo } from './fifo.js';
import { ROOM, Sleep, type Ring, type WriteState } from './ring.js';

/** What the outbox asks of the Queue or Pipe end it serves. */
export interface OutboxOwner {
  /** Called (writers' lock held) when there is no room: true if no one can ever read. */
  outputGone(): boolean;
  /** How long a wait for room may last before outputGone() must be asked again. */
  shorten(ms: number | undefined): number | undefined;
}

// This thread's outboxes with messages waiting (see writeEvery()).
const unsent = new Set<Outbox>();

export class Outbox {
  readonly #ring: Ring;
  readonly #owner: OutboxOwner;
  readonly #items = new Fifo<WriteState>();
  #drained: Promise<void> = Promise.resolve();
  #pumping = false;

  constructor(ring: Ring, owner: OutboxOwner) {
    this.#ring = ring;
    this.#owner = owner;
  }

  /** Messages waiting for room. */
  get length(): number {
    return this.#items.length;
  }

  /** Resolves once what waits now is written (or dropped for want of a reader). */
  drained(): Promise<void> {
    return this.#drained;
  }

  /**
   * Writers' lock held, slot reserved: writes `w` now, or queues it behind what waits. What
   * waits goes first, now if it fits: the pump only runs once the event loop does. With `wait`
   * (putSync), a full ring is waited on for a moment while a reader is emptying it: a hot loop
   * of putSync() calls would otherwise pile its messages up here, for the pump to write after
   * the loop. Call pump() once the lock is released.
   */
  handOver(w: WriteState, wait: boolean): void {
    const ring = this.#ring;
    const items = this.#items;
    do {
      while (items.length > 0 && ring.write(items.peek()!)) items.shift();
      if (items.length === 0 && ring.write(w)) return;
    } while (wait && ring.roomSoon());
    items.push(w);
    unsent.add(this);
  }

  /**
   * A thread about to block writes what fits from every outbox it has, not only the one of the
   * ring it waits on: its pumps cannot run while it blocks, and what it waits for may be the
   * answer to a message still in one of them. True if anything was written.
   */
  static writeEvery(): boolean {
    let wrote = false;
    for (const outbox of unsent) {
      if (outbox.write(false)) wrote = true;
      if (outbox.#items.length === 0) unsent.delete(outbox);
    }
    return wrote;
  }

  /**
   * Writes what waits now: what fits, or with `block` all of it, waiting for room. A thread
   * about to block must do this, since the asynchronous pump only runs while its event loop
   * does. The caller may hold the readers' lock (never the writers'). Returns whether anything
   * was written.
   */
  write(block: boolean): boolean {
    const items = this.#items;
    if (items.length === 0) return false;
    const ring = this.#ring;
    ring.lockWrite();
    try {
      let wrote = false;
      for (;;) {
        ring.see(ROOM);
        const length = items.length;
        const streamed = items.peek()!.written;
        while (items.length > 0 && ring.write(items.peek()!)) items.shift();
        wrote ||= items.length !== length || items.peek()!.written !== streamed;
        if (items.length === 0 || !block) return wrote;
        if (this.#owner.outputGone()) {
          this.drop();
          return wrote;
        }
        ring.waitSync(ROOM, this.#owner.shorten(-1) ?? -1);
      }
    } finally {
      ring.unlockWrite();
    }
  }

  // Writers' lock held: no one will read what waits, which is dropped (as an OS pipe drops
  // what its last reader left unread). Those not begun give their slots back.
  private drop(): void {
    while (this.#items.length > 0) {
      if (this.#items.shift()!.written === 0) this.#ring.unreserve();
    }
    unsent.delete(this);
  }

  /** Writes what waits in order as room appears; the pending waits keep the process alive. */
  pump(): void {
    if (this.#pumping || this.#items.length === 0) return;
    this.#pumping = true;
    this.#drained = this.drain().catch((err: unknown) => {
      this.#pumping = false;
      getLogger().error(`a queue lost messages it could not write: ${String(err)}`);
      process.emitWarning(`multiproc: a Queue could not write its pending messages: ${String(err)}`);
    });
    finishBeforeExit(this.#drained);
  }

  private async drain(): Promise<void> {
    const ring = this.#ring;
    const items = this.#items;
    await ring.until(ROOM, () => {
      while (items.length > 0 && ring.write(items.peek()!)) items.shift();
      if (items.length > 0 && this.#owner.outputGone()) this.drop();
      if (items.length > 0) return new Sleep(this.#owner.shorten(ring.pollMs(-1)));
      // The pump ends in the very step that found the outbox empty: its first step runs inside
      // put(), so putSync() calls may follow before this promise settles, and what they leave
      // here needs a pump of its own.
      this.#pumping = false;
      unsent.delete(this);
      return undefined;
    });
  }
}
