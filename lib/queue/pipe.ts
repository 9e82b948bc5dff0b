/**
 * Pipe(): two Connections over one ring per direction (see ring.ts). Each end of a ring is
 * registered in it by every thread holding a copy, under its lease id (liveness.ts), so that,
 * as with an OS pipe, the reader sees end-of-file once every copy of the writing end is closed,
 * collected or its process gone, even killed, in whatever PID namespace, and the writer gets
 * BrokenPipeError once the same befell the reading end. A copy on its way to another process is
 * registered under the sender's id until the receiver takes the slot over, so closing the
 * sender's copy right after sending it (the usual idiom) never shows the other end a false
 * close. A copy passed to Process.start() is registered under a spare id that the parent ends
 * when the child exits, so a child that dies before it reads its arguments still closes it.
 *
 * send() is bounded as Python's is by its OS pipe: past the end's highWaterMark of messages
 * waiting for room, it blocks (sendAsync() waits) until the reader made room, unless the only
 * reader is the sending thread itself, which could never make room while it waits.
 */
import { MultiprocError } from '../errors.js';
import { registerErrorClass } from '../remote_error.js';
import { kReduce, registerRebuild, type Handle, type Reducible } from '../travel.js';
import { checkBoolean, checkInteger, checkObject, checkTimeout, typeError } from '../validate.js';
import { checkHighWaterMark } from './outbox.js';
import { Queue, rebuildParts, reduceParts } from './queue.js';
import { DATA, NOTHING, READ_END, Ring, Sleep, spinUntil, WRITE_END, type PipeEnd as RingEnd, type ReadState,
  type RingParts } from './ring.js';

/** The peer closed its end and nothing is left to read (Python's EOFError). */
export class EOFError extends MultiprocError {
  constructor(message = 'the other end of the pipe is closed') { super(message, 'ERR_EOF'); }
}

/** The peer that would receive is gone: closed, collected or dead (Python's BrokenPipeError). */
export class BrokenPipeError extends MultiprocError {
  constructor(message = 'the receiving end of the pipe is closed or its process is gone') { super(message, 'EPIPE'); }
}

// Rebuilt as themselves when a task or a child process throws one.
registerErrorClass(EOFError);
registerErrorClass(BrokenPipeError);

/** Options of Pipe(). */
export interface PipeOptions {
  /** true (default): both ends send and receive; false: [reader, writer]. */
  duplex?: boolean;
  /** Bytes of shared memory per direction for messages in flight (default 256 KiB). */
  capacity?: number;
  /**
   * Bytes of messages an end's process may keep waiting for room before send() blocks and
   * sendAsync() waits (default 32 MiB; Infinity: never). Copies sent to other processes keep it.
   */
  highWaterMark?: number;
}

// How often a reader with nothing to read checks that a writer still lives, and a writer
// with no room that a reader does.
const ALIVE_POLL_MS = 100;

// Copies of reading ends open in this thread, by the memory of their ring's header: a sender
// whose only readers are here must not wait for them (see PipeEnd.waitsForReaders()).
const readersHere = new WeakMap<ArrayBufferLike, Map<number, number>>();

function countReaderHere(ring: Ring, by: 1 | -1): void {
  const { buffer, byteOffset } = ring.h;
  let rings = readersHere.get(buffer);
  if (!rings) readersHere.set(buffer, rings = new Map());
  const n = (rings.get(byteOffset) ?? 0) + by;
  if (n > 0) rings.set(byteOffset, n);
  else rings.delete(byteOffset);
}

function readerCopiesHere(ring: Ring): number {
  return readersHere.get(ring.h.buffer)?.get(ring.h.byteOffset) ?? 0;
}

// One direction of a pipe, as seen from one end.
class PipeEnd<T> extends Queue<T> {
  #lastAliveCheck = 0;
  #broken = false;
  // What take() has read of a streamed message so far.
  readonly #taking: ReadState = { stream: null, filled: 0, size: 0 };

  /** The next message if it can be read now without waiting, else NOTHING; EOFError at the end. */
  take(): T | typeof NOTHING {
    const ring = this.ring;
    ring.lockRead();
    try {
      const value = ring.read(this.#taking);
      if (value === NOTHING && !this.#taking.stream) this.endOrMore();
      return value as T | typeof NOTHING;
    } finally {
      ring.unlockRead();
    }
  }

  /** Bytes of the last message take() returned (its encoding). */
  get takenBytes(): number {
    return this.#taking.size;
  }

  /** Sends `item`; past the bound, blocks until the reader made room. */
  send(item: T): void {
    const w = this.prepare(item);
    this.putUnbounded(w);
    if (this.mustWait()) this.blockUntilSent(w, Infinity);
    this.pumpOutbox();
  }

  /** Sends `item`; past the bound, waits until the reader made room. */
  async sendAsync(item: T): Promise<void> {
    const w = this.prepare(item);
    this.putUnbounded(w);
    this.pumpOutbox();
    if (this.mustWait()) await this.whenSent(w, Infinity);
  }

  /** Sends `item` without waiting, past the bound too; false once past it. */
  sendNoWait(item: T): boolean {
    this.putUnbounded(this.prepare(item));
    this.pumpOutbox();
    return !this.outboxOver;
  }

  /** Resolves once this end is down to its bound (or what waited was dropped). */
  async whenWritable(): Promise<void> {
    await this.outboxBelow();
  }

  /** Watches the ring for up to `us` microseconds, blocking; true once something is there. */
  spinUntilReadable(us: number): boolean {
    const ring = this.ring;
    return spinUntil(() => ring.hasData(), us / 1000);
  }

  /**
   * Resolves true once a read would not wait (something is there, or the end of file), false
   * after `ms` (negative: no limit).
   */
  async readable(ms: number): Promise<boolean> {
    const ring = this.ring;
    const deadline = ms < 0 ? Infinity : performance.now() + ms;
    return ring.until(DATA, () => {
      if (ring.hasData()) return true;
      try {
        // A reader halfway through a stream is owed its end, not an end-of-file.
        if (!this.#taking.stream) this.checkInput();
      } catch (err) {
        if (err instanceof EOFError) return true;
        throw err;
      }
      const left = deadline === Infinity ? -1 : Math.max(0, deadline - performance.now());
      return left === 0 ? false : new Sleep(this.shorten(ring.pollMs(left)));
    });
  }

  protected override checkInput(): void {
    if (this.ring.holders.gone(WRITE_END, this.aliveCheckDue())) throw new EOFError();
  }

  /** Throws BrokenPipeError if no reader can take what is sent (dead ones are looked for only when `full`). */
  checkOutput(full: boolean): void {
    if (this.readersGone(full)) throw new BrokenPipeError();
  }

  protected override outputGone(): boolean {
    return this.readersGone(true);
  }

  protected override checkSent(): void {
    this.checkOutput(false);
  }

  // Waiting for room can only end if a reader is elsewhere than in this thread: not when every
  // copy of the reading end is held by this process and open in this thread.
  protected override waitsForReaders(): boolean {
    const here = readerCopiesHere(this.ring);
    return here === 0 || this.ring.holders.countOnly(READ_END, this.ring.live.me) !== here;
  }

  // Whether every copy of the reading end is closed, or, when `lookForDead` and it is due, gone
  // with its process. Once gone, gone for good.
  private readersGone(lookForDead: boolean): boolean {
    this.#broken ||= this.ring.holders.gone(READ_END, lookForDead && this.aliveCheckDue());
    return this.#broken;
  }

  protected override shorten(ms: number | undefined): number | undefined {
    return ms === undefined || ms < 0 ? ALIVE_POLL_MS : Math.min(ms, ALIVE_POLL_MS);
  }

  // Whether looking for dead holders (a system call each) is due.
  private aliveCheckDue(): boolean {
    const now = performance.now();
    if (now - this.#lastAliveCheck < ALIVE_POLL_MS) return false;
    this.#lastAliveCheck = now;
    return true;
  }

  get sharedRing(): Ring {
    return this.ring;
  }
}

/** A ring's end a Connection holds. */
type HeldEnd = [Ring, RingEnd];
/** A ring's end registered in flight, under a spare id (see Liveness.spare()). */
type InFlight = [Ring, RingEnd, number];

// Ring ends registered in flight by the serialization being recorded.
let recording: InFlight[] | null = null;

/**
 * @internal Runs `serialize`, returning what it produced and the ring ends it registered in
 * flight: each under a spare id of its own, for handOff() to end.
 */
export function recordInFlight<T>(serialize: () => T): [T, InFlight[]] {
  const outer = recording;
  recording = [];
  try {
    return [serialize(), recording];
  } finally {
    recording = outer;
  }
}

/**
 * @internal Ends in-flight registrations once `done` settles (the receiving child exited): a
 * copy the child took over is registered under the child's own id by then, and one it never
 * took over (it died first) no longer counts as held.
 */
export function handOff(ends: readonly InFlight[], done: Promise<unknown>): void {
  if (ends.length > 0) void done.then(() => { for (const [ring, , id] of ends) ring.live.drop(id); });
}

function underLock(ring: Ring, change: () => void): void {
  ring.lockSync();
  try {
    change();
  } finally {
    ring.unlock();
  }
}

// The ends a Connection holds.
function heldEnds(reader: PipeEnd<unknown> | null, writer: PipeEnd<unknown> | null): HeldEnd[] {
  const ends: HeldEnd[] = [];
  if (reader) ends.push([reader.sharedRing, READ_END]);
  if (writer) ends.push([writer.sharedRing, WRITE_END]);
  return ends;
}

function release(ends: readonly HeldEnd[]): void {
  for (const [ring, end] of ends) underLock(ring, () => ring.holders.remove(end, ring.live.me));
}

// Releases a Connection's ends; the writing end only once what it sent waiting for room is
// written (or dropped for want of a reader): the reader must not see the end of file first.
function releaseWhenSent(ends: readonly HeldEnd[], writer: PipeEnd<unknown> | null): void {
  for (const [ring, end] of ends) if (end === READ_END) countReaderHere(ring, -1);
  if (!writer || writer.backlog === 0) return release(ends);
  release(ends.filter(([, end]) => end === READ_END));
  void writer.joinThread().then(() => release(ends.filter(([, end]) => end === WRITE_END)));
}

const collected = new FinalizationRegistry<{ ends: HeldEnd[]; writer: PipeEnd<unknown> | null }>(
  ({ ends, writer }) => releaseWhenSent(ends, writer));

/** The ids a Connection's copy in flight is registered under, in each of its rings. */
interface Senders {
  read: number;
  write: number;
}

/** One end of a Pipe (Python's multiprocessing.connection.Connection). */
export class Connection<T = unknown> implements Reducible {
  #reader: PipeEnd<T> | null;
  #writer: PipeEnd<T> | null;
  #closed = false;

  /** @internal Use mp.Pipe(). `senders`: the in-flight registrations this copy takes over. */
  static make<T>(read: RingParts | null, write: RingParts | null, senders?: Senders): Connection<T> {
    return new Connection<T>(read, write, senders);
  }

  private constructor(read: RingParts | null, write: RingParts | null, senders?: Senders) {
    this.#reader = read ? new PipeEnd<T>(read as never) : null;
    this.#writer = write ? new PipeEnd<T>(write as never) : null;
    const ends = heldEnds(this.#reader, this.#writer);
    for (const [ring, end] of ends) {
      underLock(ring, () => {
        // Take over the slot the sender registered this copy under, or one of our own if the
        // sender died and its slot was cleared meanwhile.
        const sender = senders === undefined ? 0 : end === READ_END ? senders.read : senders.write;
        const me = ring.live.me;
        if (sender === 0 || !ring.holders.replace(end, sender, me)) ring.holders.add(end, me);
      });
      if (end === READ_END) countReaderHere(ring, 1);
    }
    collected.register(this, { ends, writer: this.#writer }, this);
  }

  /** Whether this end can receive. */
  get readable(): boolean { return this.#reader !== null; }
  /** Whether this end can send. */
  get writable(): boolean { return this.#writer !== null; }
  get closed(): boolean { return this.#closed; }

  /**
   * Sends `obj` (structured clone; shared objects as handles). Returns at once while this end's
   * messages waiting for room stay within its highWaterMark; past it, blocks this thread until
   * the reader made room, as Python's send() blocks on a full pipe (not when the only reader is
   * this thread). Throws BrokenPipeError once the receiving end is closed, or its process gone.
   */
  send(obj: T): void {
    this.openWriter().send(obj);
  }

  /** send(), waiting past the highWaterMark without blocking the event loop. */
  async sendAsync(obj: T): Promise<void> {
    await this.openWriter().sendAsync(obj);
  }

  /**
   * @internal send() that never waits, past the highWaterMark too: false once this end is past
   * it, and then the caller should send no more before whenWritable() resolves.
   */
  sendNoWait(obj: T): boolean {
    return this.openWriter().sendNoWait(obj);
  }

  /** @internal Resolves once this end is down to its highWaterMark, or what waited was dropped. */
  async whenWritable(): Promise<void> {
    await this.writerEnd().whenWritable();
  }

  /** Receives the next object; throws EOFError once the other end is closed and drained. */
  recv(options?: { timeout?: number }): Promise<T> {
    try {
      return this.readerEnd().get(options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** recv(), blocking this thread; first writes out what this end sent, as a blocking pipe would. */
  recvSync(options?: { timeout?: number }): T {
    const reader = this.readerEnd();
    this.#writer?.writeOutbox(true);
    return reader.getSync(options);
  }

  /**
   * Whether recv() would not wait, within `timeout` ms (0: now; absent: wait forever): true
   * when something is there, or when the other end is closed (recv() then throws EOFError).
   */
  async poll(timeout = 0): Promise<boolean> {
    const ms = checkTimeout(timeout);
    const reader = this.readerEnd();
    if (reader.sharedRing.hasData()) return true;
    return reader.readable(ms);
  }

  /**
   * @internal Blocks this thread for up to `us` microseconds watching for something to receive:
   * cheaper than an event-loop wake-up for an answer due within microseconds.
   */
  spinUntilReadable(us: number): boolean {
    return this.readerEnd().spinUntilReadable(us);
  }

  /** @internal Whether something is there to receive right now (a snapshot, no lock). */
  readyNow(): boolean {
    return this.readerEnd().sharedRing.hasData();
  }

  /** @internal The next object if one can be received now without waiting, else NOTHING. */
  take(): T | typeof NOTHING {
    return this.readerEnd().take();
  }

  /** @internal How many bytes the last object take() returned took (its encoding). */
  get takenBytes(): number {
    return this.#reader?.takenBytes ?? 0;
  }

  /** Sends the bytes of `buf` (or `size` bytes from `offset`) as one message, as send() does. */
  sendBytes(buf: Uint8Array, offset = 0, size?: number): void {
    if (!(buf instanceof Uint8Array)) throw typeError('The "buf" argument must be a Buffer or Uint8Array');
    checkInteger(offset, 'offset', 0, buf.byteLength);
    const n = size === undefined ? buf.byteLength - offset : checkInteger(size, 'size', 0, buf.byteLength - offset);
    this.openWriter().send(Buffer.from(buf.buffer, buf.byteOffset + offset, n) as T);
  }

  /** Receives a message sent with sendBytes() as a Buffer. */
  async recvBytes(maxlength?: number): Promise<Buffer> {
    const value = await this.recv();
    if (!(value instanceof Uint8Array)) throw new MultiprocError('the message received is not bytes', 'ERR_NOT_BYTES');
    if (maxlength !== undefined && value.byteLength > checkInteger(maxlength, 'maxlength', 0, 2 ** 32)) {
      throw new MultiprocError(`the message is ${value.byteLength} bytes, more than maxlength`, 'ERR_MESSAGE_TOO_LONG');
    }
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }

  /** Closes this end: the other end sees EOF once it has read what was sent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    collected.unregister(this);
    releaseWhenSent(heldEnds(this.#reader, this.#writer), this.#writer);
  }

  private readerEnd(): PipeEnd<T> {
    this.checkOpen();
    if (!this.#reader) throw new MultiprocError('this end of the pipe only sends', 'ERR_NOT_READABLE');
    return this.#reader;
  }

  private writerEnd(): PipeEnd<T> {
    this.checkOpen();
    if (!this.#writer) throw new MultiprocError('this end of the pipe only receives', 'ERR_NOT_WRITABLE');
    return this.#writer;
  }

  // The writing end, once it is known someone can still receive: readers that closed are seen
  // at once, dead ones once what was sent stopped fitting.
  private openWriter(): PipeEnd<T> {
    const writer = this.writerEnd();
    writer.checkOutput(writer.backlog > 0);
    return writer;
  }

  private checkOpen(): void {
    if (this.#closed) throw new MultiprocError('the connection is closed', 'ERR_CLOSED');
  }

  [kReduce](): Handle {
    this.checkOpen();
    const senders: Senders = { read: 0, write: 0 };
    for (const [ring, end] of heldEnds(this.#reader, this.#writer)) {
      // To a child being started: a spare id, ended once it exits (whether it took the copy
      // over or died before). Elsewhere: this thread's, until the receiver takes it over.
      const id = recording ? ring.live.spare() : ring.live.me;
      underLock(ring, () => ring.holders.add(end, id));
      recording?.push([ring, end, id]);
      senders[end === READ_END ? 'read' : 'write'] = id;
    }
    const parts = (end: PipeEnd<T> | null) => (end ? reduceParts(end.sharedRing.parts) : null);
    return { type: 'Connection', data: { read: parts(this.#reader), write: parts(this.#writer), senders } };
  }
}

registerRebuild('Connection', (data) => {
  const { read, write, senders } = data as { read: unknown; write: unknown; senders: Partial<Senders> | undefined };
  const id = (v: unknown) => (Number.isInteger(v) && (v as number) > 0 && (v as number) <= 0x3fffffff ? v as number : 0);
  return Connection.make(read ? rebuildParts(read) : null, write ? rebuildParts(write) : null,
    { read: id(senders?.read), write: id(senders?.write) });
});

const DEFAULT_CAPACITY = 256 * 1024;

/** Two connected Connections (Python's multiprocessing.Pipe()). */
export function Pipe<T = unknown>(options?: PipeOptions): [Connection<T>, Connection<T>] {
  const opts = checkObject(options, 'options');
  const duplex = checkBoolean(opts.duplex, 'duplex', true);
  const capacity = opts.capacity === undefined ? DEFAULT_CAPACITY
    : checkInteger(opts.capacity, 'capacity', 4096, 1 << 30) & ~3;
  const highWaterMark = checkHighWaterMark(opts.highWaterMark);
  const aToB = Ring.create(capacity, 0, undefined, highWaterMark).parts;
  if (!duplex) return [Connection.make<T>(aToB, null), Connection.make<T>(null, aToB)];
  const bToA = Ring.create(capacity, 0, undefined, highWaterMark).parts;
  return [Connection.make<T>(bToA, aToB), Connection.make<T>(aToB, bToA)];
}

