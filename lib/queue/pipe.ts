/**
 * Pipe(): two Connections over one ring per direction (see ring.ts). A Connection's writing
 * end is registered in its ring by the pid of every process holding a copy, so the reader sees
 * end-of-file once every copy is closed, collected or its process gone, even killed, as with
 * an OS pipe. A copy on its way to another process is registered under the sender's pid until
 * the receiver takes the slot over, so closing the sender's copy right after sending it (the
 * usual idiom) never shows the reader a false end-of-file. A copy passed to Process.start() is
 * registered under the child's pid as soon as it is known, so a child that dies before it
 * reads its arguments still closes it.
 */
import { MultiprocError } from '../errors.js';
import { kReduce, registerRebuild, type Handle, type Reducible } from '../travel.js';
import { checkBoolean, checkInteger, checkObject, checkTimeout, typeError } from '../validate.js';
import { Queue, rebuildParts, reduceParts } from './queue.js';
import { DATA, NOTHING, Ring, Sleep, spinUntil, type ReadState, type RingParts } from './ring.js';

/** The peer closed its end and nothing is left to read (Python's EOFError). */
export class EOFError extends MultiprocError {
  constructor(message = 'the other end of the pipe is closed') { super(message, 'ERR_EOF'); }
}

/** Options of Pipe(). */
export interface PipeOptions {
  /** true (default): both ends send and receive; false: [reader, writer]. */
  duplex?: boolean;
  /** Bytes of shared memory per direction for messages in flight (default 256 KiB). */
  capacity?: number;
}

// How often a reader with nothing to read checks that a writer still lives.
const WRITER_POLL_MS = 100;

// One direction of a pipe, as seen from one end.
class PipeEnd<T> extends Queue<T> {
  #lastAliveCheck = 0;
  // What take() has read of a streamed message so far.
  readonly #taking: ReadState = { stream: null, filled: 0 };

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
    const now = performance.now();
    const checkAlive = now - this.#lastAliveCheck >= WRITER_POLL_MS;
    if (checkAlive) this.#lastAliveCheck = now;
    if (this.ring.writersGone(checkAlive)) throw new EOFError();
  }

  protected override shorten(ms: number | undefined): number | undefined {
    return ms === undefined || ms < 0 ? WRITER_POLL_MS : Math.min(ms, WRITER_POLL_MS);
  }

  get sharedRing(): Ring {
    return this.ring;
  }
}

// Rings whose writing end was registered in flight by the serialization being recorded.
let recording: Ring[] | null = null;

/** @internal Runs `serialize`, returning what it produced and the rings it registered in flight. */
export function recordInFlight<T>(serialize: () => T): [T, Ring[]] {
  const outer = recording;
  recording = [];
  try {
    return [serialize(), recording];
  } finally {
    recording = outer;
  }
}

/** @internal Moves in-flight registrations made by this process to the receiving `pid`. */
export function handOff(rings: readonly Ring[], pid: number): void {
  for (const ring of rings) {
    ring.lockSync();
    try {
      ring.replaceWriter(process.pid, pid);
    } finally {
      ring.unlock();
    }
  }
}

const collected = new FinalizationRegistry<{ ring: Ring; pid: number }>(({ ring, pid }) => {
  ring.lockSync();
  try {
    ring.removeWriter(pid);
  } finally {
    ring.unlock();
  }
});

/** One end of a Pipe (Python's multiprocessing.connection.Connection). */
export class Connection<T = unknown> implements Reducible {
  #reader: PipeEnd<T> | null;
  #writer: PipeEnd<T> | null;
  #closed = false;

  /** @internal Use mp.Pipe(). `sender`: the pid whose in-flight registration this copy takes over. */
  constructor(read: RingParts | null, write: RingParts | null, sender = 0) {
    this.#reader = read ? new PipeEnd<T>(read as never) : null;
    this.#writer = write ? new PipeEnd<T>(write as never) : null;
    const ring = this.#writer?.sharedRing;
    if (ring) {
      ring.lockSync();
      try {
        // Handed off to us already (an argument of Process.start()), or take the sender's slot.
        const adopted = sender !== 0 && (ring.hasWriter(process.pid) || ring.replaceWriter(sender, process.pid));
        if (!adopted) ring.addWriter(process.pid);
      } finally {
        ring.unlock();
      }
      collected.register(this, { ring, pid: process.pid }, this);
    }
  }

  /** Whether this end can receive. */
  get readable(): boolean { return this.#reader !== null; }
  /** Whether this end can send. */
  get writable(): boolean { return this.#writer !== null; }
  get closed(): boolean { return this.#closed; }

  /** Sends `obj` (structured clone; shared objects as handles). Never waits for the reader. */
  send(obj: T): void {
    this.writerEnd().putNowait(obj);
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

  /** Sends the bytes of `buf` (or `size` bytes from `offset`) as one message. */
  sendBytes(buf: Uint8Array, offset = 0, size?: number): void {
    if (!(buf instanceof Uint8Array)) throw typeError('The "buf" argument must be a Buffer or Uint8Array');
    checkInteger(offset, 'offset', 0, buf.byteLength);
    const n = size === undefined ? buf.byteLength - offset : checkInteger(size, 'size', 0, buf.byteLength - offset);
    this.writerEnd().putNowait(Buffer.from(buf.buffer, buf.byteOffset + offset, n) as T);
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
    const ring = this.#writer?.sharedRing;
    if (ring) {
      collected.unregister(this);
      ring.lockSync();
      try {
        ring.removeWriter(process.pid);
      } finally {
        ring.unlock();
      }
    }
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

  private checkOpen(): void {
    if (this.#closed) throw new MultiprocError('the connection is closed', 'ERR_CLOSED');
  }

  [kReduce](): Handle {
    this.checkOpen();
    const ring = this.#writer?.sharedRing;
    if (ring) {
      ring.lockSync();
      try {
        ring.addWriter(process.pid);
      } finally {
        ring.unlock();
      }
      recording?.push(ring);
    }
    const parts = (end: PipeEnd<T> | null) => (end ? reduceParts(end.sharedRing.parts) : null);
    return { type: 'Connection',
      data: { read: parts(this.#reader), write: parts(this.#writer), sender: process.pid } };
  }
}

registerRebuild('Connection', (data) => {
  const { read, write, sender } = data as { read: unknown; write: unknown; sender: number };
  return new Connection(read ? rebuildParts(read) : null, write ? rebuildParts(write) : null,
    typeof sender === 'number' ? sender : 0);
});

const DEFAULT_CAPACITY = 256 * 1024;

/** Two connected Connections (Python's multiprocessing.Pipe()). */
export function Pipe<T = unknown>(options?: PipeOptions): [Connection<T>, Connection<T>] {
  const opts = checkObject(options, 'options');
  const duplex = checkBoolean(opts.duplex, 'duplex', true);
  const capacity = opts.capacity === undefined ? DEFAULT_CAPACITY
    : checkInteger(opts.capacity, 'capacity', 4096, 1 << 30) & ~3;
  const aToB = Ring.create(capacity, 0).parts;
  if (!duplex) return [new Connection<T>(aToB, null), new Connection<T>(null, aToB)];
  const bToA = Ring.create(capacity, 0).parts;
  return [new Connection<T>(bToA, aToB), new Connection<T>(aToB, bToA)];
}

