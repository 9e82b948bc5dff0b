/**
 * A compact encoding of plain data (arrays, plain objects, numbers, strings, booleans, null,
 * undefined, byte arrays), written in one pass by JavaScript. Structured clone (v8.serialize)
 * costs microseconds per call here, more than a whole ring operation, and about 30 ns per
 * array element; this costs tens of nanoseconds per small message and about 2 ns per number
 * of a numeric array.
 *
 * The decoded value is always what structured clone would have given. Whatever this encoding
 * cannot reproduce exactly (class instances, Maps, Dates, shared objects of this package,
 * cycles or repeated references, proxies, arrays with holes or extra properties, lone
 * surrogates, very deep nesting) makes encodeTree() give up, and the caller falls back to
 * structured clone. Every value is read exactly once, as structured clone reads it.
 */
import { types } from 'node:util';

const enum Node { Int, Double, String, True, False, Null, Undefined, Buffer, Bytes, Array, Object, Ints, Doubles }

// Where encoded bytes go: slabs, cut like Buffer.allocUnsafe() cuts its pool, so that a small
// message costs no allocation of its own. A slab is never written again once passed.
const SLAB_BYTES = 256 * 1024;
// Each message starts ALIGN-aligned in its slab. Slab sizes are multiples of ALIGN, so an
// aligned position never passes the slab's end (pos <= out.byteLength always holds).
const ALIGN = 8;
const aligned = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);
// Arrays whose extra properties (which structured clone keeps) are looked for; longer ones are
// left to structured clone unless the sender built them (PlainList).
const CHECKED_ARRAY = 64;
const MAX_DEPTH = 64;
const SHORT_STRING = 32;

let out = Buffer.allocUnsafeSlow(SLAB_BYTES);
let view = new DataView(out.buffer, out.byteOffset, out.byteLength);
let start = 0;
let pos = 0;
// The containers met so far in the message being encoded: a list while short (clearing a Set
// allocates), a Set beyond.
const SEEN_LIST = 16;
const seenList: (object | undefined)[] = [];
let seenCount = 0;
const seenSet = new Set<object>();
let encoding = false;

// Records `value`; false if it was met before (a cycle or a repeated reference).
function firstVisit(value: object): boolean {
  if (seenCount < SEEN_LIST) {
    for (let i = 0; i < seenCount; i++) if (seenList[i] === value) return false;
    seenList[seenCount++] = value;
    return true;
  }
  if (seenCount === SEEN_LIST) for (let i = 0; i < SEEN_LIST; i++) seenSet.add(seenList[i]!);
  if (seenSet.has(value)) return false;
  seenSet.add(value);
  seenCount++;
  return true;
}

function forgetVisits(): void {
  for (let i = 0; i < seenCount && i < SEEN_LIST; i++) seenList[i] = undefined;
  if (seenCount > SEEN_LIST) seenSet.clear();
  seenCount = 0;
}

// Makes room for `n` more bytes, moving the message begun at `start` to a larger slab if needed.
function ensure(n: number): void {
  if (pos + n <= out.byteLength) return;
  const written = pos - start;
  const next = Buffer.allocUnsafeSlow(aligned(Math.max(SLAB_BYTES, 2 * (written + n))));
  out.copy(next, 0, start, pos);
  out = next;
  view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  start = 0;
  pos = written;
}

function tag(node: Node): void {
  ensure(1);
  out[pos++] = node;
}

function writeNumber(value: number): void {
  ensure(9);
  if ((value | 0) === value && !Object.is(value, -0)) {
    out[pos] = Node.Int;
    view.setInt32(pos + 1, value, true);
    pos += 5;
  } else {
    out[pos] = Node.Double;
    view.setFloat64(pos + 1, value, true);
    pos += 9;
  }
}

// A length-prefixed UTF-8 string; false for lone surrogates, which UTF-8 cannot carry.
function writeString(value: string, node: number): boolean {
  if (!value.isWellFormed()) return false;
  const length = value.length;
  const bound = length * 3;
  ensure(5 + bound);
  out[pos] = node;
  let n = 0;
  // Short ASCII strings (keys, names) are copied by hand: a native call costs ~100 ns.
  if (length <= SHORT_STRING) {
    for (; n < length; n++) {
      const c = value.charCodeAt(n);
      if (c >= 0x80) break;
      out[pos + 5 + n] = c;
    }
  }
  if (n < length) n = out.write(value, pos + 5, bound, 'utf8');
  view.setUint32(pos + 1, n, true);
  pos += 5 + n;
  return true;
}

function writeBytes(node: Node, data: Uint8Array): void {
  ensure(5 + data.byteLength);
  out[pos] = node;
  view.setUint32(pos + 1, data.byteLength, true);
  out.set(data, pos + 5);
  pos += 5 + data.byteLength;
}

// A run of array elements that are all int32 (Ints) or all numbers (Doubles), from `i` on;
// returns where the run ends. Numbers are the bulk of large arrays, and a run costs 4 or 8
// bytes per element and no tag.
function writeRun(array: readonly unknown[], i: number, ints: boolean): number {
  const size = ints ? 4 : 8;
  ensure(5 + size * (array.length - i));
  const at = pos;
  out[at] = ints ? Node.Ints : Node.Doubles;
  let p = at + 5;
  let j = i;
  for (; j < array.length; j++) {
    const v = array[j];
    if (typeof v !== 'number') break;
    if (ints) {
      if ((v | 0) !== v || Object.is(v, -0)) break;
      view.setInt32(p, v, true);
    } else {
      view.setFloat64(p, v, true);
    }
    p += size;
  }
  view.setUint32(at + 1, j - i, true);
  pos = p;
  return j;
}

// Writes the elements of `array` (no header); `trusted`: built by the caller, so it has no
// holes or extra properties.
function writeElements(array: readonly unknown[], depth: number, trusted: boolean): boolean {
  for (let i = 0; i < array.length;) {
    const v = array[i];
    if (typeof v === 'number') {
      i = writeRun(array, i, (v | 0) === v && !Object.is(v, -0));
      continue;
    }
    // A hole reads as undefined; structured clone keeps it a hole.
    if (v === undefined && !trusted && !(i in array)) return false;
    if (!writeNode(v, depth)) return false;
    i++;
  }
  return true;
}

function writeArrayHeader(length: number): void {
  ensure(5);
  out[pos] = Node.Array;
  view.setUint32(pos + 1, length, true);
  pos += 5;
}

function writeArray(array: readonly unknown[], depth: number): boolean {
  if (array.length > CHECKED_ARRAY || Object.keys(array).length !== array.length) return false;
  writeArrayHeader(array.length);
  return writeElements(array, depth, false);
}

function writeObject(object: Record<string, unknown>, depth: number): boolean {
  const keys = Object.keys(object);
  ensure(5);
  out[pos] = Node.Object;
  view.setUint32(pos + 1, keys.length, true);
  pos += 5;
  for (const key of keys) {
    // Assigning it on the other side would set the prototype, not a property.
    if (key === '__proto__') return false;
    if (!writeString(key, Node.String) || !writeNode(object[key], depth)) return false;
  }
  return true;
}

function writeNode(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'number':
      writeNumber(value);
      return true;
    case 'string':
      return writeString(value, Node.String);
    case 'boolean':
      tag(value ? Node.True : Node.False);
      return true;
    case 'undefined':
      tag(Node.Undefined);
      return true;
    case 'object': {
      if (value === null) {
        tag(Node.Null);
        return true;
      }
      if (!firstVisit(value)) return false;
      if (value instanceof Uint8Array) {
        const proto = Object.getPrototypeOf(value);
        if (proto === Buffer.prototype) writeBytes(Node.Buffer, value);
        else if (proto === Uint8Array.prototype) writeBytes(Node.Bytes, value);
        else return false;
        return true;
      }
      if (depth >= MAX_DEPTH || types.isProxy(value)) return false;
      if (value instanceof PlainList) {
        writeArrayHeader(value.items.length);
        return writeElements(value.items, depth + 1, true);
      }
      const proto = Object.getPrototypeOf(value);
      if (proto === Array.prototype) return writeArray(value as unknown[], depth + 1);
      if (proto === Object.prototype) return writeObject(value as Record<string, unknown>, depth + 1);
      return false;
    }
    default:
      return false;
  }
}

/**
 * @internal An array the sender built itself, so it has no holes or extra properties to look
 * for and gets the compact encoding whatever its length; it arrives as a plain array. May be
 * nested in another.
 */
export class PlainList {
  constructor(readonly items: readonly unknown[]) {}
}

/** `value` with every PlainList in it made the plain array it stands for (for structured clone). */
export function unwrapLists(value: unknown): unknown {
  return value instanceof PlainList ? value.items.map(unwrapLists) : value;
}

/**
 * Encodes `value`; returns the bytes, or null if structured clone must be used instead. The
 * bytes stay valid: they are never overwritten.
 */
export function encodeTree(value: unknown): Buffer | null {
  // A getter that sends a message while this one is being encoded leaves this one to clone.
  if (encoding) return null;
  encoding = true;
  start = pos;
  let ok: boolean;
  try {
    ok = writeNode(value, 0);
  } finally {
    forgetVisits();
    encoding = false;
  }
  if (!ok) {
    pos = start;
    return null;
  }
  const bytes = out.subarray(start, pos);
  pos = aligned(pos);
  return bytes;
}

// ------------------------------------------------------------------ decoding

let rb: Buffer = out;
let rview: DataView = view;
let rp = 0;
let rend = 0;
let rowned = false;
let copy: (bytes: Uint8Array) => Buffer;
// Strings up to this many bytes are read by hand when ASCII (see writeString).
const SHORT_READ = 12;

function corrupt(): never {
  throw new TypeError('corrupt queue record');
}

function readCount(minBytesEach: number): number {
  if (rp + 5 > rend) corrupt();
  const n = rview.getUint32(rp + 1, true);
  rp += 5;
  if (n * minBytesEach > rend - rp) corrupt();
  return n;
}

function readString(): string {
  const n = readCount(1);
  const at = rp;
  rp += n;
  if (n <= SHORT_READ) {
    let s = '';
    for (let i = at; i < rp; i++) {
      const c = rb[i]!;
      if (c >= 0x80) return rb.toString('utf8', at, rp);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return rb.toString('utf8', at, rp);
}

function readBytes(): Buffer {
  const n = readCount(1);
  const piece = rb.subarray(rp, rp + n);
  rp += n;
  return rowned ? piece : copy(piece);
}

function readNode(): unknown {
  if (rp >= rend) corrupt();
  switch (rb[rp] as Node) {
    case Node.Int: {
      if (rp + 5 > rend) corrupt();
      const v = rview.getInt32(rp + 1, true);
      rp += 5;
      return v;
    }
    case Node.Double: {
      if (rp + 9 > rend) corrupt();
      const v = rview.getFloat64(rp + 1, true);
      rp += 9;
      return v;
    }
    case Node.String: return readString();
    case Node.True: rp++; return true;
    case Node.False: rp++; return false;
    case Node.Null: rp++; return null;
    case Node.Undefined: rp++; return undefined;
    case Node.Buffer: return readBytes();
    case Node.Bytes: {
      const b = readBytes();
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    case Node.Array: return readArray();
    case Node.Object: {
      const n = readCount(6);
      const object: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        if (rb[rp] !== Node.String) corrupt();
        const key = readString();
        object[key] = readNode();
      }
      return object;
    }
    default: return corrupt();
  }
}

function readArray(): unknown[] {
  const n = readCount(1);
  // Allocated whole: growing a large array by push() costs three times as much.
  const array = new Array<unknown>(n);
  let i = 0;
  while (i < n) {
    const node = rb[rp];
    if (node === Node.Ints) {
      const count = readCount(4);
      if (i + count > n) corrupt();
      for (const end = i + count; i < end; i++, rp += 4) array[i] = rview.getInt32(rp, true);
    } else if (node === Node.Doubles) {
      const count = readCount(8);
      if (i + count > n) corrupt();
      for (const end = i + count; i < end; i++, rp += 8) array[i] = rview.getFloat64(rp, true);
    } else {
      array[i++] = readNode();
    }
  }
  return array;
}

/**
 * Decodes what encodeTree() wrote in `bytes` [at, end). `owned`: the bytes are the caller's
 * alone, so byte arrays may be views of them; otherwise each is copied with `copyOut`.
 */
export function decodeTree(bytes: Buffer, bytesView: DataView, at: number, end: number, owned: boolean,
  copyOut: (bytes: Uint8Array) => Buffer): unknown {
  rb = bytes;
  rview = bytesView;
  rp = at;
  rend = end;
  rowned = owned;
  copy = copyOut;
  const value = readNode();
  if (rp !== end) corrupt();
  return value;
}
