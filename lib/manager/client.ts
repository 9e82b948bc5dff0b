/**
 * A thread's connection to one manager's server, shared by every proxy of that server here.
 * Calls are pipelined on it and answered by request id; it fails every call owed, and every
 * later one, with a coded error once the server is gone: a call never hangs on a dead server.
 *
 * Two transports. A server on another machine (or any BaseManager) is reached on its socket,
 * authenticated first. A server of this machine's process tree (mp.Manager()) is reached
 * through a shared-memory Pipe, handed to it on its accept Queue: a call costs no system call
 * when both sides are busy, needs no handshake, and can block (the `…Sync` twins). Either way
 * the connection keeps the event loop alive only while calls are owed.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { threadId } from 'node:worker_threads';
import { Empty, MultiprocError } from '../errors.js';
import { unpackError, type PackedError } from '../remote_error.js';
import { EOFError, Pipe, type Connection } from '../queue/pipe.js';
import type { Queue } from '../queue/queue.js';
import { NOTHING } from '../queue/ring.js';
import type { Reducible } from '../travel.js';
import { clientHandshake } from './auth.js';
import { CALL, CLAIM, COUNT, CREATE, DECREF, FAILED, HELLO, INCREF, MAX_FRAME, OK, SHUTDOWN } from './protocol.js';
import { addressKey, Token, type ManagerAddress } from './token.js';
import { readPipe, SPIN_US } from './pipe_reader.js';
import { decodeMessage, encodeMessage, SocketFrames, writeFrame } from './wire.js';

/** Who this thread is to every server: one id for all its connections. */
const CLIENT_ID = `${process.pid}.${threadId}.${randomBytes(6).toString('hex')}`;

const clients = new Map<string, ManagerClient>();

// How often a wait on the pipe looks at whether the server died.
const POLL_MS = 100;

interface Owed {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

let isTravelling: (value: Reducible) => boolean = (value) => value instanceof Token;

/** @internal Lets proxies (proxy.ts) cross a socket, without a cycle of imports. */
export function admitOnWire(test: (value: Reducible) => boolean): void {
  isTravelling = test;
}

// The client whose reply is being decoded: the tokens in it are counted for it already.
let receiving: ManagerClient | undefined;

/** @internal The client decoding a reply right now, if any. */
export function receivingClient(): ManagerClient | undefined {
  return receiving;
}

/** A local server's accept queue: clients put [clientId, their end of a Pipe] on it. */
export type AcceptQueue = Queue<[string, Connection<unknown[]>]>;

export class ManagerClient {
  readonly address: ManagerAddress;
  readonly key: Buffer;
  /** The server's accept queue, for a local server. */
  readonly accept: AcceptQueue | null;
  readonly #socket: Socket | null = null;
  readonly #pipe: Connection<unknown[]> | null = null;
  readonly #ready: Promise<void>;
  readonly #owed = new Map<number, Owed>();
  #nextRequest = 1;
  #ended: MultiprocError | null = null;
  #decrefs: number[] = [];
  #decrefTimer: NodeJS.Immediate | null = null;
  #open = false;
  #reading = false;

  /** The live client of the server at `address` in this thread, if there is one. */
  static existing(address: ManagerAddress): ManagerClient | undefined {
    const c = clients.get(addressKey(address));
    return c && !c.#ended ? c : undefined;
  }

  /** The client of the server at `address` in this thread, connecting on first use. */
  static for(address: ManagerAddress, key: Buffer, accept?: AcceptQueue | null): ManagerClient {
    let c = ManagerClient.existing(address);
    if (!c) clients.set(addressKey(address), c = new ManagerClient(address, key, accept ?? null));
    return c;
  }

  private constructor(address: ManagerAddress, key: Buffer, accept: AcceptQueue | null) {
    this.address = address;
    this.key = key;
    this.accept = accept;
    if (accept) {
      const [mine, theirs] = Pipe<unknown[]>();
      accept.putSync([CLIENT_ID, theirs]);
      theirs.close();
      this.#pipe = mine;
      this.#open = true;
      // The server hears of a normal exit at once (a killed process, once its lease is seen gone).
      process.once('exit', () => { if (!mine.closed) mine.close(); });
      this.#ready = Promise.resolve();
      return;
    }
    const socket = 'path' in address ? connect(address.path) : connect(address.port, address.host);
    socket.setNoDelay(true);
    this.#socket = socket;
    const frames = new SocketFrames(socket, MAX_FRAME);
    this.#ready = new Promise<void>((resolve, reject) => {
      socket.once('connect', () => {
        clientHandshake(socket, frames, key).then(() => {
          writeFrame(socket, encodeMessage([HELLO, CLIENT_ID], isTravelling));
          this.#open = true;
          frames.deliver((frame) => this.#onFrame(frame), (err) => this.#end(err));
          resolve();
        }, (err: Error) => {
          this.#end(err);
          socket.destroy();
          reject(err);
        });
      });
      socket.once('error', (err) => {
        const e = new MultiprocError(`cannot reach the manager at ${addressKey(address)}: ${err.message}`, 'ERR_MANAGER_GONE', { cause: err });
        this.#end(e);
        reject(e);
      });
    });
    // Held open while connecting; from then on only while calls are owed.
    this.#ready.then(() => { if (this.#owed.size === 0) socket.unref(); }, () => {});
  }

  /** Resolves once connected and authenticated (rejects with AuthenticationError on a wrong key). */
  ready(): Promise<void> {
    return this.#ready;
  }

  get ended(): boolean {
    return this.#ended !== null;
  }

  #onFrame(frame: Buffer): void {
    let message: unknown[];
    receiving = this;
    try {
      message = decodeMessage(frame);
    } catch (err) {
      this.#end(err as Error);
      this.#socket?.destroy();
      return;
    } finally {
      receiving = undefined;
    }
    this.#settle(message);
  }

  #settle(message: unknown[]): void {
    const owed = this.#owed.get(message[0] as number);
    if (!owed) return;
    this.#owed.delete(message[0] as number);
    if (this.#owed.size === 0) this.#socket?.unref();
    if (message[1] === OK) owed.resolve(message[2]);
    else owed.reject(unpackError(message[2] as PackedError));
  }

  // The next message on the pipe if one is there, its tokens bound to this client.
  #take(): unknown[] | typeof NOTHING {
    receiving = this;
    try {
      return this.#pipe!.take();
    } finally {
      receiving = undefined;
    }
  }

  // Reads the pipe while calls are owed (so that an idle client holds no event loop).
  #read(): void {
    if (this.#reading) return;
    this.#reading = true;
    void (async () => {
      try {
        await readPipe(this.#pipe!, () => this.#take(), (message) => this.#settle(message),
          () => this.#owed.size > 0 && !this.#ended, POLL_MS);
      } catch (err) {
        this.#end(err instanceof EOFError ? new MultiprocError('its pipe closed', 'ERR_MANAGER_GONE') : err as Error);
      } finally {
        this.#reading = false;
      }
      // A call made between the loop's last look and here (the await above costs a hop) is owed too.
      if (this.#owed.size > 0 && !this.#ended) this.#read();
    })();
  }

  #end(err: Error): void {
    if (this.#ended) return;
    this.#ended = err instanceof MultiprocError && (err.code === 'ERR_MANAGER_CLOSED' || err.code === 'ERR_AUTHENTICATION')
      ? err : new MultiprocError(`the manager at ${addressKey(this.address)} is gone: ${err.message}`, 'ERR_MANAGER_GONE', { cause: err });
    for (const owed of this.#owed.values()) owed.reject(this.#ended);
    this.#owed.clear();
    if (clients.get(addressKey(this.address)) === this) clients.delete(addressKey(this.address));
    if (this.#pipe && !this.#pipe.closed) this.#pipe.close();
  }

  #send(message: unknown[]): void {
    if (this.#pipe) this.#pipe.send(message);
    else writeFrame(this.#socket!, encodeMessage(message, isTravelling));
  }

  #request(message: unknown[]): Promise<unknown> {
    if (this.#ended) return Promise.reject(this.#ended);
    if (!this.#open) return this.#ready.then(() => this.#request(message));
    const id = this.#nextRequest++;
    message[1] = id;
    return new Promise<unknown>((resolve, reject) => {
      this.#owed.set(id, { resolve, reject });
      this.#socket?.ref();
      try {
        this.#send(message);
      } catch (err) {
        this.#owed.delete(id);
        if (this.#owed.size === 0) this.#socket?.unref();
        reject(err as Error);
        return;
      }
      if (this.#pipe) this.#read();
    });
  }

  /**
   * A request answered before this returns, blocking this thread; for a local server only (a
   * socket cannot be read without the event loop).
   */
  #requestSync(message: unknown[]): unknown {
    if (this.#ended) throw this.#ended;
    const pipe = this.#pipe;
    if (!pipe) {
      throw new MultiprocError('the …Sync methods need a manager of this machine\'s process tree (mp.Manager()); '
        + 'over a socket, use the Promise methods', 'ERR_SYNC_UNSUPPORTED');
    }
    const id = this.#nextRequest++;
    message[1] = id;
    this.#send(message);
    for (;;) {
      let reply: unknown[] | typeof NOTHING;
      try {
        reply = this.#take();
        if (reply === NOTHING && !pipe.spinUntilReadable(SPIN_US)) {
          receiving = this;
          try {
            reply = pipe.recvSync({ timeout: POLL_MS });
          } finally {
            receiving = undefined;
          }
        }
      } catch (err) {
        if (err instanceof Empty) continue;
        this.#end(err instanceof EOFError ? new MultiprocError('its pipe closed', 'ERR_MANAGER_GONE') : err as Error);
        throw this.#ended!;
      }
      if (reply === NOTHING) continue;
      if (reply[0] !== id) {
        this.#settle(reply);
        continue;
      }
      if (reply[1] === FAILED) throw unpackError(reply[2] as PackedError);
      return reply[2];
    }
  }

  /** Calls `method` of object `id` with `args`. */
  call(id: number, method: string, args: unknown[]): Promise<unknown> {
    return this.#request([CALL, 0, id, method, args]);
  }

  /** call(), blocking this thread until the answer. */
  callSync(id: number, method: string, args: unknown[]): unknown {
    return this.#requestSync([CALL, 0, id, method, args]);
  }

  /** How many objects the server holds, once the releases sent so far are counted. */
  objectCount(): Promise<number> {
    this.#flushDecrefs();
    return this.#request([COUNT, 0]) as Promise<number>;
  }

  /** Makes an object of `typeid`; resolves with its token (rebuilt as a proxy). */
  create(typeid: string, args: unknown[]): Promise<unknown> {
    return this.#request([CREATE, 0, typeid, args]);
  }

  /** A proxy of `id` is leaving for another process: count it in flight, ahead of any decref. */
  sendOff(id: number): void {
    if (this.#ended) return;
    this.#flushDecrefs();
    this.#whenReady(() => this.#send([INCREF, [id]]));
  }

  /** A proxy of `id` in flight arrived here. */
  claim(id: number): void {
    this.#whenReady(() => this.#send([CLAIM, [id]]));
  }

  /** A proxy of `id` here was collected or closed; sent in batches. */
  release(id: number): void {
    if (this.#ended) return;
    this.#decrefs.push(id);
    this.#decrefTimer ??= setImmediate(() => this.#flushDecrefs());
    this.#decrefTimer.unref();
  }

  #flushDecrefs(): void {
    if (this.#decrefTimer) clearImmediate(this.#decrefTimer);
    this.#decrefTimer = null;
    if (this.#decrefs.length === 0) return;
    const ids = this.#decrefs;
    this.#decrefs = [];
    this.#whenReady(() => this.#send([DECREF, ids]));
  }

  // Writes at once when connected (keeping the order with calls), else once ready.
  #whenReady(write: () => void): void {
    if (this.#ended) return;
    if (this.#open) write();
    else void this.#ready.then(() => { if (!this.#ended) write(); }, () => {});
  }

  /** Asks the server to stop; resolves once it said it will. Later calls fail with ERR_MANAGER_CLOSED. */
  async shutdown(): Promise<void> {
    this.#flushDecrefs();
    await this.#request([SHUTDOWN, 0]).catch((err: MultiprocError) => {
      if (err.code !== 'ERR_MANAGER_GONE') throw err;
    });
    this.#end(new MultiprocError('the manager was shut down', 'ERR_MANAGER_CLOSED'));
    this.#socket?.destroy();
  }
}
