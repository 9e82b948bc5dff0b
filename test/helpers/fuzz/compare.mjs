/**
 * The message fuzzer's comparator: is a received message exactly what structured clone
 * (v8.deserialize(v8.serialize(x))) gives? Exact: prototypes, holes, -0 and NaN, Buffer
 * against Uint8Array, property order, which objects are one object (repeated references,
 * cycles), and shared objects of this package bound to the same memory. Fast on big byte
 * arrays (Buffer#equals). The first difference is reported with its path.
 */
import v8 from 'node:v8';
import * as mp from 'multiproc';
import { SLOT } from './shapes.mjs';

/**
 * What structured clone gives for `m`'s value (or its template), and the size of the clone.
 * @param {{ value: unknown, template?: unknown }} m
 * @returns {{ value: unknown, bytes: number }}
 */
export function expectedOf(m) {
  const bytes = v8.serialize(m.template ?? m.value);
  return { value: v8.deserialize(bytes), bytes: bytes.byteLength };
}

/**
 * Compares `received` with `expected`; null if they are the same, else the path of the first
 * difference and what it is. `checkShared(k, received)` says (null if fine) whether `received`
 * stands for shared object #k, where `expected` holds a `{ [SLOT]: k }` placeholder.
 * @param {unknown} expected @param {unknown} received
 * @param {(k: number, received: unknown) => string | null} checkShared
 * @returns {{ path: string, what: string } | null}
 */
export function compare(expected, received, checkShared) {
  return diff({ seenE: new Map(), seenR: new Map(), checkShared }, expected, received, null);
}

// A path is built only when something differs: a chain of { up, key, how }.
const at = (up, key, how = 'prop') => ({ up, key, how });

function pathString(p) {
  const parts = [];
  for (; p; p = p.up) {
    if (p.how === 'index') parts.push(`[${p.key}]`);
    else if (p.how === 'map key') parts.push(`<key of entry ${p.key}>`);
    else if (p.how === 'map value') parts.push(`<value of entry ${p.key}>`);
    else if (p.how === 'set') parts.push(`<element ${p.key}>`);
    else parts.push(/^[A-Za-z_$][\w$]*$/.test(p.key) ? `.${p.key}` : `[${JSON.stringify(p.key)}]`);
  }
  return `$${parts.reverse().join('')}`;
}

const fail = (path, what) => ({ path: pathString(path), what });

/** A short description of a value, for failure reports. */
export function show(v) {
  if (typeof v === 'string') {
    const head = JSON.stringify(v.slice(0, 40));
    return `string(${v.length}) ${head}${v.length > 40 ? '…' : ''}`;
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return Object.is(v, -0) ? '-0' : String(v);
  const proto = protoName(Object.getPrototypeOf(v));
  if (ArrayBuffer.isView(v)) {
    const head = Buffer.from(v.buffer, v.byteOffset, Math.min(v.byteLength, 12)).toString('hex');
    return `${proto}(${v.byteLength} B) <${head}${v.byteLength > 12 ? '…' : ''}>`;
  }
  if (Array.isArray(v)) return `${proto}(length ${v.length})`;
  if (v instanceof Map || v instanceof Set) return `${proto}(size ${v.size})`;
  return `${proto} {${Object.keys(v).slice(0, 5).join(', ')}${Object.keys(v).length > 5 ? ', …' : ''}}`;
}

function protoName(p) {
  if (p === null) return 'null-prototype object';
  return typeof p.constructor === 'function' && p.constructor.name ? p.constructor.name : 'object';
}

const sameAtom = (e, r) => typeof e === typeof r && Object.is(e, r);

function atomDiff(path, e, r) {
  if (typeof e === 'string' && typeof r === 'string') {
    let i = 0;
    while (i < e.length && e.charCodeAt(i) === r.charCodeAt(i)) i++;
    return fail(path, `strings differ at unit ${i} (lengths ${e.length} and ${r.length}): expected `
      + `${JSON.stringify(e.slice(i, i + 12))}, received ${JSON.stringify(r.slice(i, i + 12))}`);
  }
  return fail(path, `expected ${show(e)}, received ${show(r)}`);
}

function diff(c, e, r, path) {
  if (e === null || typeof e !== 'object') return sameAtom(e, r) ? null : atomDiff(path, e, r);
  if (r === null || typeof r !== 'object') return fail(path, `expected ${show(e)}, received ${show(r)}`);
  // Which objects are one object must match both ways: repeated references and cycles.
  const known = c.seenE.get(e);
  if (known !== undefined) {
    return known === r ? null : fail(path, `expected the object met before at this place again, received ${show(r)}`);
  }
  if (c.seenR.has(r)) return fail(path, `received an object met before elsewhere in the message (${show(r)})`);
  c.seenE.set(e, r);
  c.seenR.set(r, e);
  if (isSlot(e)) {
    const what = c.checkShared(e[SLOT], r);
    return what === null ? null : fail(path, `shared object #${e[SLOT]}: ${what}`);
  }
  const pe = Object.getPrototypeOf(e);
  const pr = Object.getPrototypeOf(r);
  if (pe !== pr) return fail(path, `expected a ${protoName(pe)}, received ${show(r)}`);
  if (ArrayBuffer.isView(e)) return bytesDiff(path, e, r);
  if (e instanceof ArrayBuffer) return bytesDiff(path, new Uint8Array(e), new Uint8Array(r));
  if (e instanceof Map || e instanceof Set) return entriesDiff(c, path, e, r);
  if (e instanceof Date) {
    return Object.is(e.getTime(), r.getTime()) ? null : fail(path, `expected Date ${e.getTime()}, received ${r.getTime()}`);
  }
  if (e instanceof RegExp) {
    if (e.source !== r.source || e.flags !== r.flags || e.lastIndex !== r.lastIndex) {
      return fail(path, `expected ${e} (lastIndex ${e.lastIndex}), received ${r} (lastIndex ${r.lastIndex})`);
    }
    return null;
  }
  for (const Boxed of [Number, String, Boolean, BigInt]) {
    if (pe === Boxed.prototype && !sameAtom(e.valueOf(), r.valueOf())) {
      return fail(path, `expected boxed ${show(e.valueOf())}, received boxed ${show(r.valueOf())}`);
    }
  }
  if (Array.isArray(e) && e.length !== r.length) return fail(path, `expected length ${e.length}, received ${r.length}`);
  // Errors keep their message and stack as own non-enumerable properties.
  const keys = e instanceof Error ? Object.getOwnPropertyNames : Object.keys;
  return propsDiff(c, path, e, r, keys(e), keys(r), Array.isArray(e));
}

function isSlot(e) {
  return Object.getPrototypeOf(e) === Object.prototype && SLOT in e;
}

function bytesDiff(path, e, r) {
  if (e.byteLength !== r.byteLength) return fail(path, `expected ${show(e)}, received ${show(r)}`);
  const be = Buffer.from(e.buffer, e.byteOffset, e.byteLength);
  const br = Buffer.from(r.buffer, r.byteOffset, r.byteLength);
  if (be.equals(br)) return null;
  let i = 0;
  while (be[i] === br[i]) i++;
  return fail(path, `${protoName(Object.getPrototypeOf(e))}(${e.byteLength} B) differs from byte ${i} on: expected `
    + `<${be.subarray(i, i + 8).toString('hex')}>, received <${br.subarray(i, i + 8).toString('hex')}>`);
}

function propsDiff(c, path, e, r, ke, kr, isArray) {
  const n = Math.min(ke.length, kr.length);
  for (let i = 0; i < n; i++) {
    if (ke[i] !== kr[i]) {
      return fail(path, `property #${i} is ${JSON.stringify(kr[i])}, expected ${JSON.stringify(ke[i])}`
        + `${isArray ? ' (a hole or an extra property)' : ''}`);
    }
  }
  if (ke.length !== kr.length) {
    const extra = ke.length > kr.length ? `missing ${JSON.stringify(ke[n])}` : `extra ${JSON.stringify(kr[n])}`;
    return fail(path, `${ke.length} properties expected, received ${kr.length} (${extra})`);
  }
  for (let i = 0; i < ke.length; i++) {
    const key = ke[i];
    const ev = e[key];
    const rv = r[key];
    // Atoms inline: a path step is made only for objects or a difference.
    if ((ev === null || typeof ev !== 'object') && sameAtom(ev, rv)) continue;
    const d = diff(c, ev, rv, at(path, key, isArray && /^\d+$/.test(key) ? 'index' : 'prop'));
    if (d) return d;
  }
  return null;
}

function entriesDiff(c, path, e, r) {
  if (e.size !== r.size) return fail(path, `expected ${show(e)}, received ${show(r)}`);
  const isMap = e instanceof Map;
  const re = [...r];
  let i = 0;
  for (const item of e) {
    const got = re[i];
    const d = isMap ? diff(c, item[0], got[0], at(path, i, 'map key')) ?? diff(c, item[1], got[1], at(path, i, 'map value'))
      : diff(c, item, got, at(path, i, 'set'));
    if (d) return d;
    i++;
  }
  return null;
}

/**
 * A checkShared for compare(): whether `received` is bound to the same memory as `pool[k]`,
 * by a change made through one and looked for through the other (then undone). Each pool is
 * checked by one process only, so the changes never race.
 * @param {readonly object[]} pool
 * @returns {(k: number, received: unknown) => string | null}
 */
export function sharedChecker(pool) {
  return (k, r) => {
    const e = pool[k];
    if (e === undefined) return `no such shared object (a pool of ${pool.length})`;
    if (r === null || typeof r !== 'object' || Object.getPrototypeOf(r) !== Object.getPrototypeOf(e)) {
      return `expected a ${protoName(Object.getPrototypeOf(e))}, received ${show(r)}`;
    }
    if (ArrayBuffer.isView(e)) {
      if (r.length !== e.length) return `length ${r.length}, expected ${e.length}`;
      const old = e[0];
      const mark = typeof old === 'bigint' ? old + 1n : old === 1 ? 2 : 1;
      r[0] = mark;
      const same = e[0] === mark;
      r[0] = old;
      return same ? null : 'a write through the received array does not show in the original';
    }
    if (e instanceof mp.Lock) {
      if (!r.acquireSync({ block: false })) return 'the received lock is held by someone';
      const same = e.isMine();
      r.release();
      return same ? null : 'taking the received lock does not take the original';
    }
    if (e instanceof mp.Event) {
      r.set();
      const same = e.isSet();
      r.clear();
      return same ? null : 'setting the received event does not set the original';
    }
    if (e instanceof mp.Semaphore) {
      const before = e.getValue();
      r.release();
      const same = e.getValue() === before + 1;
      r.acquireSync();
      return same ? null : 'releasing the received semaphore does not release the original';
    }
    if ('value' in e) {
      const old = e.value;
      r.value = old + 1;
      const same = e.value === old + 1;
      r.value = old;
      return same ? null : 'a write to the received value does not show in the original';
    }
    return `no way to check a ${protoName(Object.getPrototypeOf(e))}`;
  };
}

/**
 * The shared objects messages may carry: each kind the package has that can be checked.
 * @returns {object[]}
 */
export function makePool() {
  return [mp.RawArray('i', 8), mp.RawArray('d', 4), mp.RawArray('B', 16), mp.Array('i', 4), mp.Value('d', 1.5),
    new mp.Lock(), new mp.Event(), new mp.Semaphore(2), mp.RawArray('q', 2)];
}
