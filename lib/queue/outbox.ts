/**
 * This process's messages that did not fit in a ring when they were put: written in order, as
 * room appears (Python's feeder thread), by a pump that runs on the event loop, or by a thread
 * about to block. Pending writes keep the process alive until they are written, as Python's
 * feeder thread does.
 *
 * An outbox is bounded: once it holds more than its limit (the bytes of its messages'
 * encodings, plus ENTRY_BYTES each for what holds them), the sender that put the last message
 * waits (whenBelow()) or blocks (blockBelow()) until the pump or the sender itself wrote it down
 * to the limit. So a reader that is slow, stopped or gone costs a sender bounded memory. A
 * message is always taken in first and waited for after: the order of the calls is the order of
 * the messages, and a message larger than the limit still goes.
 */
import { finishBeforeExit } from '../process/before_exit.js';
import { getLogger } from '../process/logger.js';
import { checkInteger } from '../validate.js';
import { Fifo } from './fifo.js';
import { ROOM, Sleep, type Ring, type WriteState } from './ring.js';

/** What the outbox asks of the Queue or Pipe end it serves. */
export interface OutboxOwner {
  /** Called (writers' lock held) when there is no room: true if no one can ever read. */
  outputGone(): boolean;
  /** How long a wait for room may last before outputGone() must be asked again. */
  shorten(ms: number | undefined): number | undefined;
  /** Writers' lock held: a message that took a slot will not be written (dropped or withdrawn). */
  givenUp(): void;
}

/**
 * The outbox's limit when none is given: far above what a reader that keeps up leaves waiting
 * (a ring's worth at most, in bursts), so that it is only met when a reader is slow, stopped or
 * gone, or not started yet (a producer filling a queue with some 300,000 small jobs before it
 * starts the consumers meets it).
 */
export const DEFAULT_HIGH_WATER_MARK = 32 * 1024 * 1024;

/** The highWaterMark option: bytes (an integer), Infinity, or undefined (the default). */
export function checkHighWaterMark(value: unknown): number | undefined {
  if (value === undefined || value === Infinity) return value;
  return checkInteger(value, 'highWaterMark', 0, 2 ** 31 - 2);
}

// What a waiting message costs besides its encoding: its WriteState, its encoding's object and
// its place in the list (measured: about 90 bytes for a small number).
const ENTRY_BYTES = 96;

// This thread's outboxes with messages waiting (see writeEvery()).
const unsent = new Set<Outbox>();

function remaining(deadline: number): number {
  return deadline === Infinity ? -1 : Math.max(0, deadline - performance.now());
}

const cost = (w: WriteState) => w.enc.size + ENTRY_BYTES;

export class Outbox {
  /** Bytes past which senders wait. */
  readonly limit: number;
  readonly #ring: Ring;
  readonly #owner: OutboxOwner;
  readonly #items = new Fifo<WriteState>();
  #bytes = 0;
  // Resolvers of whenBelow() calls waiting for the outbox to come down to its limit.
  #below: (() => void)[] = [];
  #drained: Promise<void> = Promise.resolve();
  #pumping = false;

  constructor(ring: Ring, owner: OutboxOwner, limit: number) {
    this.#ring = ring;
    this.#owner = owner;
    this.limit = limit;
  }

  /** Messages waiting for room. */
  get length(): number {
    return this.#items.length;
  }

  /** Whether it holds more than its limit: the sender of the last message must wait. */
  get over(): boolean {
    return this.#bytes > this.limit;
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
    do {
      if (this.#items.length === 0 ? ring.write(w) : this.#writeQueued() && ring.write(w)) return;
    } while (wait && ring.roomSoon());
    // Its sender may change its buffers once the call returned: what waits keeps its own bytes.
    if (w.parts) w.parts = w.parts.map((part) => new Uint8Array(part));
    else w.enc = w.enc.detach();
    w.queued = true;
    this.#items.push(w);
    this.#bytes += cost(w);
    unsent.add(this);
  }

  // Writers' lock held: writes what waits, in order, as far as it fits; true once nothing waits.
  #writeQueued(): boolean {
    const items = this.#items;
    const ring = this.#ring;
    for (let w = items.peek(); w !== undefined; w = items.peek()) {
      if (!w.withdrawn) {
        if (!ring.write(w)) break;
        this.#bytes -= cost(w);
      }
      w.queued = false;
      items.shift();
    }
    if (this.#below.length > 0 && !this.over) this.#wakeBelow();
    return items.length === 0;
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

  /** Writers' lock held: writes what of what waits fits now; whether some still waits. */
  writeWhatFits(): boolean {
    this.#writeQueued();
    return this.#items.length > 0;
  }

  /**
   * Writes what waits now: what fits, or with `block` all of it, waiting for room. A thread
   * about to block must do this, since the asynchronous pump only runs while its event loop
   * does. The caller may hold the readers' lock (never the writers'). Returns whether anything
   * was written.
   */
  write(block: boolean): boolean {
    return this.#writeWhile(() => block && this.#items.length > 0, Infinity);
  }

  /**
   * Blocks this thread, writing as room appears, until the outbox is down to its limit (true)
   * or `deadline` (a performance.now() time) passed (false). What no one can read any more is
   * dropped. The caller may hold the readers' lock (never the writers').
   */
  blockBelow(deadline: number): boolean {
    this.#writeWhile(() => this.over, deadline);
    return !this.over;
  }

  /**
   * Resolves true once the outbox is down to its limit (written by the pump, or dropped for
   * want of a reader), false if `deadline` passed first. The pump must be running.
   */
  whenBelow(deadline: number): Promise<boolean> {
    if (!this.over) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const below = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#below.push(below);
      if (deadline === Infinity) return;
      timer = setTimeout(() => {
        this.#below = this.#below.filter((f) => f !== below);
        resolve(false);
      }, remaining(deadline));
    });
  }

  /**
   * Writers' lock held: takes `w` back if none of it is written yet (a put() that timed out):
   * its slot is given back and the message will not be written. False if it is too late.
   */
  withdraw(w: WriteState): boolean {
    if (!w.queued || w.withdrawn || w.written > 0) return false;
    w.withdrawn = true;
    this.#bytes -= cost(w);
    this.#owner.givenUp();
    if (!this.over) this.#wakeBelow();
    return true;
  }

  // Writes (writers' lock taken) as long as `waitMore()` says to, waiting for room, until
  // `deadline`. Returns whether anything was written.
  #writeWhile(waitMore: () => boolean, deadline: number): boolean {
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
        this.#writeQueued();
        wrote ||= items.length !== length || items.peek()!.written !== streamed;
        if (!waitMore()) return wrote;
        if (this.#owner.outputGone()) {
          this.#drop();
          return wrote;
        }
        const left = remaining(deadline);
        if (left === 0) return wrote;
        ring.waitSync(ROOM, this.#owner.shorten(left) ?? -1);
      }
    } finally {
      ring.unlockWrite();
    }
  }

  // Writers' lock held: no one will read what waits, which is dropped (as an OS pipe drops
  // what its last reader left unread). Those not begun give their slots back.
  #drop(): void {
    while (this.#items.length > 0) {
      const w = this.#items.shift()!;
      w.queued = false;
      if (w.written === 0 && !w.withdrawn) this.#owner.givenUp();
    }
    this.#bytes = 0;
    unsent.delete(this);
    this.#wakeBelow();
  }

  #wakeBelow(): void {
    const below = this.#below;
    this.#below = [];
    for (const wake of below) wake();
  }

  /** Writes what waits in order as room appears; the pending waits keep the process alive. */
  pump(): void {
    if (this.#pumping || this.#items.length === 0) return;
    this.#pumping = true;
    this.#drained = this.drain().catch((err: unknown) => {
      this.#pumping = false;
      // Whoever waits for room must not wait for a pump that stopped.
      this.#wakeBelow();
      getLogger().error(`a queue lost messages it could not write: ${String(err)}`);
      process.emitWarning(`multiproc: a Queue could not write its pending messages: ${String(err)}`);
    });
    finishBeforeExit(this.#drained);
  }

  private async drain(): Promise<void> {
    const ring = this.#ring;
    await ring.until(ROOM, () => {
      if (!this.#writeQueued() && this.#owner.outputGone()) this.#drop();
      if (this.#items.length > 0) return new Sleep(this.#owner.shorten(ring.pollMs(-1)));
      // The pump ends in the very step that found the outbox empty: its first step runs inside
      // put(), so putSync() calls may follow before this promise settles, and what they leave
      // here needs a pump of its own.
      this.#pumping = false;
      unsent.delete(this);
      return undefined;
    });
  }
}
