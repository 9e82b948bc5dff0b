/**
 * Queue, JoinableQueue and SimpleQueue over a shared-memory ring (see ring.ts), with Python's
 * semantics: put() takes a slot (waiting while a bounded queue is full) and hands the message
 * over; if the ring has no room right now, the message waits in this process's outbox
 * (outbox.ts) and is written, in order, as soon as room appears (Python's feeder thread), and a
 * process with messages still in its outbox stays alive until they are written, as Python's
 * does. Unlike Python's feeder, the outbox is bounded (highWaterMark): past it, put() waits and
 * putSync() blocks until readers made room, so a slow or stuck reader costs bounded memory.
 */
import { Empty, Full, MultiprocError } from '../errors.js';
import { kReduce, rebuild, registerRebuild, type Handle, type Reducible } from '../travel.js';
import { checkBoolean, checkInteger, checkName, checkObject, checkTimeout, rangeError } from '../validate.js';
import { encode } from './codec.js';
import { checkHighWaterMark, DEFAULT_HIGH_WATER_MARK, Outbox } from './outbox.js';
import { DATA, DONE, NOTHING, ROOM, Ring, Sleep, SLOT, type ReadState, type RingParts, type WriteState } from './ring.js';

/** Options of put() / get(). */
export interface QueueWaitOptions {
  /** Milliseconds to wait at most; absent means forever. */
  timeout?: number;
}

/** Options of getSync(). */
export interface QueueGetSyncOptions extends QueueWaitOptions {
  /** false: do not wait (like getNowait()). */
  block?: boolean;
}

/** Options of the queue constructors. */
export interface QueueOptions {
  /** Open or create the system-wide queue of this name, shared with unrelated programs. */
  name?: string;
  /** Bytes of shared memory for messages in flight (default 1 MiB); larger ones are streamed. */
  capacity?: number;
  /**
   * Bytes of messages a process may keep waiting for room (its outbox) before its put() waits
   * and putSync() blocks (default 32 MiB; Infinity: never, as Python's feeder thread). Copies of
   * the queue in other processes use the same, unless they open it by name with their own.
   */
  highWaterMark?: number;
}

const DEFAULT_CAPACITY = 1 << 20;

function deadlineOf(ms: number): number {
  return ms < 0 ? Infinity : performance.now() + ms;
}

function remaining(deadline: number): number {
  return deadline === Infinity ? -1 : Math.max(0, deadline - performance.now());
}

function checkCapacity(value: unknown): number {
  if (value === undefined) return DEFAULT_CAPACITY;
  const n = checkInteger(value, 'capacity', 4096, 1 << 30);
  if (n % 4 !== 0) throw rangeError(`The "capacity" option must be a multiple of 4, received ${n}`);
  return n;
}

/** A process-safe FIFO queue (Python's multiprocessing.Queue). */
export class Queue<T = unknown> implements Reducible {
  /** @internal */
  protected readonly ring: Ring;
  readonly #outbox: Outbox;
  #closed = false;
  /** Whether put() counts messages for taskDone()/join(). */
  protected readonly joinable: boolean = false;

  constructor(maxsize?: number, options?: QueueOptions);
  constructor(maxsize: number | RingParts = 0, options?: QueueOptions) {
    let highWaterMark: number | undefined;
    if (typeof maxsize === 'object' && maxsize !== null && 'bytes' in maxsize) {
      this.ring = new Ring(maxsize);
    } else {
      const max = checkInteger(maxsize, 'maxsize', 0, 0x7fffffff);
      const opts = checkObject(options, 'options');
      const name = opts.name === undefined ? undefined : `queue.${checkName(opts.name)}`;
      highWaterMark = checkHighWaterMark(opts.highWaterMark);
      this.ring = Ring.create(checkCapacity(opts.capacity), max, name, highWaterMark);
    }
    this.#outbox = new Outbox(this.ring, {
      outputGone: () => this.outputGone(),
      shorten: (ms) => this.shorten(ms),
      givenUp: () => this.givenUp(),
    }, highWaterMark ?? this.ring.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
  }

  /**
   * Puts `item`, waiting (without blocking the event loop) while a bounded queue is full, and
   * after, while this process has more than highWaterMark bytes waiting for room. mp.Full on
   * timeout: the message was not put.
   */
  async put(item: T, options?: QueueWaitOptions): Promise<void> {
    const w = this.prepare(item);
    const deadline = deadlineOf(checkTimeout(checkObject(options, 'options').timeout));
    const ring = this.ring;
    await ring.until(SLOT, () => {
      if (ring.reserve()) {
        this.handOver(w, false);
        return undefined;
      }
      const left = remaining(deadline);
      if (left === 0) throw new Full();
      return new Sleep(ring.pollMs(left));
    });
    this.#outbox.pump();
    if (this.mustWait()) await this.whenSent(w, deadline);
  }

  /** put(), blocking this thread while it would wait (for hot loops and workers). */
  putSync(item: T, options?: QueueWaitOptions): void {
    const w = this.prepare(item);
    const deadline = deadlineOf(checkTimeout(checkObject(options, 'options').timeout));
    const ring = this.ring;
    ring.lockWrite();
    try {
      for (;;) {
        ring.see(SLOT);
        if (ring.reserve()) break;
        const left = remaining(deadline);
        if (left === 0) throw new Full();
        if (this.#outbox.length > 0) {
          // A reader frees a slot only once it has read what waits here (the rest of a
          // stream, say), and while this thread blocks only it can write that.
          ring.see(ROOM);
          if (this.#outbox.writeWhatFits()) ring.waitSync(ROOM, left);
          continue;
        }
        ring.waitSync(SLOT, left);
      }
      this.handOver(w, true);
    } finally {
      ring.unlockWrite();
    }
    if (this.mustWait()) this.blockUntilSent(w, deadline);
    this.#outbox.pump();
  }

  /**
   * Puts `item` or throws mp.Full at once: when a bounded queue is full, or when this process
   * has more than highWaterMark bytes waiting for room already.
   */
  putNowait(item: T): void {
    const w = this.prepare(item);
    if (this.mustWait()) throw new Full();
    const ring = this.ring;
    ring.lockWrite();
    try {
      if (!ring.reserve()) throw new Full();
      this.handOver(w, false);
    } finally {
      ring.unlockWrite();
    }
    this.#outbox.pump();
  }

  /** Takes the next message, waiting without blocking the event loop; mp.Empty on timeout. */
  async get(options?: QueueWaitOptions): Promise<T> {
    this.checkOpen();
    const deadline = deadlineOf(checkTimeout(checkObject(options, 'options').timeout));
    const ring = this.ring;
    const r: ReadState = { stream: null, filled: 0, size: 0 };
    return ring.until(DATA, () => {
      const value = ring.read(r);
      if (value !== NOTHING) return value as T;
      // The ring moved since this step began: until() runs it again instead of sleeping.
      if (!r.stream && this.endOrMore()) return new Sleep(0);
      // A stream half read is finished whatever the timeout: it is ours alone to read.
      const left = r.stream ? -1 : remaining(deadline);
      if (left === 0) throw new Empty();
      return new Sleep(this.shorten(ring.pollMs(left)));
    });
  }

  /** get(), blocking this thread; `block: false` is getNowait(). */
  getSync(options?: QueueGetSyncOptions): T {
    this.checkOpen();
    const opts = checkObject(options, 'options');
    const ms = checkBoolean(opts.block, 'block', true) ? checkTimeout(opts.timeout) : 0;
    const deadline = deadlineOf(ms);
    const ring = this.ring;
    const r: ReadState = { stream: null, filled: 0, size: 0 };
    ring.lockRead();
    try {
      for (;;) {
        ring.see(DATA);
        const value = ring.read(r);
        if (value !== NOTHING) return value as T;
        if (!r.stream && this.endOrMore()) continue;
        const left = r.stream ? -1 : remaining(deadline);
        if (left === 0) throw new Empty();
        // This thread is about to block: what it put is written first, or no one could read it
        // (and if that was the rest of a message to itself, there is something to read now).
        if (Outbox.writeEvery()) continue;
        ring.waitSync(DATA, this.shorten(left) ?? -1);
      }
    } finally {
      ring.unlockRead();
    }
  }

  /** Takes the next message or throws mp.Empty at once. */
  getNowait(): T {
    return this.getSync({ block: false });
  }

  /**
   * Messages in the queue, those still in producers' outboxes included (approximate). Like
   * empty() and full(), it throws ERR_QUEUE_CLOSED once this process closed the queue.
   */
  qsize(): number {
    this.checkOpen();
    return this.ring.count();
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  full(): boolean {
    const max = this.ring.maxsize;
    return max > 0 && this.qsize() >= max;
  }

  /** This process will put no more; what is in its outbox is still written. */
  close(): void {
    this.#closed = true;
  }

  /** Python's join_thread(): resolves once this process's outbox is written. */
  async joinThread(): Promise<void> {
    await this.#outbox.drained();
  }

  /** @internal The message for `item`, ready to be written. */
  protected prepare(item: T): WriteState {
    this.checkOpen();
    // Every field the outbox may set is there from the start: one object shape for all messages.
    return { enc: encode(item), written: 0, queued: false, withdrawn: false };
  }

  /** @internal Hands `w` over without waiting for anything (for rings without maxsize). */
  protected putUnbounded(w: WriteState): void {
    const ring = this.ring;
    ring.lockWrite();
    try {
      ring.reserve();
      this.handOver(w, false);
    } finally {
      ring.unlockWrite();
    }
  }

  /** @internal Writes this process's outbox as room appears, on the event loop. */
  protected pumpOutbox(): void {
    this.#outbox.pump();
  }

  /** @internal Whether the sender of the message just put must wait for its outbox to come down. */
  protected mustWait(): boolean {
    return this.#outbox.over && this.waitsForReaders();
  }

  /** @internal Whether this process's outbox is past its bound. */
  protected get outboxOver(): boolean {
    return this.#outbox.over;
  }

  /** @internal Resolves once this process's outbox is down to its bound. */
  protected outboxBelow(): Promise<boolean> {
    return this.#outbox.whenBelow(Infinity);
  }

  /**
   * @internal Past the bound: waits until the outbox is down to it. At the deadline a message
   * none of which is written yet is taken back (mp.Full); one already begun goes on.
   */
  protected async whenSent(w: WriteState, deadline: number): Promise<void> {
    if (await this.#outbox.whenBelow(deadline)) return this.checkSent();
    if (await this.ring.locked(ROOM, () => this.#outbox.withdraw(w))) throw new Full();
  }

  /** @internal whenSent(), blocking this thread and writing the outbox itself. */
  protected blockUntilSent(w: WriteState, deadline: number): void {
    if (this.#outbox.blockBelow(deadline)) return this.checkSent();
    const ring = this.ring;
    ring.lockWrite();
    let withdrawn: boolean;
    try {
      withdrawn = this.#outbox.withdraw(w);
    } finally {
      ring.unlockWrite();
    }
    if (withdrawn) throw new Full();
  }

  /**
   * @internal Whether a sender past the bound can count on readers: false when the only reader
   * is the sending thread itself, which would wait for itself forever.
   */
  protected waitsForReaders(): boolean {
    return true;
  }

  /** @internal Called after a sender waited: throws if what it sent was dropped for want of a reader. */
  protected checkSent(): void {}

  // Writers' lock held: a message that took a slot will not be written.
  private givenUp(): void {
    this.ring.unreserve();
    if (this.joinable) this.ring.taskDone();
  }

  // Writers' lock held, slot reserved: write now, or queue behind what this process has not
  // written yet (see Outbox.handOver()).
  private handOver(w: WriteState, wait: boolean): void {
    if (this.joinable) this.ring.addUnfinished();
    this.#outbox.handOver(w, wait);
  }

  /**
   * @internal Writes this process's outbox now: what fits, or with `block` all of it, waiting
   * for room (see Outbox.write()). Returns whether anything was written.
   */
  writeOutbox(block: boolean): boolean {
    return this.#outbox.write(block);
  }

  /** @internal Messages this process put that wait for room. */
  get backlog(): number {
    return this.#outbox.length;
  }

  /** @internal Called (writers' lock held) when there is no room: true if no one can ever read. */
  protected outputGone(): boolean {
    return false;
  }

  /** Removes the system-wide name of a named queue; queues already open keep working. */
  static unlink(name: string): void {
    Ring.unlink(`queue.${checkName(name)}`);
  }

  /** @internal Called (readers' lock held) when there is nothing to read: throws if nothing can come. */
  protected checkInput(): void {}

  /**
   * @internal checkInput() after a read found nothing. Writers may have written their last
   * messages and gone since (the readers' lock does not keep them out; they write before they
   * go): true if there is something to read after all.
   */
  protected endOrMore(): boolean {
    try {
      this.checkInput();
      return false;
    } catch (err) {
      if (this.ring.hasData()) return true;
      throw err;
    }
  }

  /** @internal How long an empty wait may last before checkInput() must run again. */
  protected shorten(ms: number | undefined): number | undefined {
    return ms;
  }

  protected checkOpen(): void {
    if (this.#closed) throw new MultiprocError('the queue is closed', 'ERR_QUEUE_CLOSED');
  }

  [kReduce](): Handle {
    return { type: this.constructor.name, data: reduceParts(this.ring.parts) };
  }
}

/** A Queue whose consumers call taskDone() and whose producers can join() (Python's JoinableQueue). */
export class JoinableQueue<T = unknown> extends Queue<T> {
  protected override readonly joinable: boolean = true;

  /** Marks one message taken with get() as processed. */
  taskDone(): void {
    if (!this.ring.taskDone()) throw new MultiprocError('taskDone() called more times than items were put', 'ERR_TASK_DONE');
  }

  /** Resolves when every message put has been marked done. */
  async join(): Promise<void> {
    const ring = this.ring;
    await ring.until(DONE, () => (ring.unfinished > 0 ? new Sleep(undefined) : undefined));
  }
}

/** An unbounded queue with only put / get / empty / close (Python's SimpleQueue). */
export class SimpleQueue<T = unknown> extends Queue<T> {
  constructor(options?: QueueOptions);
  constructor(options?: QueueOptions | RingParts) {
    if (options && 'bytes' in options) super(options as never);
    else super(0, options as QueueOptions | undefined);
  }
}

/** @internal A ring's parts as the handles they travel as. */
export function reduceParts(parts: RingParts): Record<keyof RingParts, Handle> {
  const out = {} as Record<keyof RingParts, Handle>;
  for (const key of Object.keys(parts) as (keyof RingParts)[]) out[key] = (parts[key] as Reducible)[kReduce]();
  return out;
}

/** @internal The inverse of reduceParts(). */
export function rebuildParts(data: unknown): RingParts {
  if (typeof data !== 'object' || data === null) throw rangeError('corrupt queue handle');
  const out = {} as Record<keyof RingParts, unknown>;
  for (const [key, handle] of Object.entries(data as Record<string, Handle>)) {
    out[key as keyof RingParts] = rebuild(handle);
  }
  return out as unknown as RingParts;
}

for (const Cls of [Queue, JoinableQueue, SimpleQueue]) {
  registerRebuild(Cls.name, (data) => {
    const parts = rebuildParts(data);
    return Cls === SimpleQueue ? new SimpleQueue(parts as never) : new Cls(parts as never);
  });
}
