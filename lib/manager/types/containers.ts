/**
 * dict, list and Namespace served by a manager. Keys are strings or numbers, kept apart (1 and
 * '1' are two keys, as in Python). A managed object stored in one is held by it (ctx.hold) until
 * removed, so a nested list stays alive, and changes in place, while a dict stores it.
 */
import { MultiprocError } from '../../errors.js';
import { describe, typeError } from '../../validate.js';
import { kContextual, type CallContext } from './context.js';

type Key = string | number;

function checkKey(key: unknown): Key {
  if (typeof key === 'string' || (typeof key === 'number' && !Number.isNaN(key))) return key;
  throw typeError(`The "key" argument must be a string or a number, received ${describe(key)}`);
}

function pairs(init: unknown, name: string): [Key, unknown][] {
  if (init === undefined || init === null) return [];
  if (init instanceof Map) return [...init].map(([k, v]) => [checkKey(k), v]);
  if (Array.isArray(init)) {
    return init.map((p) => {
      if (!Array.isArray(p) || p.length !== 2) throw typeError(`The "${name}" argument must hold [key, value] pairs`);
      return [checkKey(p[0]), p[1]];
    });
  }
  if (typeof init === 'object') return Object.entries(init);
  throw typeError(`The "${name}" argument must be an object, a Map or an array of [key, value] pairs, received ${describe(init)}`);
}

function keyError(key: Key): MultiprocError {
  return new MultiprocError(`no key ${JSON.stringify(key)}`, 'ERR_KEY');
}

function toObject(map: Map<Key, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of map) Object.defineProperty(out, String(k), { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

// A Map whose values that are managed objects are held (ctx.hold) while stored.
class HeldMap<K> extends Map<K, unknown> {
  put(ctx: CallContext, key: K, value: unknown): void {
    ctx.hold(value);
    if (this.has(key)) ctx.drop(this.get(key));
    this.set(key, value);
  }

  remove(ctx: CallContext, key: K): boolean {
    if (!this.has(key)) return false;
    ctx.drop(this.get(key));
    return this.delete(key);
  }

  empty(ctx: CallContext): void {
    for (const v of this.values()) ctx.drop(v);
    this.clear();
  }
}

/** A dict (Python's DictProxy): a Map on the server. */
export class ManagedDict {
  static readonly [kContextual] = true;
  readonly #map = new HeldMap<Key>();

  constructor(ctx: CallContext, init?: unknown) {
    this.update(ctx, init);
  }

  get(_ctx: CallContext, key: unknown, fallback?: unknown): unknown {
    const k = checkKey(key);
    return this.#map.has(k) ? this.#map.get(k) : fallback;
  }

  set(ctx: CallContext, key: unknown, value: unknown): void {
    this.#map.put(ctx, checkKey(key), value);
  }

  has(_ctx: CallContext, key: unknown): boolean {
    return this.#map.has(checkKey(key));
  }

  delete(ctx: CallContext, key: unknown): boolean {
    return this.#map.remove(ctx, checkKey(key));
  }

  keys(): Key[] { return [...this.#map.keys()]; }
  values(): unknown[] { return [...this.#map.values()]; }
  items(): [Key, unknown][] { return [...this.#map]; }
  size(): number { return this.#map.size; }

  /** A plain object of the entries (number keys become strings): Python's copy() / _getvalue(). */
  copy(): Record<string, unknown> {
    return toObject(this.#map);
  }

  clear(ctx: CallContext): void {
    this.#map.empty(ctx);
  }

  /** Removes `key` and returns its value; `fallback` if absent, else an ERR_KEY error. */
  pop(ctx: CallContext, key: unknown, ...fallback: unknown[]): unknown {
    const k = checkKey(key);
    if (!this.#map.has(k)) {
      if (fallback.length > 0) return fallback[0];
      throw keyError(k);
    }
    const v = this.#map.get(k);
    this.#map.remove(ctx, k);
    return v;
  }

  /** Removes and returns the last entry set, as [key, value]. */
  popitem(ctx: CallContext): [Key, unknown] {
    const last = [...this.#map.keys()].pop();
    if (last === undefined) throw new MultiprocError('the dict is empty', 'ERR_KEY');
    return [last, this.pop(ctx, last)];
  }

  setdefault(ctx: CallContext, key: unknown, fallback: unknown = null): unknown {
    const k = checkKey(key);
    if (!this.#map.has(k)) this.set(ctx, k, fallback);
    return this.#map.get(k);
  }

  update(ctx: CallContext, entries: unknown): void {
    for (const [k, v] of pairs(entries, 'entries')) this.set(ctx, k, v);
  }
}

/** Index `i` of a sequence of `length` (negative: from the end, as in Python), or ERR_INDEX. */
export function checkIndex(i: unknown, length: number): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw typeError(`The "index" argument must be an integer, received ${describe(i)}`);
  const at = i < 0 ? i + length : i;
  if (at < 0 || at >= length) {
    throw Object.assign(new RangeError(`index ${i} out of range (length ${length})`), { code: 'ERR_INDEX' });
  }
  return at;
}

/** slice()'s bounds: integers or absent. */
export function checkSlice(start: unknown, end: unknown): [number | undefined, number | undefined] {
  for (const [n, v] of [['start', start], ['end', end]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v))) throw typeError(`The "${n}" argument must be an integer`);
  }
  return [start as number | undefined, end as number | undefined];
}

function checkArray(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v)) throw typeError(`The "${name}" argument must be an array, received ${describe(v)}`);
  return v;
}

/** A list (Python's ListProxy); equality (remove, index, count) is SameValueZero. */
export class ManagedList {
  static readonly [kContextual] = true;
  readonly #items: unknown[] = [];

  constructor(ctx: CallContext, init?: unknown) {
    if (init !== undefined) this.extend(ctx, init);
  }

  append(ctx: CallContext, value: unknown): void {
    ctx.hold(value);
    this.#items.push(value);
  }

  extend(ctx: CallContext, values: unknown): void {
    for (const v of checkArray(values, 'values')) this.append(ctx, v);
  }

  get(_ctx: CallContext, i: unknown): unknown {
    return this.#items[checkIndex(i, this.#items.length)];
  }

  set(ctx: CallContext, i: unknown, value: unknown): void {
    const at = checkIndex(i, this.#items.length);
    ctx.hold(value);
    ctx.drop(this.#items[at]);
    this.#items[at] = value;
  }

  length(): number { return this.#items.length; }
  copy(): unknown[] { return [...this.#items]; }

  pop(ctx: CallContext, i: unknown = -1): unknown {
    const at = checkIndex(i, this.#items.length);
    const [v] = this.#items.splice(at, 1);
    ctx.drop(v);
    return v;
  }

  insert(ctx: CallContext, i: unknown, value: unknown): void {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw typeError(`The "index" argument must be an integer, received ${describe(i)}`);
    const n = this.#items.length;
    const at = Math.min(Math.max(i < 0 ? i + n : i, 0), n);
    ctx.hold(value);
    this.#items.splice(at, 0, value);
  }

  remove(ctx: CallContext, value: unknown): void {
    const at = this.#items.findIndex((v) => sameValueZero(v, value));
    if (at < 0) throw new MultiprocError('list.remove(x): x not in list', 'ERR_VALUE');
    this.pop(ctx, at);
  }

  index(_ctx: CallContext, value: unknown): number {
    const at = this.#items.findIndex((v) => sameValueZero(v, value));
    if (at < 0) throw new MultiprocError('list.index(x): x not in list', 'ERR_VALUE');
    return at;
  }

  count(_ctx: CallContext, value: unknown): number {
    return this.#items.filter((v) => sameValueZero(v, value)).length;
  }

  reverse(): void { this.#items.reverse(); }

  /** Sorts numbers numerically and strings by code unit; a mix is a TypeError, as in Python. */
  sort(_ctx: CallContext, options?: { reverse?: boolean }): void {
    const kinds = new Set(this.#items.map((v) => (typeof v === 'bigint' ? 'number' : typeof v)));
    if (kinds.size > 1 || (kinds.size === 1 && !kinds.has('number') && !kinds.has('string'))) {
      throw typeError(`the list holds ${[...kinds].join(' and ')} values: only all numbers or all strings sort`);
    }
    this.#items.sort((a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0));
    if (options?.reverse === true) this.#items.reverse();
  }

  slice(_ctx: CallContext, start?: unknown, end?: unknown): unknown[] {
    return this.#items.slice(...checkSlice(start, end));
  }

  clear(ctx: CallContext): void {
    for (const v of this.#items) ctx.drop(v);
    this.#items.length = 0;
  }
}

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function checkAttribute(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.startsWith('_')) {
    throw typeError(`The "name" argument must be a string not starting with "_", received ${describe(name)}`);
  }
  return name;
}

/** A Namespace: named attributes (names starting with "_" are refused, as Python hides them). */
export class ManagedNamespace {
  static readonly [kContextual] = true;
  readonly #attrs = new HeldMap<string>();

  constructor(ctx: CallContext, init?: unknown) {
    for (const [k, v] of pairs(init, 'init')) this.set(ctx, k, v);
  }

  get(_ctx: CallContext, name: unknown): unknown {
    const n = checkAttribute(name);
    if (!this.#attrs.has(n)) throw new MultiprocError(`the namespace has no attribute ${JSON.stringify(n)}`, 'ERR_ATTRIBUTE');
    return this.#attrs.get(n);
  }

  set(ctx: CallContext, name: unknown, value: unknown): void {
    this.#attrs.put(ctx, checkAttribute(name), value);
  }

  has(_ctx: CallContext, name: unknown): boolean {
    return this.#attrs.has(checkAttribute(name));
  }

  delete(ctx: CallContext, name: unknown): boolean {
    return this.#attrs.remove(ctx, checkAttribute(name));
  }

  copy(): Record<string, unknown> {
    return toObject(this.#attrs);
  }
}
