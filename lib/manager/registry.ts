/**
 * The objects a manager's server owns, and who still refers to them. Each object counts the
 * proxies clients hold (per client, so that a client's end drops all of its own at once), the
 * proxies in flight between processes, and the containers of this server that store it. An
 * object none of these count is dropped. A proxy in flight is counted by its sender before it
 * leaves (INCREF, on the sender's connection, so ahead of any DECREF the sender sends later) and
 * handed to its receiver on arrival (CLAIM): the count may dip below zero between the two
 * connections, but never reaches zero while the sender still holds its own.
 */
import { MultiprocError } from '../errors.js';

/** A type the server can make objects of. */
export interface TypeSpec {
  /** Makes the object: a class (constructed) or a function (called). */
  readonly factory: (...args: never[]) => unknown;
  readonly isClass: boolean;
  /** Method names clients may call; null: every public method of the object. */
  readonly exposed: readonly string[] | null;
  /** Methods whose result becomes a new managed object of the given typeid, as a proxy. */
  readonly methodToTypeid: Readonly<Record<string, string>>;
}

/** One managed object. */
export interface Entry {
  readonly id: number;
  readonly obj: object;
  readonly typeid: string;
  readonly exposed: ReadonlySet<string>;
  /** `exposed` as tokens list it. */
  readonly methods: readonly string[];
  /** Whether its methods take the server's CallContext first (built-in types). */
  readonly contextual: boolean;
  /** Its type's methodToTypeid. */
  readonly methodToTypeid: Readonly<Record<string, string>>;
  /** Proxies held by clients plus proxies in flight plus containers holding it. */
  refs: number;
}

/** What an Entry knows of its object, decided once when the object is registered. */
export type EntryShape = Pick<Entry, 'typeid' | 'exposed' | 'contextual' | 'methodToTypeid'>;

export class Registry {
  readonly #byId = new Map<number, Entry>();
  readonly #byObject = new WeakMap<object, Entry>();
  // client id -> object id -> proxies that client holds
  readonly #clients = new Map<string, Map<number, number>>();
  #nextId = 1;

  get size(): number {
    return this.#byId.size;
  }

  entry(id: unknown): Entry {
    const e = typeof id === 'number' ? this.#byId.get(id) : undefined;
    if (!e) throw new MultiprocError(`no managed object has id ${String(id)} (it was freed, or never made)`, 'ERR_NO_OBJECT');
    return e;
  }

  entryOf(obj: unknown): Entry | undefined {
    return typeof obj === 'object' && obj !== null ? this.#byObject.get(obj) : undefined;
  }

  /** Registers `obj` (once). */
  add(obj: object, shape: EntryShape): Entry {
    const known = this.#byObject.get(obj);
    if (known) return known;
    const e: Entry = { id: this.#nextId++, obj, ...shape, methods: [...shape.exposed], refs: 0 };
    this.#byId.set(e.id, e);
    this.#byObject.set(obj, e);
    return e;
  }

  /** A proxy of `e` now held by `client`. */
  countFor(client: string, e: Entry): void {
    let held = this.#clients.get(client);
    if (!held) this.#clients.set(client, held = new Map());
    held.set(e.id, (held.get(e.id) ?? 0) + 1);
    e.refs++;
  }

  /** `client` dropped one proxy of object `id` (unknown ids and excess decrefs are ignored). */
  uncountFor(client: string, id: unknown): void {
    const held = this.#clients.get(client);
    const n = typeof id === 'number' ? held?.get(id) : undefined;
    if (!held || n === undefined) return;
    if (n > 1) held.set(id as number, n - 1);
    else held.delete(id as number);
    const e = this.#byId.get(id as number);
    if (e) this.#release(e);
  }

  /** A proxy of object `id` left `client` for another process. */
  sendOff(id: unknown): void {
    const e = typeof id === 'number' ? this.#byId.get(id) : undefined;
    if (e) e.refs++;
  }

  /** A proxy in flight arrived at `client`. */
  arrive(client: string, id: unknown): void {
    const e = typeof id === 'number' ? this.#byId.get(id) : undefined;
    if (!e) return;
    this.countFor(client, e);
    this.#release(e);
  }

  hold(obj: unknown): void {
    const e = this.entryOf(obj);
    if (e) e.refs++;
  }

  /**
   * Undoes a hold() once the current call is answered: a container removing an object it then
   * returns (pop(), a Queue's get()) must not free it before the reply counts it for the caller.
   */
  drop(obj: unknown): void {
    const e = this.entryOf(obj);
    if (e) setImmediate(() => this.#release(e));
  }

  /** Everything `client` held is dropped: it is gone. */
  forget(client: string): void {
    const held = this.#clients.get(client);
    if (!held) return;
    this.#clients.delete(client);
    for (const [id, n] of held) {
      const e = this.#byId.get(id);
      if (!e) continue;
      e.refs -= n - 1;
      this.#release(e);
    }
  }

  #release(e: Entry): void {
    if (--e.refs !== 0) return;
    this.#byId.delete(e.id);
    this.#byObject.delete(e.obj);
  }

  /** Every object, for callers gone (their locks) and shutdown. */
  objects(): IterableIterator<Entry> {
    return this.#byId.values();
  }
}
