/**
 * Proxies: an object whose methods call a managed object's, each in a Promise form. A proxy is
 * built from its token's list of exposed methods, travels to any process (as a token; the
 * server counts it in flight meanwhile) and tells its server when it is collected.
 */
import { MultiprocError } from '../errors.js';
import { Queue } from '../queue/queue.js';
import { handleRecord, invalidHandle, kReduce, rebuild, registerRebuild, type Handle, type Reducible } from '../travel.js';
import { admitOnWire, ManagerClient, receivingClient, type AcceptQueue } from './client.js';
import { decodingWire } from './wire.js';
import { isExposable } from './protocol.js';
import { serverAt } from './server.js';
import { Token, type ManagerAddress, type TokenData } from './token.js';

const kToken = Symbol('multiproc.manager.token');

// Tells the server when a proxy is gone, so that its object can be freed.
const collected = new FinalizationRegistry<{ client: ManagerClient; id: number }>(
  ({ client, id }) => client.release(id));

/** Every proxy's base: its token, its travel, and close(). */
export class BaseProxy implements Reducible {
  readonly [kToken]: TokenData;
  readonly #client: ManagerClient;
  #closed = false;

  /** @internal Made by the manager from a token. */
  constructor(client: ManagerClient, data: TokenData) {
    this[kToken] = data;
    this.#client = client;
    collected.register(this, { client, id: data.id }, this);
  }

  /** The managed object's type. */
  get typeid(): string {
    return this[kToken].typeid;
  }

  /** @internal Calls a method of the managed object. */
  callMethod(method: string, args: unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new MultiprocError('the proxy is closed', 'ERR_PROXY_CLOSED'));
    return this.#client.call(this[kToken].id, method, args);
  }

  /** @internal Calls a method of the managed object, blocking this thread (a local manager only). */
  callMethodSync(method: string, args: unknown[]): unknown {
    if (this.#closed) throw new MultiprocError('the proxy is closed', 'ERR_PROXY_CLOSED');
    return this.#client.callSync(this[kToken].id, method, args);
  }

  /** Lets go of the object now, rather than when this proxy is collected. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    collected.unregister(this);
    this.#client.release(this[kToken].id);
  }

  [kReduce](): Handle {
    if (this.#closed) throw new MultiprocError('the proxy is closed', 'ERR_PROXY_CLOSED');
    this.#client.sendOff(this[kToken].id);
    const { address, id, typeid, exposed, accept } = this[kToken];
    const data: TokenData = { address, id, typeid, exposed, counted: false, authkey: this.#client.key.toString('hex') };
    if (accept) data.accept = accept;
    return { type: 'ManagerProxy', data };
  }
}

admitOnWire((value) => value instanceof Token || value instanceof BaseProxy);

// One class per list of methods, so that proxies of one type share their methods.
const classes = new Map<string, new (client: ManagerClient, data: TokenData) => BaseProxy>();

function proxyClass(exposed: readonly string[]): new (client: ManagerClient, data: TokenData) => BaseProxy {
  const key = exposed.join(',');
  let Cls = classes.get(key);
  if (Cls) return Cls;
  Cls = class extends BaseProxy {};
  for (const name of exposed) {
    Object.defineProperty(Cls.prototype, name, {
      value: function (this: BaseProxy, ...args: unknown[]) { return this.callMethod(name, args); },
      writable: true, configurable: true,
    });
    Object.defineProperty(Cls.prototype, `${name}Sync`, {
      value: function (this: BaseProxy, ...args: unknown[]) { return this.callMethodSync(name, args); },
      writable: true, configurable: true,
    });
  }
  classes.set(key, Cls);
  return Cls;
}

/** @internal A proxy for a token, on the connection `client`. */
export function makeProxy(client: ManagerClient, data: TokenData): BaseProxy {
  return new (proxyClass(data.exposed))(client, data);
}

// The accept queue a local server's token names (client.ts), rebuilt only to connect.
function acceptQueue(handle: Handle | undefined): AcceptQueue | null {
  if (handle === undefined) return null;
  const q = rebuild(handle);
  if (!(q instanceof Queue)) throw invalidHandle('a manager proxy whose accept queue is not a Queue');
  return q as AcceptQueue;
}

function checkAddress(v: unknown): ManagerAddress {
  const a = handleRecord(v);
  if (typeof a.path === 'string') return { path: a.path };
  if (typeof a.host === 'string' && Number.isInteger(a.port)) return { host: a.host, port: a.port as number };
  throw invalidHandle('a manager proxy without an address');
}

// Where the key of a server is known, a token arriving without one (a reply) finds it here.
function keyFor(hex: unknown): Buffer {
  if (typeof hex === 'string' && /^[0-9a-f]*$/.test(hex)) return Buffer.from(hex, 'hex');
  throw invalidHandle('a manager proxy without its authkey');
}

/** @internal Rebuilds a token in this process: its object here, or a proxy. */
export function rebuildToken(raw: unknown, replyFrom?: ManagerClient): unknown {
  const d = handleRecord(raw);
  const address = checkAddress(d.address);
  if (!Number.isInteger(d.id) || typeof d.typeid !== 'string' || !Array.isArray(d.exposed)
      || !d.exposed.every((m) => typeof m === 'string' && isExposable(m))) {
    throw invalidHandle('a malformed manager proxy');
  }
  const data: TokenData = { address, id: d.id as number, typeid: d.typeid, exposed: d.exposed as string[], counted: d.counted === true };
  // A token arriving in a message to a server of this process names its own object (a reply
  // to a client of this process is a proxy, as anywhere else).
  const server = replyFrom ? undefined : serverAt(address);
  if (server) return server.arrived(data);
  // A peer on a socket may send tokens of its own server only: never make this process
  // connect elsewhere, or open shared memory, on its word.
  if (!replyFrom && decodingWire()) throw invalidHandle('a manager proxy of another server');
  if (d.accept !== undefined) data.accept = handleRecord(d.accept) as unknown as Handle;
  const client = replyFrom ?? ManagerClient.existing(address) ?? ManagerClient.for(address, keyFor(d.authkey), acceptQueue(data.accept));
  if (!data.counted) client.claim(data.id);
  return makeProxy(client, data);
}

registerRebuild('ManagerProxy', (data) => rebuildToken(data, receivingClient()));
