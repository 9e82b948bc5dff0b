/**
 * mp.Manager() (Python's SyncManager): a server process of its own, reached on a socket in
 * Linux's abstract namespace (nothing on disk, nothing in /dev/shm), serving dict, list,
 * Namespace, Value, Array and the synchronization types. It dies with its program.
 */
import { randomBytes } from 'node:crypto';
import type { Typecode, ValueOf, InitialValueOf } from '../shared/typecodes.js';
import { BaseManager, type BaseManagerOptions } from './base_manager.js';
import type { BaseProxy } from './proxy.js';
import type { CallContext } from './types/context.js';
import type { ManagedBarrier, ManagedCondition, ManagedEvent } from './types/signals.js';
import type { ManagedBoundedSemaphore, ManagedLock, ManagedRLock, ManagedSemaphore } from './types/locks.js';
import type { ManagedJoinableQueue, ManagedQueue } from './types/queues.js';

/** A proxy: its Promise methods, each with a `…Sync` twin returning the result (local managers). */
export type WithSync<M> = BaseProxy & M & {
  [K in keyof M as K extends string ? (M[K] extends (...args: never[]) => Promise<unknown> ? `${K}Sync` : never) : never]:
    M[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

/** A key of a managed dict: 1 and '1' are two keys. */
export type DictKey = string | number;

/** The proxy of a managed type's class: its methods without the server's context, as Promises. */
export type ManagedProxy<C> = WithSync<{
  [K in keyof C as K extends string ? (C[K] extends (...args: never[]) => unknown ? K : never) : never]:
    C[K] extends (ctx: CallContext, ...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
}>;

/** A managed dict (Python's DictProxy), with its Sync twins. */
export type DictProxy<V = unknown> = WithSync<DictMethods<V>>;

/** The Promise methods of a DictProxy. */
export interface DictMethods<V = unknown> {
  get(key: DictKey, fallback?: V): Promise<V | undefined>;
  set(key: DictKey, value: V): Promise<void>;
  has(key: DictKey): Promise<boolean>;
  delete(key: DictKey): Promise<boolean>;
  keys(): Promise<DictKey[]>;
  values(): Promise<V[]>;
  items(): Promise<[DictKey, V][]>;
  size(): Promise<number>;
  /** The entries as a plain object (number keys become strings). */
  copy(): Promise<Record<string, V>>;
  clear(): Promise<void>;
  pop(key: DictKey, fallback?: V): Promise<V>;
  popitem(): Promise<[DictKey, V]>;
  setdefault(key: DictKey, fallback: V): Promise<V>;
  update(entries: Record<string, V> | Map<DictKey, V> | [DictKey, V][]): Promise<void>;
}

/** A managed list (Python's ListProxy), with its Sync twins. */
export type ListProxy<T = unknown> = WithSync<ListMethods<T>>;

/** The Promise methods of a ListProxy. */
export interface ListMethods<T = unknown> {
  append(value: T): Promise<void>;
  extend(values: T[]): Promise<void>;
  get(index: number): Promise<T>;
  set(index: number, value: T): Promise<void>;
  length(): Promise<number>;
  copy(): Promise<T[]>;
  pop(index?: number): Promise<T>;
  insert(index: number, value: T): Promise<void>;
  remove(value: T): Promise<void>;
  index(value: T): Promise<number>;
  count(value: T): Promise<number>;
  reverse(): Promise<void>;
  sort(options?: { reverse?: boolean }): Promise<void>;
  slice(start?: number, end?: number): Promise<T[]>;
  clear(): Promise<void>;
}

/** A managed Namespace, with its Sync twins. */
export type NamespaceProxy = WithSync<NamespaceMethods>;

/** The Promise methods of a NamespaceProxy. */
export interface NamespaceMethods {
  get(name: string): Promise<unknown>;
  set(name: string, value: unknown): Promise<void>;
  has(name: string): Promise<boolean>;
  delete(name: string): Promise<boolean>;
  copy(): Promise<Record<string, unknown>>;
}

/** A managed Value, with its Sync twins. */
export type ValueProxy<T> = WithSync<ValueMethods<T>>;

/** The Promise methods of a ValueProxy. */
export interface ValueMethods<T> {
  get(): Promise<T>;
  set(value: T): Promise<void>;
  typecode(): Promise<string>;
}

/** A managed Array, with its Sync twins. */
export type ArrayProxy<T> = WithSync<ArrayMethods<T>>;

/** The Promise methods of an ArrayProxy. */
export interface ArrayMethods<T> {
  get(index: number): Promise<T>;
  set(index: number, value: T): Promise<void>;
  length(): Promise<number>;
  copy(): Promise<T[]>;
  slice(start?: number, end?: number): Promise<T[]>;
}

/** A manager serving SyncManager's types; made by mp.Manager(). */
export class SyncManager extends BaseManager {
  constructor(options?: BaseManagerOptions) {
    super(options);
    this.withBuiltins = true;
  }

  dict<V = unknown>(init?: Record<string, V> | Map<DictKey, V> | [DictKey, V][]): Promise<DictProxy<V>> {
    return this.#make('dict', init);
  }

  list<T = unknown>(init?: T[]): Promise<ListProxy<T>> {
    return this.#make('list', init);
  }

  Namespace(init?: Record<string, unknown>): Promise<NamespaceProxy> {
    return this.#make('Namespace', init);
  }

  Value<C extends Typecode>(typecode: C, value?: InitialValueOf<C>): Promise<ValueProxy<ValueOf<C>>> {
    return this.#make('Value', typecode, value);
  }

  Array<C extends Typecode>(typecode: C, sizeOrInit: number | InitialValueOf<C>[]): Promise<ArrayProxy<ValueOf<C>>> {
    return this.#make('Array', typecode, sizeOrInit);
  }

  Lock(): Promise<ManagedProxy<ManagedLock>> { return this.#make('Lock'); }
  RLock(): Promise<ManagedProxy<ManagedRLock>> { return this.#make('RLock'); }
  Semaphore(value = 1): Promise<ManagedProxy<ManagedSemaphore>> { return this.#make('Semaphore', value); }
  BoundedSemaphore(value = 1): Promise<ManagedProxy<ManagedBoundedSemaphore>> { return this.#make('BoundedSemaphore', value); }
  /** A Condition over `lock` (a Lock or RLock proxy of this manager), or a new RLock. */
  Condition(lock?: BaseProxy): Promise<ManagedProxy<ManagedCondition>> { return this.#make('Condition', lock); }
  Event(): Promise<ManagedProxy<ManagedEvent>> { return this.#make('Event'); }
  Barrier(parties: number, options?: { timeout?: number }): Promise<ManagedProxy<ManagedBarrier>> { return this.#make('Barrier', parties, options); }
  Queue(maxsize = 0): Promise<ManagedProxy<ManagedQueue>> { return this.#make('Queue', maxsize); }
  JoinableQueue(maxsize = 0): Promise<ManagedProxy<ManagedJoinableQueue>> { return this.#make('JoinableQueue', maxsize); }

  #make<P>(typeid: string, ...args: unknown[]): Promise<P> {
    return this.create(typeid, ...args) as Promise<unknown> as Promise<P>;
  }
}

/** Starts a manager process (Python's multiprocessing.Manager()); `await using` shuts it down. */
export async function Manager(options?: BaseManagerOptions): Promise<SyncManager> {
  const manager = new SyncManager({ address: { path: `\0multiproc-manager-${process.pid}-${randomBytes(8).toString('hex')}` }, ...options });
  await manager.start();
  return manager;
}
