/**
 * Messages on a manager's socket: each frame is a 4-byte big-endian length and that many bytes.
 * A peer is hostile until authenticated, and only data after that: a frame longer than the
 * limit, or one that does not decode to a message, ends that connection and nothing else.
 */
import type { Socket } from 'node:net';
import { MultiprocError } from '../errors.js';
import { deserializeOnly, serializeOnly, type Reducible } from '../travel.js';

/** Cuts a byte stream into frames, refusing any longer than `max` before buffering it. */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Bytes held that are not yet a whole frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds bytes; returns the frames now complete. Throws ERR_FRAME_TOO_LARGE on a long one. */
  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#buffered < 4) break;
      const head = this.#peek(4);
      const length = head.readUInt32BE(0);
      if (length > this.max) {
        throw new MultiprocError(`a frame of ${length} bytes is longer than the ${this.max} allowed`, 'ERR_FRAME_TOO_LARGE');
      }
      if (this.#buffered < 4 + length) break;
      const all = this.#take(4 + length);
      frames.push(all.subarray(4));
    }
    return frames;
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0]!;
  }

  #take(n: number): Buffer {
    const joined = this.#peek(n);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.#chunks[0] = rest;
    if (rest.length === 0) this.#chunks.shift();
    this.#buffered -= n;
    return out;
  }
}

/** Frames during the handshake are tiny; an unauthenticated peer may not have more buffered. */
export const HANDSHAKE_MAX_BYTES = 4096;

/**
 * A socket's frames: read one at a time with next() during the handshake, then pushed to a
 * handler by deliver(), with the limit raised. Whatever goes wrong (a long frame, the socket
 * closing) fails the wait or reaches the handler's `onEnd` once.
 */
export class SocketFrames {
  readonly #queued: Buffer[] = [];
  readonly #reader: FrameReader;
  #waiting: { resolve: (frame: Buffer) => void; reject: (err: Error) => void } | null = null;
  #ended: Error | null = null;
  #deliver: ((frame: Buffer) => void) | null = null;
  #onEnd: ((err: Error) => void) | null = null;

  constructor(socket: Socket, max: number) {
    this.#reader = new FrameReader(max);
    socket.on('data', (chunk: Buffer) => {
      if (this.#ended) return;
      let frames: Buffer[];
      try {
        frames = this.#reader.push(chunk);
        if (!this.#deliver && this.#reader.buffered + this.#queuedBytes() > HANDSHAKE_MAX_BYTES) {
          throw new MultiprocError('the peer sent too much before the handshake ended', 'ERR_FRAME_TOO_LARGE');
        }
      } catch (err) {
        this.#end(err as Error);
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (this.#ended) return;
        if (this.#deliver) this.#deliver(frame);
        else if (this.#waiting) {
          const w = this.#waiting;
          this.#waiting = null;
          w.resolve(frame);
        } else this.#queued.push(frame);
      }
    });
    socket.on('close', () => this.#end(new MultiprocError('the connection closed', 'ERR_MANAGER_GONE')));
    socket.on('error', (err) => this.#end(new MultiprocError(`the connection failed: ${err.message}`, 'ERR_MANAGER_GONE', { cause: err })));
  }

  #queuedBytes(): number {
    let n = 0;
    for (const f of this.#queued) n += f.length;
    return n;
  }

  #end(err: Error): void {
    if (this.#ended) return;
    this.#ended = err;
    this.#waiting?.reject(err);
    this.#waiting = null;
    this.#onEnd?.(err);
  }

  /** The next frame (handshake phase). */
  next(): Promise<Buffer> {
    if (this.#queued.length > 0) return Promise.resolve(this.#queued.shift()!);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => { this.#waiting = { resolve, reject }; });
  }

  /** From now on, every frame goes to `onFrame`; the end to `onEnd`. */
  deliver(onFrame: (frame: Buffer) => void, onEnd: (err: Error) => void): void {
    this.#deliver = onFrame;
    this.#onEnd = onEnd;
    for (const frame of this.#queued.splice(0)) onFrame(frame);
    if (this.#ended) onEnd(this.#ended);
  }
}

/** Writes one frame. */
export function writeFrame(socket: Socket, payload: Uint8Array): void {
  // One write: a small message costs one syscall, not a writev of two buffers.
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, 4);
  socket.write(frame);
}

// Only manager proxies cross a socket: any other shared object's memory stays on its machine.
const PROXY_TYPES: ReadonlySet<string> = new Set(['ManagerProxy']);

/** The bytes of a message for a socket; a shared object other than a proxy is a TypeError. */
export function encodeMessage(message: unknown, isProxy: (value: Reducible) => boolean): Buffer {
  return serializeOnly(message, isProxy);
}

let fromWire = false;

/** @internal Whether a token being rebuilt came from a socket (a peer, not this machine's tree). */
export function decodingWire(): boolean {
  return fromWire;
}

/** A message from a socket's frame, or an ERR_BAD_FRAME error. */
export function decodeMessage(frame: Buffer): unknown[] {
  let message: unknown;
  fromWire = true;
  try {
    message = deserializeOnly(frame, PROXY_TYPES);
  } catch (err) {
    throw new MultiprocError(`a frame did not decode: ${(err as Error).message}`, 'ERR_BAD_FRAME', { cause: err });
  } finally {
    fromWire = false;
  }
  if (!Array.isArray(message)) throw new MultiprocError('a frame is not a message', 'ERR_BAD_FRAME');
  return message;
}
