import { Kind } from '../binding.js';
import { MultiprocError } from '../errors.js';
import { allocate, embeddedLock, fromHandle, openNamed, toHandle, track,
  type Placement } from './segments.js';
import { codeNumber, toStored, typeInfo, type InitialValueOf, type TypeInfo, type Typecode,
  type ValueOf } from './typecodes.js';
import { handleRecord, invalidHandle, kReduce, registerRebuild, type Handle,
  type Reducible } from '../travel.js';
import { checkName, checkObject, describe, typeError } from '../validate.js';
import { Lock } from '../sync/lock.js';
import { rebuildLock, RLock } from '../sync/rlock.js';
import { kAttach } from '../sync/primitive.js';
import { native } from '../binding.js';

/** Options of Value() and Array(). */
export interface SharedDataOptions {
  /** true (default): an RLock of its own; false: none; or a Lock/RLock to share. */
  lock?: boolean | Lock | RLock;
  /** Open or create the system-wide object of this name (its typecode and length must match). */
  name?: string;
}

/** Where a Value's or Array's bytes are, and what guards them. */
export interface DataPlacement {
  placement: Placement;
  lock: Lock | RLock | null;
  info: TypeInfo;
  length: number;
}

/** A DataPlacement before its owner exists: an embedded lock is made by bindData. */
export interface UnboundData {
  placement: Placement;
  lock: Lock | RLock | null | 'embedded';
  info: TypeInfo;
  length: number;
}

/** Makes `owner` hold the block (and its embedded lock, which keeps `owner` alive). */
export function bindData(owner: object, u: UnboundData): DataPlacement {
  track(owner, u.placement);
  const lock = u.lock === 'embedded'
    ? new RLock({ [kAttach]: embeddedLock(u.placement, owner) } as never) : u.lock;
  return { ...u, lock };
}

const DATA_HEADER = 16;

/** Places the bytes of a Value or Array: named, or in this process's arena. */
export function placeData(t: TypeInfo, length: number, initial: Uint8Array | undefined,
  options: unknown, prefix: string): UnboundData {
  const opts = checkObject(options, 'options');
  const lockOpt = opts.lock ?? true;
  if (typeof lockOpt !== 'boolean' && !(lockOpt instanceof Lock) && !(lockOpt instanceof RLock)) {
    throw typeError(`The "lock" option must be a boolean, a Lock or an RLock, received ${describe(lockOpt)}`);
  }
  const embedded = lockOpt === true;
  let placement: Placement;
  if (opts.name !== undefined) {
    const name = checkName(opts.name);
    placement = openNamed(`mp.${prefix}.${name}`, Kind.Data, codeNumber(t), length, t.size, embedded, initial);
    const [code, len] = placement.seg.native.dataInfo(placement.offset);
    if (code !== codeNumber(t) || len !== length) {
      throw new MultiprocError(`the shared ${prefix} "${name}" exists with typecode '${String.fromCharCode(code)}' and length ${len}`, 'EEXIST');
    }
  } else {
    placement = allocate(Kind.Data, codeNumber(t), length, t.size, embedded, initial);
  }
  return { placement, lock: embedded ? 'embedded' : lockOpt === false ? null : lockOpt, info: t, length };
}

/** The typed array over the bytes of a placed Value or Array. */
export function dataView(d: DataPlacement): ArrayBufferView & ArrayLike<number | bigint> {
  const p = d.placement;
  return new d.info.Array(p.seg.native.buffer, p.offset + DATA_HEADER, d.length) as never;
}

/** Travelling form of a Value or Array. */
export function dataHandle(type: string, d: DataPlacement): Handle {
  const ownLock = d.placement.lockOffset !== null;
  return {
    type,
    data: {
      p: toHandle(d.placement), code: d.info.code, length: d.length,
      lock: ownLock || d.lock === null ? null : d.lock[kReduce](), ownLock,
    },
  };
}

/** Rebuilds the placement of a travelled Value or Array in this process. */
export function attachData(data: unknown): UnboundData {
  const h = handleRecord(data);
  const info = typeInfo(h.code);
  const placement = fromHandle(h.p, Kind.Data);
  const [code, length] = placement.seg.native.dataInfo(placement.offset);
  if (code !== codeNumber(info) || length !== h.length || h.ownLock !== (placement.lockOffset !== null)) {
    throw invalidHandle("the shared data's typecode, length or lock is not the handle's");
  }
  const lock = h.ownLock ? 'embedded' : h.lock === null ? null : rebuildLock(h.lock);
  return { placement, lock, info, length };
}

const kData = Symbol('multiproc.data');

/**
 * `V` where typecode `C` allows atomic operations, `never` where it is known not to ('f', 'd',
 * '?', 'c'), so that `Value('d').add(1)` is a type error; a Value typed without its typecode
 * (`SharedValue<number>`) keeps them, checked when called.
 */
type Atomic<V, C extends Typecode> = C extends 'f' | 'd' | '?' | 'c' ? never : V;

/**
 * A single shared value (Python's multiprocessing.Value / RawValue). Integer typecodes also
 * offer lock-free atomic operations; 64-bit typecodes read and write bigint.
 */
export class SharedValue<T extends number | bigint | boolean | string = number, C extends Typecode = Typecode>
  implements Reducible {
  readonly #d: DataPlacement;
  readonly #view: ArrayLike<number | bigint> & { [i: number]: number | bigint };

  private constructor(d: UnboundData, token: typeof kData) {
    if (token !== kData) throw typeError('use mp.Value() or mp.RawValue()');
    this.#d = bindData(this, d);
    this.#view = dataView(this.#d) as never;
  }

  /** The typecode it was made with. */
  get typecode(): C {
    return this.#d.info.code as C;
  }

  get value(): T {
    const v = this.#view[0]!;
    if (this.#d.info.code === '?') return (v !== 0) as T;
    if (this.#d.info.code === 'c') return String.fromCharCode(v as number) as T;
    return v as T;
  }

  set value(v: T) {
    this.#view[0] = toStored(this.#d.info, v, 'value');
  }

  /** The lock that guards the value (Python's get_lock()); throws for a RawValue. */
  getLock(): Lock | RLock {
    if (this.#d.lock === null) throw typeError('this shared value has no lock (RawValue or lock: false)');
    return this.#d.lock;
  }

  /** Runs `fn` holding the value's lock; rejects if the value has none. */
  async withLock<R>(fn: () => R | Promise<R>): Promise<R> {
    return this.getLock().withLock(fn);
  }

  #atomicView(): Int32Array {
    if (!this.#d.info.integer || this.#d.info.code === '?') {
      throw typeError(`atomic operations need an integer typecode, not '${this.#d.info.code}'`);
    }
    return this.#view as unknown as Int32Array;
  }

  /** Atomically reads the value. */
  load(this: Atomic<this, C>): T {
    return Atomics.load(this.#atomicView(), 0) as T;
  }

  /** Atomically writes the value. */
  store(this: Atomic<this, C>, v: T): void {
    Atomics.store(this.#atomicView(), 0, toStored(this.#d.info, v, 'value') as number);
  }

  /** Atomically adds `n`; returns the previous value. */
  add(this: Atomic<this, C>, n: T): T {
    return Atomics.add(this.#atomicView(), 0, this.#operand(n)) as T;
  }

  /** Atomically subtracts `n`; returns the previous value. */
  sub(this: Atomic<this, C>, n: T): T {
    return Atomics.sub(this.#atomicView(), 0, this.#operand(n)) as T;
  }

  and(this: Atomic<this, C>, n: T): T { return Atomics.and(this.#atomicView(), 0, this.#operand(n)) as T; }
  or(this: Atomic<this, C>, n: T): T { return Atomics.or(this.#atomicView(), 0, this.#operand(n)) as T; }
  xor(this: Atomic<this, C>, n: T): T { return Atomics.xor(this.#atomicView(), 0, this.#operand(n)) as T; }

  /** Atomically replaces the value; returns the previous one. */
  exchange(this: Atomic<this, C>, v: T): T {
    return Atomics.exchange(this.#atomicView(), 0, toStored(this.#d.info, v, 'value') as number) as T;
  }

  /** Replaces the value with `replacement` if it equals `expected`; returns the previous value. */
  compareExchange(this: Atomic<this, C>, expected: T, replacement: T): T {
    return Atomics.compareExchange(this.#atomicView(), 0,
      toStored(this.#d.info, expected, 'expected') as number,
      toStored(this.#d.info, replacement, 'replacement') as number) as T;
  }

  #operand(n: unknown): number {
    const t = this.#d.info;
    if (t.bigint ? typeof n !== 'bigint' : typeof n !== 'number' || !Number.isInteger(n)) {
      throw typeError(`The operand must be ${t.bigint ? 'a bigint' : 'an integer'} for typecode '${t.code}'`);
    }
    return n as number;
  }

  toString(): string {
    return `${this.#d.lock ? 'Synchronized' : 'Raw'}Value('${this.typecode}', ${String(this.value)})`;
  }

  [kReduce](): Handle {
    return dataHandle('Value', this.#d);
  }

  /** @internal */
  static make(d: UnboundData): SharedValue<never, never> {
    return new SharedValue(d, kData);
  }
}

function initialBytes(t: TypeInfo, value: unknown): Uint8Array {
  const one = new t.Array(1);
  one[0] = toStored(t, value, 'value') as never;
  return new Uint8Array(one.buffer);
}

function makeValue(typecode: unknown, value: unknown, options: unknown, raw: boolean): SharedValue<never, never> {
  const t = typeInfo(typecode);
  const v = value === undefined ? (t.bigint ? 0n : t.code === '?' ? false : 0) : value;
  const opts = raw ? { ...checkObject(options, 'options'), lock: false } : options;
  return SharedValue.make(placeData(t, 1, initialBytes(t, v), opts, 'value'));
}

/**
 * A shared value with a lock (Python's multiprocessing.Value). The typecode decides the value's
 * type: `Value('i', 0)` is a SharedValue<number>, `Value('q', 0n)` a SharedValue<bigint>.
 */
export function Value<C extends Typecode>(typecode: C, value?: InitialValueOf<C>,
  options?: SharedDataOptions): SharedValue<ValueOf<C>, C> {
  return makeValue(typecode, value, options, false) as unknown as SharedValue<ValueOf<C>, C>;
}

/** A shared value without a lock (Python's multiprocessing.RawValue); typed as Value(). */
export function RawValue<C extends Typecode>(typecode: C, value?: InitialValueOf<C>,
  options?: Omit<SharedDataOptions, 'lock'>): SharedValue<ValueOf<C>, C> {
  return makeValue(typecode, value, options, true) as unknown as SharedValue<ValueOf<C>, C>;
}

registerRebuild('Value', (data) => SharedValue.make(attachData(data)));

/** Unlinks a named Value. */
export function unlinkValue(name: string): void {
  native.unlinkNamed(`mp.value.${checkName(name)}`);
}
