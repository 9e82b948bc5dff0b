/**
 * A process's connection to one manager's server, shared by every proxy of that server here.
 * Calls are pipelined on it and answered by request id. It keeps the event loop alive only
 * while calls are owed, and it fails every call owed, and every later one, with a coded error
 * once the server is gone: a call never hangs on a dead server.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { threadId } from 'node:worker_threads';
import { MultiprocError } from '../errors.js';
import { unpackError, type PackedError } from '../remote_error.js';
import type { Reducible } from '../travel.js';
import { clientHandshake } from './auth.js';
import { CALL, CLAIM, CREATE, DECREF, HELLO, INCREF, MAX_FRAME, OK, SHUTDOWN } from './protocol.js';
import { addressKey, Token, type ManagerAddress } from './token.js';
import { decodeMessage, encodeMessage, SocketFrames, writeFrame } from './wire.js';

/** Who this thread is to every server: one id for all its connections. */
const CLIENT_ID = `${process.pid}.${threadId}.${randomBytes(6).toString('hex')}`;

const clients = new Map<string, ManagerClient>();

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

export class ManagerClient {
  readonly address: ManagerAddress;
  readonly key: Buffer;
  readonly #socket: Socket;
  readonly #ready: Promise<void>;
  readonly #owed = new Map<number, Owed>();
  #nextRequest = 1;
  #ended: MultiprocError | null = null;
  #decrefs: number[] = [];
  #decrefTimer: NodeJS.Immediate | null = null;
  #open = false;

  /** The client of the server at `address` in this thread, connecting on first use. */
  static for(address: ManagerAddress, key: Buffer): ManagerClient {
    const k = addressKey(address);
    let c = clients.get(k);
    if (!c || c.#ended) clients.set(k, c = new ManagerClient(address, key));
    return c;
  }

  private constructor(address: ManagerAddress, key: Buffer) {
    this.address = address;
    this.key = key;
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
      this.#socket.destroy();
      return;
    } finally {
      receiving = undefined;
    }
    const owed = this.#owed.get(message[0] as number);
    if (!owed) return;
    this.#owed.delete(message[0] as number);
    if (this.#owed.size === 0) this.#socket.unref();
    if (message[1] === OK) owed.resolve(message[2]);
    else owed.reject(unpackError(message[2] as PackedError));
  }

  #end(err: Error): void {
    if (this.#ended) return;
    this.#ended = err instanceof MultiprocError && (err.code === 'ERR_MANAGER_CLOSED' || err.code === 'ERR_AUTHENTICATION')
      ? err : new MultiprocError(`the manager at ${addressKey(this.address)} is gone: ${err.message}`, 'ERR_MANAGER_GONE', { cause: err });
    for (const owed of this.#owed.values()) owed.reject(this.#ended);
    this.#owed.clear();
    if (clients.get(addressKey(this.address)) === this) clients.delete(addressKey(this.address));
  }

  #send(message: unknown[]): void {
    writeFrame(this.#socket, encodeMessage(message, isTravelling));
  }

  #request(message: unknown[]): Promise<unknown> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextRequest++;
    message[1] = id;
    const send = () => new Promise<unknown>((resolve, reject) => {
      if (this.#ended) {
        reject(this.#ended);
        return;
      }
      this.#owed.set(id, { resolve, reject });
      this.#socket.ref();
      try {
        this.#send(message);
      } catch (err) {
        this.#owed.delete(id);
        if (this.#owed.size === 0) this.#socket.unref();
        reject(err as Error);
      }
    });
    return this.#open ? send() : this.#ready.then(send);
  }

  /** Calls `method` of object `id` with `args`. */
  call(id: number, method: string, args: unknown[]): Promise<unknown> {
    return this.#request([CALL, 0, id, method, args]);
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
    this.#socket.destroy();
  }
}
