/**
 * BaseManager (Python's multiprocessing.managers.BaseManager): register types, then serve them
 * from this process (getServer().serveForever()) or from a server process of its own (start()),
 * or connect() to a server another program runs; create() makes an object there and returns
 * its proxy.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { MultiprocError } from '../errors.js';
import { packageRoot } from '../binding.js';
import { Process } from '../process/process.js';
import type { TargetRef } from '../process/target.js';
import { Pipe } from '../queue/pipe.js';
import { Queue } from '../queue/queue.js';
import { checkObject, typeError } from '../validate.js';
import { ManagerClient, type AcceptQueue } from './client.js';
import type { BaseProxy } from './proxy.js';
import type { WithSync } from './manager.js';
import type { TypeSpec } from './registry.js';
import { ManagerServer } from './server.js';
import type { ManagerAddress } from './token.js';
import { registration, type Registration, type RegisterOptions } from './types_table.js';

export type { ManagerAddress } from './token.js';
export type { RegisterOptions } from './types_table.js';

/** Options of a BaseManager. */
export interface BaseManagerOptions {
  /** Where the server listens (`{ host, port }`, port 0 picks one; or `{ path }`). Default: 127.0.0.1, port 0. */
  address?: ManagerAddress;
  /** The shared secret both ends prove they know; default for start() and serve: 32 random bytes. */
  authkey?: string | Uint8Array;
}

/** A proxy of a registered type T: each method of T returns a Promise of its result, and has a Sync twin. */
export type ProxyOf<T> = WithSync<{
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]:
    T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
}>;

/** A proxy of a type the client only knows by name. */
export type AnyProxy = BaseProxy & { [method: string]: (...args: unknown[]) => unknown };

const SERVER_TARGET: TargetRef = {
  module: pathToFileURL(join(packageRoot, 'dist', 'index.js')).href,
  name: '__managerServer',
};

function checkAddress(value: unknown): ManagerAddress {
  if (value === undefined) return { host: '127.0.0.1', port: 0 };
  const a = checkObject(value, 'address') as Record<string, unknown>;
  if ('path' in a) {
    if (typeof a.path !== 'string' || a.path.length === 0) throw typeError('The "address.path" value must be a non-empty string');
    return { path: a.path };
  }
  if (typeof a.host !== 'string') throw typeError('The "address.host" value must be a string');
  if (!Number.isInteger(a.port) || (a.port as number) < 0 || (a.port as number) > 65535) {
    throw new RangeError(`The "address.port" value must be an integer from 0 to 65535, received ${String(a.port)}`);
  }
  return { host: a.host, port: a.port as number };
}

function checkKey(value: unknown): Buffer | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw typeError('The "authkey" option must be a string or a Uint8Array');
}

/** A server running in this process (BaseManager.getServer()). */
export interface ManagerServing {
  /** Resolves with the address bound (the port picked for port 0), or rejects (EADDRINUSE...). */
  readonly listening: Promise<ManagerAddress>;
  /** Serves until a client shuts the server down, or stop(). */
  serveForever(): Promise<void>;
  readonly address: ManagerAddress;
  stop(): void;
}

/** A server of registered types, and a client of it. */
export class BaseManager {
  #address: ManagerAddress;
  #key: Buffer | null;
  readonly #regs = new Map<string, Registration>();
  readonly #specs = new Map<string, TypeSpec>();
  #client: ManagerClient | null = null;
  #process: Process | null = null;
  #server: ManagerServer | null = null;
  #shutDown = false;
  #listening: Promise<ManagerAddress> | null = null;
  /** @internal Whether the server process also serves mp.Manager()'s types. */
  protected withBuiltins = false;

  constructor(options?: BaseManagerOptions) {
    const opts = checkObject(options, 'options') as BaseManagerOptions;
    this.#address = checkAddress(opts.address);
    this.#key = checkKey(opts.authkey);
  }

  /** Where the server listens (the port picked, once started or serving). */
  get address(): ManagerAddress {
    return this.#address;
  }

  /**
   * Registers `typeid`: on a server, with the class or function that makes its objects (exported
   * from its module, as Process targets are, when start() runs it in another process); on a
   * client, without one, to name what the server offers.
   */
  register(typeid: string, factory?: new (...args: never[]) => unknown | ((...args: never[]) => unknown),
    options?: RegisterOptions): this {
    if (this.#client || this.#server) throw new MultiprocError('register() must come before start(), connect() or serving', 'ERR_MANAGER_STARTED');
    const { reg, spec } = registration(typeid, factory, options, false);
    this.#regs.set(typeid, reg);
    if (spec) this.#specs.set(typeid, spec);
    return this;
  }

  #keyOrRandom(): Buffer {
    this.#key ??= randomBytes(32);
    return this.#key;
  }

  /** The key, for programs that connect to a server started with a random one. */
  get authkey(): Buffer {
    return this.#keyOrRandom();
  }

  /** Starts a server process serving the registered types, and connects to it. */
  async start(): Promise<void> {
    if (this.#client || this.#server) throw new MultiprocError('the manager is already started or connected', 'ERR_MANAGER_STARTED');
    const regs = [...this.#regs.values()].map((r) => {
      const spec = this.#specs.get(r.typeid);
      return spec ? registration(r.typeid, spec.factory, { exposed: r.exposed ?? undefined, methodToTypeid: r.methodToTypeid }, true).reg : r;
    });
    const [mine, theirs] = Pipe({ duplex: false });
    // Where processes of this tree hand the server a Pipe each (client.ts).
    const accept: AcceptQueue = new Queue();
    const proc = new Process({ target: SERVER_TARGET, daemon: true, name: 'ManagerServer',
      args: [this.#address, this.#keyOrRandom().toString('hex'), regs, this.withBuiltins, accept, theirs] });
    proc.start();
    theirs.close();
    let said: { address?: ManagerAddress; error?: { message: string; code?: string } };
    try {
      said = await mine.recv() as typeof said;
    } catch {
      await proc.join();
      throw new MultiprocError(`the manager's server process exited (code ${String(proc.exitCode)}) before it listened`, 'ERR_MANAGER_GONE');
    } finally {
      mine.close();
    }
    if (said.error) {
      await proc.join();
      throw new MultiprocError(`the manager's server did not start: ${said.error.message}`, said.error.code ?? 'ERR_MANAGER_START');
    }
    this.#process = proc;
    this.#address = said.address!;
    this.#client = ManagerClient.for(this.#address, this.#key!, accept);
  }

  /** Connects to the server at `address`; an AuthenticationError if the keys differ. */
  async connect(): Promise<void> {
    if (!this.#key) throw typeError('The "authkey" option is needed to connect to a manager');
    const client = ManagerClient.for(this.#address, this.#key);
    await client.ready();
    this.#client = client;
  }

  /** The server of the registered types, to run in this process. */
  getServer(): ManagerServing {
    const server = this.#server ??= new ManagerServer(new Map(this.#specs), this.#keyOrRandom());
    const listening = this.#listening ??= server.listen(this.#address).then((bound) => (this.#address = bound));
    listening.catch(() => {});
    const self = this;
    return {
      listening,
      async serveForever() {
        await listening;
        await server.done;
      },
      get address() { return self.#address; },
      stop() { server.stop(); },
    };
  }

  /** Makes an object of `typeid` on the server; resolves with its proxy. */
  async create<T = unknown>(typeid: string, ...args: unknown[]): Promise<unknown extends T ? AnyProxy : ProxyOf<T>> {
    if (typeof typeid !== 'string') throw typeError('The "typeid" argument must be a string');
    return await this.#connected().create(typeid, args) as unknown extends T ? AnyProxy : ProxyOf<T>;
  }

  /** @internal How many objects the server holds (Python's _number_of_objects()), for tests. */
  objectCount(): Promise<number> {
    return this.#connected().objectCount();
  }

  #connected(): ManagerClient {
    if (this.#shutDown) throw new MultiprocError('the manager was shut down', 'ERR_MANAGER_CLOSED');
    if (!this.#client) throw new MultiprocError('the manager is not started or connected: call start() or connect()', 'ERR_MANAGER_NOT_STARTED');
    return this.#client;
  }

  /** Stops the server (the one this manager started or connected to) and waits for its process. */
  async shutdown(): Promise<void> {
    if (this.#shutDown) return;
    this.#shutDown = true;
    await this.#client?.shutdown();
    this.#server?.stop();
    if (this.#process) {
      await this.#process.join(5000);
      if (this.#process.exitCode === null) {
        this.#process.kill();
        await this.#process.join();
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}
