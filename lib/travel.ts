import v8 from 'node:v8';
import { describe, typeError, valueError } from './validate.js';

/** Implemented by every shared object: the plain data another process rebuilds it from. */
export const kReduce = Symbol('multiproc.reduce');

/** A shared object's travelling form. */
export interface Handle {
  /** Which rebuild function to call. */
  type: string;
  data: unknown;
}

/** Something that can travel as a handle. */
export interface Reducible {
  [kReduce](): Handle;
}

const rebuilders = new Map<string, (data: unknown) => unknown>();
const MARK = '\u0000multiproc';

/** Registers how a `type` of handle becomes a live object again. */
export function registerRebuild(type: string, rebuild: (data: unknown) => unknown): void {
  rebuilders.set(type, rebuild);
}

function isReducible(value: object): value is Reducible {
  return typeof (value as Partial<Reducible>)[kReduce] === 'function';
}

// While serializeOnly() / deserializeOnly() run: which shared objects may be written, and which
// handle types read. Both are synchronous, so one slot each is enough.
let admitted: ((value: Reducible) => boolean) | null = null;
let readable: ReadonlySet<string> | null = null;

/** A handle that no process made: forged, truncated or from another version. */
export function invalidHandle(what: string): TypeError {
  return valueError(`invalid multiproc handle: ${what}`);
}

/** The object a handle's data must be, for rebuild functions that destructure it. */
export function handleRecord(data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null) throw invalidHandle(`data is ${describe(data)}`);
  return data as Record<string, unknown>;
}

/** Rebuilds a live object from a handle made by `reduce` in any process. */
export function rebuild(handle: Handle): unknown {
  const { type, data } = handleRecord(handle);
  const fn = typeof type === 'string' ? rebuilders.get(type) : undefined;
  if (!fn) throw invalidHandle(`unknown type ${describe(type)}`);
  return fn(data);
}

// Sets own property `key`: assigning "__proto__" would set the prototype instead.
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

// Replaces shared objects by marked handles, copying only the containers on the way to one.
function encode(value: unknown, seen: Map<object, unknown>, found: { any: boolean }): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw typeError(`a ${typeof value} cannot be sent to another process`);
    }
    return value;
  }
  if (seen.has(value)) return seen.get(value);
  if (isReducible(value)) {
    if (admitted && !admitted(value)) {
      throw typeError(`a ${value.constructor.name} cannot be sent to another machine: its memory stays on this one`);
    }
    found.any = true;
    const marked = { [MARK]: value[kReduce]() };
    seen.set(value, marked);
    return marked;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    let changed = false;
    for (let i = 0; i < value.length; i++) {
      out[i] = encode(value[i], seen, found);
      if (out[i] !== value[i]) changed = true;
    }
    if (!changed) seen.set(value, value);
    return changed ? out : value;
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    let changed = false;
    for (const [k, v] of value) {
      const ek = encode(k, seen, found);
      const ev = encode(v, seen, found);
      if (ek !== k || ev !== v) changed = true;
      out.set(ek, ev);
    }
    if (!changed) seen.set(value, value);
    return changed ? out : value;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    let changed = false;
    for (const v of value) {
      const ev = encode(v, seen, found);
      if (ev !== v) changed = true;
      out.add(ev);
    }
    if (!changed) seen.set(value, value);
    return changed ? out : value;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date ||
      value instanceof RegExp || value instanceof Error) {
    return value;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  let changed = false;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const ev = encode(v, seen, found);
    setOwn(out, key, ev);
    if (ev !== v) changed = true;
  }
  if (!changed) seen.set(value, value);
  return changed ? out : value;
}

// `seen`: what each object met so far became; a shared object referenced twice is rebuilt once.
function decode(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  seen.set(value, value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decode(value[i], seen);
    return value;
  }
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [decode(k, seen), decode(v, seen)] as const);
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
    return value;
  }
  if (value instanceof Set) {
    const items = [...value].map((v) => decode(v, seen));
    value.clear();
    for (const v of items) value.add(v);
    return value;
  }
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof Error) return value;
  const record = value as Record<string, unknown>;
  if (MARK in record) {
    const handle = handleRecord(record[MARK]);
    if (readable && !readable.has(handle.type as string)) throw invalidHandle(`type ${describe(handle.type)} is not accepted here`);
    const live = rebuild(handle as unknown as Handle);
    seen.set(value, live);
    return live;
  }
  for (const key of Object.keys(record)) setOwn(record, key, decode(record[key], seen));
  return value;
}

/**
 * Serializes `value` with Node's structured clone; multiproc's shared objects inside it travel
 * as handles and arrive in the other process bound to the same shared memory.
 */
export function serialize(value: unknown): Buffer {
  const found = { any: false };
  const encoded = encode(value, new Map(), found);
  return v8.serialize([found.any ? 1 : 0, encoded]);
}

/** The inverse of `serialize`, in any process. */
export function deserialize<T = unknown>(buffer: Uint8Array): T {
  if (!ArrayBuffer.isView(buffer)) {
    throw typeError(`The "buffer" argument must be a Buffer, TypedArray or DataView, received ${describe(buffer)}`);
  }
  let data: unknown;
  try {
    data = v8.deserialize(buffer);
  } catch (err) {
    throw valueError(`The "buffer" argument is not data made by serialize(): ${(err as Error).message}`,
      { cause: err });
  }
  // v8.deserialize() reads many a random byte string as some value; ours is always this pair.
  if (!Array.isArray(data) || data.length !== 2 || (data[0] !== 0 && data[0] !== 1)) {
    throw valueError('The "buffer" argument is not data made by serialize()');
  }
  const [hasHandles, encoded] = data as [number, unknown];
  return (hasHandles ? decode(encoded, new Map()) : encoded) as T;
}

/**
 * serialize(), for a peer on another machine: a shared object that `admit` refuses is a
 * TypeError (its memory does not cross machines), instead of a handle the peer cannot open.
 */
export function serializeOnly(value: unknown, admit: (value: Reducible) => boolean): Buffer {
  admitted = admit;
  try {
    return serialize(value);
  } finally {
    admitted = null;
  }
}

/** deserialize(), for bytes from a peer: only handles of the given types are rebuilt. */
export function deserializeOnly<T = unknown>(buffer: Uint8Array, types: ReadonlySet<string>): T {
  readable = types;
  try {
    return deserialize<T>(buffer);
  } finally {
    readable = null;
  }
}
