/**
 * A manager's server: it owns the objects, listens on a socket, authenticates every connection
 * (auth.ts) before reading anything else from it, and serves calls (protocol.ts). A connection
 * that sends something malformed is closed; nothing else is affected. A client is gone once its
 * last connection closed: its proxies stop counting, and the objects it owned a wait in (a Lock
 * it held) hear of it.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { MultiprocError } from '../errors.js';
import { getLogger } from '../process/logger.js';
import { packError } from '../remote_error.js';
import { kReduce, type Handle, type Reducible } from '../travel.js';
import { Connection } from '../queue/pipe.js';
import type { AcceptQueue } from './client.js';
import { serverHandshake } from './auth.js';
import { CALL, CLAIM, COUNT, CREATE, DECREF, FAILED, HELLO, INCREF, isExposable, MAX_FRAME, OK, SHUTDOWN } from './protocol.js';
import { servePipe, type Sink } from './server_pipe.js';
import { Registry, type Entry, type TypeSpec } from './registry.js';
import { addressKey, Token, type ManagerAddress, type TokenData } from './token.js';
import { kCallerGone, kContextual, type CallContext } from './types/context.js';
import { decodeMessage, encodeMessage, SocketFrames, writeFrame } from './wire.js';

/** How long a peer has to finish the handshake. */
const HANDSHAKE_MS = 10_000;

// Servers of this process, by address: a token of one of them arriving here is its object.
const servers = new Map<string, ManagerServer>();

function isToken(value: Reducible): boolean {
  return value instanceof Token;
}

/** Methods of `obj` a client may call: public, own or inherited, never Object's. */
function methodsOf(obj: object, exposed: readonly string[] | null): Set<string> {
  const out = new Set<string>();
  if (exposed) {
    for (const name of exposed) if (isExposable(name)) out.add(name);
    return out;
  }
  for (let p: object | null = obj; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d && typeof d.value === 'function' && isExposable(name)) out.add(name);
    }
  }
  return out;
}

interface Client {
  connections: Set<Socket | Connection>;
  abort: AbortController;
  context?: CallContext;
}

export class ManagerServer {
  readonly #types: Map<string, TypeSpec>;
  readonly #key: Buffer;
  readonly #registry = new Registry();
  readonly #clients = new Map<string, Client>();
  readonly #sockets = new Set<Socket>();
  #acceptHandle: Handle | null = null;
  #server: Server | null = null;
  #address: ManagerAddress | null = null;
  #stopped!: () => void;
  /** Resolves once the server stopped (shutdown from a client, or stop()). */
  readonly done = new Promise<void>((resolve) => { this.#stopped = resolve; });

  constructor(types: Map<string, TypeSpec>, key: Buffer) {
    this.#types = types;
    this.#key = key;
  }

  get address(): ManagerAddress {
    if (!this.#address) throw new MultiprocError('the server is not listening', 'ERR_MANAGER_NOT_STARTED');
    return this.#address;
  }

  /** Listens on `address`; resolves with the address bound (port 0: the port picked). */
  listen(address: ManagerAddress): Promise<ManagerAddress> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.#accept(socket));
      server.once('error', reject);
      const bound = () => {
        server.off('error', reject);
        const info = server.address();
        this.#address = 'path' in address ? { path: address.path }
          : { host: address.host, port: (info as AddressInfo).port };
        servers.set(addressKey(this.#address), this);
        resolve(this.#address);
      };
      if ('path' in address) server.listen(address.path, bound);
      else server.listen(address.port, address.host, bound);
      this.#server = server;
    });
  }

  /** Stops listening, closes every connection and drops every object. */
  stop(): void {
    if (!this.#server) return;
    this.#server.close();
    this.#server = null;
    if (this.#address) servers.delete(addressKey(this.#address));
    for (const s of this.#sockets) s.destroy();
    for (const c of this.#clients.values()) {
      for (const k of c.connections) if (k instanceof Connection) k.close();
      c.abort.abort();
    }
    this.#stopped();
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const frames = new SocketFrames(socket, MAX_FRAME);
    const timer = setTimeout(() => socket.destroy(), HANDSHAKE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      this.#sockets.delete(socket);
    });
    serverHandshake(socket, frames, this.#key).then(() => {
      clearTimeout(timer);
      let client: string | null = null;
      const sink = sinkOf(socket);
      frames.deliver((frame) => {
        try {
          const message = decodeMessage(frame);
          if (client === null) {
            if (message[0] !== HELLO || typeof message[1] !== 'string' || message[1].length > 200) {
              throw new MultiprocError('the first message is not a hello', 'ERR_BAD_FRAME');
            }
            client = message[1];
            this.#join(client, socket);
          } else {
            this.#handle(client, sink, message);
          }
        } catch (err) {
          getLogger().debug(`manager: closing a connection: ${(err as Error).message}`);
          socket.destroy();
        }
      }, () => {
        if (client !== null) this.#leave(client, socket);
      });
    }, (err: Error) => {
      clearTimeout(timer);
      getLogger().debug(`manager: a peer failed the handshake: ${err.message}`);
      socket.destroy();
    });
  }

  #join(client: string, socket: Socket | Connection): void {
    let c = this.#clients.get(client);
    if (!c) this.#clients.set(client, c = { connections: new Set(), abort: new AbortController() });
    c.connections.add(socket);
  }

  #leave(client: string, socket: Socket | Connection): void {
    const c = this.#clients.get(client);
    if (!c) return;
    c.connections.delete(socket);
    if (c.connections.size > 0) return;
    this.#clients.delete(client);
    c.abort.abort();
    for (const e of [...this.#registry.objects()]) {
      const aware = e.obj as { [kCallerGone]?: (caller: string) => void };
      if (typeof aware[kCallerGone] === 'function') {
        try {
          aware[kCallerGone](client);
        } catch (err) {
          getLogger().warning(`manager: ${e.typeid} failed to let go of a gone client: ${String(err)}`);
        }
      }
    }
    this.#registry.forget(client);
  }

  /**
   * Serves clients of this machine's process tree that put their end of a Pipe on `accept`
   * (client.ts); their tokens carry the queue, so that a proxy anywhere in the tree finds it.
   */
  serveLocal(accept: AcceptQueue): void {
    this.#acceptHandle = accept[kReduce]();
    void (async () => {
      for (;;) {
        let got: unknown;
        try {
          got = await accept.get();
        } catch {
          return;
        }
        const [client, conn] = Array.isArray(got) ? got as unknown[] : [];
        if (typeof client !== 'string' || !(conn instanceof Connection)) continue;
        this.#join(client, conn);
        servePipe(conn as Connection<unknown[]>, (sink, message) => this.#handle(client, sink, message),
          () => this.#leave(client, conn));
      }
    })();
  }

  /** @internal Serves one message from `client`, replying to `sink`. */
  #handle(client: string, socket: Sink, message: unknown[]): void {
    const op = message[0];
    if (op === CALL || op === CREATE) {
      const request = message[1];
      if (typeof request !== 'number') throw new MultiprocError('a request without an id', 'ERR_BAD_FRAME');
      const args = message[op === CALL ? 4 : 3];
      if (!Array.isArray(args)) throw new MultiprocError('a request without arguments', 'ERR_BAD_FRAME');
      let result: unknown;
      try {
        result = op === CALL ? this.#call(client, message[2], message[3], args)
          : this.#create(client, message[2], args);
      } catch (err) {
        this.#reply(socket, request, FAILED, packError(err));
        return;
      }
      if (result instanceof Promise) {
        result.then((value) => this.#reply(socket, request, OK, value),
          (err) => this.#reply(socket, request, FAILED, packError(err)));
      } else {
        this.#reply(socket, request, OK, result);
      }
      return;
    }
    const ids = message[1];
    if (op === COUNT) {
      if (typeof ids === 'number') this.#reply(socket, ids, OK, this.#registry.size);
      return;
    }
    if (op === SHUTDOWN) {
      if (typeof ids === 'number') this.#reply(socket, ids, OK, null);
      setImmediate(() => this.stop());
      return;
    }
    if (!Array.isArray(ids)) throw new MultiprocError('a reference change without ids', 'ERR_BAD_FRAME');
    for (const id of ids) {
      if (op === DECREF) this.#registry.uncountFor(client, id);
      else if (op === INCREF) this.#registry.sendOff(id);
      else if (op === CLAIM) this.#registry.arrive(client, id);
      else throw new MultiprocError(`unknown operation ${String(op)}`, 'ERR_BAD_FRAME');
    }
  }

  // One per client, made once: a call costs no allocation for it.
  #context(client: string): CallContext {
    const c = this.#clients.get(client)!;
    if (c.context) return c.context;
    const registry = this.#registry;
    c.context = {
      caller: client,
      signal: c.abort.signal,
      hold: (value) => registry.hold(value),
      drop: (value) => registry.drop(value),
    };
    return c.context;
  }

  #create(client: string, typeid: unknown, args: unknown[]): unknown {
    const spec = typeof typeid === 'string' ? this.#types.get(typeid) : undefined;
    if (!spec) throw new TypeError(`The "typeid" argument must be a registered type, received ${JSON.stringify(typeid)}`);
    const contextual = (spec.factory as unknown as Record<symbol, unknown>)[kContextual] === true;
    const all = contextual ? [this.#context(client), ...args] : args;
    const obj = spec.isClass ? Reflect.construct(spec.factory, all) : (spec.factory as (...a: unknown[]) => unknown)(...all);
    if (obj instanceof Promise) return obj.then((o) => this.#tokenFor(client, o, typeid as string, spec));
    return this.#tokenFor(client, obj, typeid as string, spec);
  }

  #tokenFor(client: string, obj: unknown, typeid: string, spec: TypeSpec | undefined): Token {
    if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) {
      throw new TypeError(`the factory of "${typeid}" returned ${obj === null ? 'null' : typeof obj}, not an object`);
    }
    const e = this.#registry.entryOf(obj) ?? this.#registry.add(obj, {
      typeid,
      exposed: methodsOf(obj, spec?.exposed ?? null),
      contextual: (obj.constructor as unknown as Record<symbol, unknown> | undefined)?.[kContextual] === true,
      methodToTypeid: spec?.methodToTypeid ?? {},
    });
    this.#registry.countFor(client, e);
    return new Token(this.#tokenData(e, true));
  }

  #tokenData(e: Entry, counted: boolean): TokenData {
    const data: TokenData = { address: this.address, id: e.id, typeid: e.typeid, exposed: e.methods as string[], counted };
    if (this.#acceptHandle) data.accept = this.#acceptHandle;
    return data;
  }

  #call(client: string, id: unknown, method: unknown, args: unknown[]): unknown {
    const e = this.#registry.entry(id);
    if (typeof method !== 'string' || !e.exposed.has(method)) {
      throw new MultiprocError(`${e.typeid} has no method ${JSON.stringify(method)} a client may call`, 'ERR_NOT_EXPOSED');
    }
    const fn = (e.obj as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new MultiprocError(`${e.typeid}.${method} is not a method`, 'ERR_NOT_EXPOSED');
    const result: unknown = e.contextual ? fn.call(e.obj, this.#context(client), ...args) : fn.apply(e.obj, args);
    const asType = e.methodToTypeid[method];
    const finish = (value: unknown) => (asType !== undefined
      ? this.#tokenFor(client, value, asType, this.#types.get(asType))
      : typeof value === 'object' && value !== null ? this.#tokenize(client, value, new Map()) : value);
    return result instanceof Promise ? result.then(finish) : finish(result);
  }

  // Replaces the managed objects in a result by tokens counted for `client`.
  #tokenize(client: string, value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return seen.get(value);
    const e = this.#registry.entryOf(value);
    if (e) {
      this.#registry.countFor(client, e);
      const t = new Token(this.#tokenData(e, true));
      seen.set(value, t);
      return t;
    }
    if (Array.isArray(value)) {
      const out = value.map((v) => this.#tokenize(client, v, seen));
      seen.set(value, out);
      return out;
    }
    if (value instanceof Map) {
      const out = new Map([...value].map(([k, v]) => [k, this.#tokenize(client, v, seen)]));
      seen.set(value, out);
      return out;
    }
    if (Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      seen.set(value, out);
      for (const key of Object.keys(value)) {
        Object.defineProperty(out, key, { value: this.#tokenize(client, (value as Record<string, unknown>)[key], seen),
          enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return value;
  }

  #reply(sink: Sink, request: number, status: number, value: unknown): void {
    if (sink.closed) return;
    try {
      sink.send([request, status, value]);
    } catch (err) {
      sink.send([request, FAILED, packError(err)]);
    }
  }

  /** The object a token of this server names, arrived here in a message: no client holds this copy. */
  arrived(data: TokenData): object {
    const e = this.#registry.entry(data.id);
    if (!data.counted) this.#registry.drop(e.obj);
    return e.obj;
  }
}

function sinkOf(socket: Socket): Sink {
  return {
    get closed() { return socket.destroyed; },
    send(message) {
      const bytes = encodeMessage(message, isToken);
      if (bytes.length > MAX_FRAME) throw new MultiprocError(`the reply is ${bytes.length} bytes, more than ${MAX_FRAME}`, 'ERR_FRAME_TOO_LARGE');
      writeFrame(socket, bytes);
    },
  };
}

/** @internal The server of this process listening at `address`, if any. */
export function serverAt(address: ManagerAddress): ManagerServer | undefined {
  return servers.get(addressKey(address));
}
