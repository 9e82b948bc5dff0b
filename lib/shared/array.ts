import { native } from '../binding.js';
import { kReduce, registerRebuild, type Handle } from '../travel.js';
import { checkInteger, checkName, checkObject, rangeError, typeError } from '../validate.js';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import type { MappedSegment } from './segments.js';
import { typeInfo, toStored, type BigintTypecode, type ElementInitOf, type TypeInfo, type Typecode,
  type TypedArrayByCode } from './typecodes.js';
import { attachData, bindData, dataHandle, placeData, type DataPlacement,
  type SharedDataOptions, type UnboundData } from './value.js';

/** What mp.Array() adds to the typed array it returns. */
export interface SharedArrayMethods<C extends Typecode = Typecode> {
  /** The lock that guards the array (Python's get_lock()); throws for a RawArray. */
  getLock(): Lock | RLock;
  /** Runs `fn` holding the array's lock. */
  withLock<R>(fn: () => R | Promise<R>): Promise<R>;
  /** Typecode 'c' only: the bytes up to the first NUL, as a latin1 string (Python's .value). */
  value: string;
  readonly typecode: C;
}

/** The typecodes whose elements are numbers (all but the 64-bit ones). */
export type NumberTypecode = Exclude<Typecode, BigintTypecode>;

type ArrayOfCode<C extends Typecode> = C extends Typecode ? TypedArrayByCode[C] & SharedArrayMethods<C> : never;

/**
 * A typed array over shared memory: zero copy, indexable, with the methods above. A typecode
 * decides the class (`SharedArray<'d'>` is a Float64Array & methods); `number` (the default)
 * means any array of numbers, `bigint` any 64-bit one.
 */
export type SharedArray<T extends Typecode | number | bigint = number> = [T] extends [Typecode]
  ? ArrayOfCode<T> : ArrayOfCode<[T] extends [bigint] ? BigintTypecode : NumberTypecode>;

const data = new WeakMap<object, DataPlacement>();
const classes = new Map<TypeInfo['Array'], new (d: UnboundData) => object>();

// One subclass per typed array type: element access stays as fast as on a plain typed array.
function classFor(t: TypeInfo): new (d: UnboundData) => object {
  let cls = classes.get(t.Array);
  if (cls) return cls;
  const Base = t.Array as unknown as new (buffer: ArrayBuffer, offset: number, length: number) => object;
  cls = class extends Base {
    static get [Symbol.species]() { return t.Array; }
    constructor(u: UnboundData) {
      const p = u.placement;
      super(p.seg.native.buffer, p.offset + 16, u.length);
      data.set(this, bindData(this, u));
    }
  };
  Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(methods));
  classes.set(t.Array, cls);
  return cls;
}

/** @internal The segment an array's elements are in. */
export function arraySegment(array: object): MappedSegment {
  return own(array).placement.seg;
}

function own(self: object): DataPlacement {
  const d = data.get(self);
  if (!d) throw typeError('not a multiproc shared array');
  return d;
}

const methods = {
  getLock(this: object): Lock | RLock {
    const d = own(this);
    if (d.lock === null) throw typeError('this shared array has no lock (RawArray or lock: false)');
    return d.lock;
  },
  async withLock<R>(this: SharedArrayMethods, fn: () => R | Promise<R>): Promise<R> {
    return this.getLock().withLock(fn);
  },
  get typecode(): Typecode {
    return own(this).info.code;
  },
  get value(): string {
    const self = this as unknown as Uint8Array;
    if (own(self).info.code !== 'c') throw typeError("value is for typecode 'c' arrays");
    const end = self.indexOf(0);
    return Buffer.from(self.buffer, self.byteOffset, end < 0 ? self.length : end).toString('latin1');
  },
  set value(s: string) {
    const self = this as unknown as Uint8Array;
    if (own(self).info.code !== 'c') throw typeError("value is for typecode 'c' arrays");
    const bytes = Buffer.from(String(s), 'latin1');
    if (bytes.length > self.length) {
      throw rangeError(`The value must be at most ${self.length} characters long, received ${bytes.length}`);
    }
    self.fill(0);
    self.set(bytes);
  },
  [kReduce](this: object): Handle {
    return dataHandle('Array', own(this));
  },
};

function initial(t: TypeInfo, sizeOrInit: unknown): { length: number; bytes?: Uint8Array } {
  if (typeof sizeOrInit === 'number') {
    return { length: checkInteger(sizeOrInit, 'size', 0, Math.floor(0xfff00000 / t.size)) };
  }
  let items: unknown[];
  if (typeof sizeOrInit === 'string' && t.code === 'c') items = [...Buffer.from(sizeOrInit, 'latin1')];
  else if (sizeOrInit !== null && typeof sizeOrInit === 'object' && Symbol.iterator in sizeOrInit) {
    items = [...(sizeOrInit as Iterable<unknown>)];
  } else {
    throw typeError('The "sizeOrInitializer" argument must be a length or an iterable of values');
  }
  const arr = new t.Array(items.length);
  items.forEach((v, i) => { arr[i] = toStored(t, v, `element ${i}`) as never; });
  return { length: items.length, bytes: new Uint8Array(arr.buffer) };
}

function makeArray(typecode: unknown, sizeOrInit: unknown, options: unknown, raw: boolean): object {
  const t = typeInfo(typecode);
  const init = initial(t, sizeOrInit);
  const opts = raw ? { ...checkObject(options, 'options'), lock: false } : options;
  return new (classFor(t))(placeData(t, init.length, init.bytes, opts, 'array'));
}

/** A shared array with a lock (Python's multiprocessing.Array): a typed array, zero copy. */
export function Array<C extends Typecode>(typecode: C, sizeOrInitializer: number | Iterable<ElementInitOf<C>>,
  options?: SharedDataOptions): SharedArray<C> {
  return makeArray(typecode, sizeOrInitializer, options, false) as SharedArray<C>;
}

/** A shared array without a lock (Python's multiprocessing.RawArray). */
export function RawArray<C extends Typecode>(typecode: C, sizeOrInitializer: number | Iterable<ElementInitOf<C>>,
  options?: Omit<SharedDataOptions, 'lock'>): SharedArray<C> {
  return makeArray(typecode, sizeOrInitializer, options, true) as SharedArray<C>;
}

/** Unlinks a named Array. */
export function unlinkArray(name: string): void {
  native.unlinkNamed(`mp.array.${checkName(name)}`);
}

registerRebuild('Array', (handle) => {
  const u = attachData(handle);
  return new (classFor(u.info))(u);
});
