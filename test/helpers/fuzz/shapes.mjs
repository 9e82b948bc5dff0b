/**
 * The message fuzzer's shapes: builders of one message each, covering every encoding of
 * lib/queue/codec.ts (its Tags), the compact tree encoding of lib/queue/tree.ts and what makes
 * it give up, and structured clone (Maps, holes, cycles, shared objects…). Each returns
 * { value, shape, enc, bytes, template? }: `enc` is the encoding the codec should pick, `bytes`
 * about the size of that encoding, `template` what structured clone should be compared with
 * when it is not `value` itself (shared objects stand in it as SLOT placeholders).
 */
import { FLAVOURS, randomBytes, randomString, withLoneSurrogate } from './random.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The key of a placeholder for the shared object `pool[k]`: `{ [SLOT]: k }`. */
export const SLOT = '\u0000fuzz.shared';

/** The limits of lib/queue/{codec,tree,ring}.ts the shapes aim at (their values, mirrored). */
export const LIMITS = /** @type {const} */ ({
  treeSlab: 256 * KiB, // tree.ts SLAB_BYTES; a grown slab is 2 * (written + n), aligned to 8
  recvSlab: 256 * KiB, // codec.ts SLAB_BYTES
  recvPiece: 8 * KiB, // codec.ts SLAB_MAX_PIECE
  inlineString: 4096, // codec.ts INLINE_STRING (UTF-16 units; bound of 3 bytes each)
  shortString: 32, // tree.ts SHORT_STRING
  shortRead: 12, // tree.ts SHORT_READ
  checkedArray: 64, // tree.ts CHECKED_ARRAY
  maxDepth: 64, // tree.ts MAX_DEPTH
  seenList: 16, // tree.ts SEEN_LIST
  earlyWrap: 4096, // ring.ts EARLY_WRAP
});

/** A ring record's size for an encoding of `size` bytes (ring.ts: a 4-byte word, padded to 4). */
export const recordOf = (size) => (4 + size + 3) & ~3;

const isInt32 = (v) => (v | 0) === v && !Object.is(v, -0);
const msg = (shape, enc, value, bytes, template) => ({ shape, enc, value, bytes, template });

// The codec's encoding of a value the tree encoding takes: its top level may be an atom.
function treeEnc(v) {
  if (typeof v === 'number') return isInt32(v) ? 'Int' : 'Double';
  if (typeof v === 'string') return v.length <= LIMITS.inlineString ? 'String' : 'Clone';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'Null';
  if (v === undefined) return 'Undefined';
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? 'Buffer' : 'Bytes';
  return 'Tree';
}

const EDGE_NUMBERS = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53,
  -(2 ** 53), 2 ** 53 + 2, 1e21, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.EPSILON,
  Number.MAX_VALUE, 0.1, -1e-300];

function randomNumber(rng) {
  switch (rng.int(4)) {
    case 0: return rng.pick(EDGE_NUMBERS);
    case 1: return rng.range(-1000, 1000);
    case 2: return rng.u32() | 0;
    default: return (rng.float() - 0.5) * 10 ** rng.range(-30, 30);
  }
}

const ODD_KEYS = ['', '0', '7', '10', '4294967294', '4294967295', '-1', '1.5', 'constructor', 'toString',
  'valueOf', 'hasOwnProperty', '__defineGetter__', 'length', 'then', 'a'.repeat(33), 'k\u00e9y', '\u2713', '\u{1f600}'];

function randomKey(rng) {
  if (rng.chance(0.25)) return rng.pick(ODD_KEYS);
  return randomString(rng, rng.range(1, rng.chance(0.9) ? 12 : 40), rng.chance(0.8) ? 'ascii' : rng.pick(FLAVOURS));
}

// Strings inside trees: the hand-copied ASCII up to 32 units, the hand-read up to 12 bytes,
// a non-ASCII character first, last or nowhere.
function treeString(rng) {
  const length = rng.chance(0.3) ? rng.pick([0, 1, 11, 12, 13, 31, 32, 33]) : rng.int(rng.chance(0.9) ? 40 : 300);
  const s = randomString(rng, length, rng.chance(0.6) ? 'ascii' : rng.pick(FLAVOURS));
  if (length === 0 || !rng.chance(0.3)) return s;
  const wide = rng.pick(['\u00e9', '\u2713', '\u{1f600}']);
  return rng.chance(0.5) ? wide + s.slice(wide.length) : s.slice(0, s.length - wide.length) + wide;
}

function smallBytes(rng, asBuffer) {
  const n = rng.chance(0.2) ? 0 : rng.int(rng.chance(0.9) ? 64 : 9000);
  const bytes = randomBytes(rng, n + 8);
  const at = rng.int(8);
  const view = bytes.subarray(at, at + n);
  return asBuffer ? Buffer.from(view.buffer, view.byteOffset, n) : view;
}

/**
 * A random value the tree encoding takes as is (no repeated objects, holes, lone surrogates,
 * `__proto__` keys, arrays over 64 elements or nesting over 64), `budget.nodes` bounding its size.
 */
export function treeValue(rng, depth, budget) {
  budget.nodes--;
  const container = depth < 6 && budget.nodes > 0;
  switch (rng.int(container ? 12 : 8)) {
    case 0: case 1: return randomNumber(rng);
    case 2: return treeString(rng);
    case 3: return rng.pick([true, false, null, undefined]);
    case 4: return smallBytes(rng, true);
    case 5: return smallBytes(rng, false);
    case 6: return rng.chance(0.5) ? rng.u32() | 0 : randomNumber(rng);
    case 7: return treeString(rng);
    case 8: case 9: {
      const n = rng.chance(0.1) ? rng.pick([LIMITS.checkedArray, LIMITS.checkedArray - 1]) : rng.int(10);
      return Array.from({ length: n }, () => treeValue(rng, depth + 1, budget));
    }
    default: {
      const o = {};
      for (let i = rng.int(9); i > 0; i--) o[randomKey(rng)] = treeValue(rng, depth + 1, budget);
      return o;
    }
  }
}

// ------------------------------------------------------------------ codec tags

function number(g) {
  const v = g.rng.chance(0.5) ? g.rng.pick(EDGE_NUMBERS) : randomNumber(g.rng);
  return msg('number', isInt32(v) ? 'Int' : 'Double', v, isInt32(v) ? 5 : 9);
}

function atom(g) {
  const v = g.rng.pick([true, false, null, undefined]);
  return msg(`atom ${String(v)}`, v === true ? 'True' : v === false ? 'False' : v === null ? 'Null' : 'Undefined', v, 1);
}

function bigint(g) {
  const v = g.rng.pick([0n, 1n, -1n, 2n ** 63n, -(2n ** 64n) - 1n, 10n ** 40n, BigInt(g.rng.u32()) << 100n]);
  return msg('bigint', 'Clone', v, 16);
}

// Top-level strings: inline (the codec's own encoding) up to 4096 units, structured clone beyond
// and for lone surrogates. `size` aims the encoding's bound, 1 + 3 bytes per unit.
function string(g, size) {
  const { rng } = g;
  const flavour = rng.pick(FLAVOURS);
  const length = rng.weighted({ short: 4, aimed: 3, limit: 2, long: 1 }) === 'short' ? rng.int(41)
    : rng.chance(0.5) ? Math.min(LIMITS.inlineString, Math.floor(Math.max(0, size - 1) / 3))
      : rng.chance(0.6) ? LIMITS.inlineString + rng.range(-3, 2) : Math.max(LIMITS.inlineString + 1, size);
  let s = randomString(rng, length, flavour);
  // A surrogate pair across the limit: 4,097 units.
  if (length === LIMITS.inlineString && rng.chance(0.2)) s = s.slice(0, -1) + '\u{1f600}';
  const lone = rng.chance(0.1);
  if (lone) s = withLoneSurrogate(rng, s);
  const inline = !lone && s.length <= LIMITS.inlineString;
  return msg(`string(${s.length} units, ${flavour}${lone ? ', lone surrogate' : ''})`, inline ? 'String' : 'Clone',
    s, inline ? 1 + 3 * s.length : s.length);
}

// A Buffer or a plain Uint8Array of `size - 1` bytes (the tag is the other byte).
function bytes(g, size, asBuffer) {
  const { rng } = g;
  const n = Math.max(0, size - 1);
  let view;
  const how = rng.weighted({ random: 6, offset: 2, zeros: 1, pooled: 1 });
  if (how === 'offset') {
    const at = rng.int(64);
    view = randomBytes(rng, n + at + rng.int(64)).subarray(at, at + n);
  } else if (how === 'zeros') {
    view = new Uint8Array(n);
  } else if (how === 'pooled' && n < 4096) {
    view = Buffer.from(randomBytes(rng, n)); // cut from Node's shared pool, at some offset
  } else {
    view = randomBytes(rng, n);
  }
  const value = asBuffer ? Buffer.from(view.buffer, view.byteOffset, view.byteLength)
    : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return msg(`${asBuffer ? 'Buffer' : 'Uint8Array'}(${n}, ${how})`, asBuffer ? 'Buffer' : 'Bytes', value, 1 + n);
}

const buffer = (g, size) => bytes(g, size, true);
const uint8 = (g, size) => bytes(g, size, false);

// ------------------------------------------------------------------ tree encoding

function tree(g) {
  const value = treeValue(g.rng, 0, { nodes: g.rng.chance(0.9) ? 30 : 600 });
  return msg('tree', treeEnc(value), value, 200);
}

// Ints and Doubles runs: int32s, then numbers that are not (-0, NaN, fractions), broken by
// other values; 64 elements at most, one more falls back to structured clone.
function runs(g) {
  const { rng } = g;
  const length = rng.chance(0.5) ? rng.pick([0, 1, 2, 63, 64, 65]) : rng.int(65);
  const value = [];
  let mode = rng.int(3);
  while (value.length < length) {
    if (rng.chance(0.15)) mode = rng.int(3);
    if (mode === 0) value.push(rng.chance(0.1) ? rng.pick([2 ** 31 - 1, -(2 ** 31), 0]) : rng.range(-5000, 5000));
    else if (mode === 1) value.push(rng.chance(0.2) ? rng.pick([-0, NaN, Infinity, 2 ** 31, 0.5]) : randomNumber(rng));
    else value.push(rng.chance(0.5) ? treeString(rng) : rng.pick([null, true, undefined, [1, 2], { n: -0 }]));
  }
  return msg(`runs(${length})`, length <= LIMITS.checkedArray ? 'Tree' : 'Clone', value, length * 9);
}

// A plain object with many keys (past the visited-list limit when its values are objects).
function wide(g) {
  const { rng } = g;
  const n = rng.pick([15, 16, 17, 100, 1000, rng.range(1, 5000)]);
  const value = {};
  const nested = rng.chance(0.5);
  for (let i = 0; i < n; i++) {
    const key = rng.chance(0.9) ? `k${i}${rng.chance(0.1) ? '\u00e9' : ''}` : randomKey(rng);
    value[key] = nested ? { i, s: treeString(rng) } : (rng.chance(0.5) ? i : treeString(rng));
  }
  return msg(`wide object (${n} keys${nested ? ', object values' : ''})`, 'Tree', value, n * 24);
}

// A tree of about `size` bytes: one big Buffer, Uint8Array or string inside an array or object
// (sizes exact for the byte arrays and ASCII strings: an array or object header is 5 bytes, a
// string or byte array 5 + its length, the Tree tag 1).
function treeBlob(g, size) {
  const { rng } = g;
  const form = rng.pick(['[Buffer]', '{data: Buffer}', '[Uint8Array]', '{s: string}', '[string]', '[n Buffers]']);
  const n = (over) => Math.max(0, size - over);
  let value;
  switch (form) {
    case '[Buffer]': value = [buffer(g, n(10)).value]; break;
    case '{data: Buffer}': value = { data: buffer(g, n(19)).value }; break;
    case '[Uint8Array]': value = [uint8(g, n(10)).value]; break;
    case '{s: string}': value = { s: randomString(rng, n(17), rng.chance(0.7) ? 'ascii' : rng.pick(FLAVOURS)) }; break;
    case '[string]': value = [randomString(rng, n(11), rng.chance(0.7) ? 'ascii' : rng.pick(FLAVOURS))]; break;
    default: {
      const count = rng.range(2, LIMITS.checkedArray);
      const each = Math.max(0, Math.floor((size - 6) / count) - 5);
      value = Array.from({ length: count }, (_, i) => buffer(g, each + 1 + (i === 0 ? rng.range(-3, 3) : 0)).value);
    }
  }
  return msg(`tree ${form}`, 'Tree', value, size);
}

// Nested arrays and objects: the tree encoding takes 64 levels, structured clone the rest.
function deep(g) {
  const { rng } = g;
  const levels = rng.pick([1, 2, 16, 63, 64, 64, 65, 65, 66, 100, 300]);
  let value = rng.chance(0.5) ? treeString(rng) : smallBytes(rng, true);
  for (let i = 0; i < levels; i++) value = rng.chance(0.5) ? [value] : { [randomKey(rng)]: value };
  return msg(`deep(${levels} levels)`, levels <= LIMITS.maxDepth ? 'Tree' : 'Clone', value, levels * 10);
}

// Around the 16 containers the tree encoder tracks in a list before a Set; a repeated one sends
// the whole message to structured clone, whichever of the two found it.
function containers(g) {
  const { rng } = g;
  const n = rng.pick([14, 15, 16, 17, 18, 40]);
  const items = Array.from({ length: n }, (_, i) => (rng.chance(0.5) ? { i } : [i]));
  const repeat = rng.chance(0.4) ? rng.int(n) : -1;
  const value = rng.chance(0.5) ? { items } : Object.fromEntries(items.map((v, i) => [`c${i}`, v]));
  if (repeat >= 0) value.again = items[repeat];
  return msg(`containers(${n}${repeat >= 0 ? `, #${repeat} again` : ''})`, repeat >= 0 ? 'Clone' : 'Tree', value, n * 12);
}

// Byte arrays inside one tree, around the receiving side's 8 KiB largest slab piece: the
// receive slab (256 KiB) is passed within one message.
function piecesTree(g) {
  const { rng } = g;
  const count = rng.range(1, LIMITS.checkedArray);
  const around = rng.pick([LIMITS.recvPiece, rng.range(1, LIMITS.recvPiece), 4096]);
  const value = Array.from({ length: count }, () => bytes(g, around + rng.range(-4, 5), rng.chance(0.7)).value);
  return msg(`${count} byte arrays of ~${around} B in a tree`, 'Tree', value, count * (around + 5));
}

// Plain objects whose extras both encodings ignore alike: symbol keys, non-enumerable
// properties; getters are read once, as structured clone reads them.
function ignored(g) {
  const { rng } = g;
  const value = { a: treeString(rng), [Symbol('s')]: 1, get g() { return 7; } };
  Object.defineProperty(value, 'hidden', { value: 1, enumerable: false });
  return msg('object with symbol keys, a getter, a hidden property', 'Tree', value, 40);
}

// ------------------------------------------------------------------ structured clone

const TYPED = [Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array,
  Float64Array, BigInt64Array, BigUint64Array];

class Bytes extends Uint8Array {}

// Typed arrays the codec leaves to structured clone, of about `size` bytes, random bits
// (NaN payloads included).
function typedArray(g, size) {
  const { rng } = g;
  const kind = rng.pick([...TYPED.map((T) => T.name), 'DataView', 'ArrayBuffer', 'Uint8Array subclass']);
  const T = TYPED.find((c) => c.name === kind);
  const each = T ? T.BYTES_PER_ELEMENT : 1;
  const n = Math.floor(Math.max(0, size - 8) / each);
  const raw = randomBytes(rng, n * each + 16);
  const at = rng.chance(0.3) ? each * rng.int(2) : 0;
  let value;
  if (T) value = new T(raw.buffer, at, n);
  else if (kind === 'DataView') value = new DataView(raw.buffer, at, n);
  else if (kind === 'ArrayBuffer') value = raw.buffer.slice(0, n);
  else value = new Bytes(raw.buffer, at, n);
  return msg(`${kind}(${n})`, 'Clone', value, n * each);
}

// Plain arrays over 64 elements: numbers, or numbers and strings.
function bigArray(g, size) {
  const { rng } = g;
  const length = Math.min(300_000, Math.max(LIMITS.checkedArray + 1, Math.floor(size / 6)));
  const kind = rng.pick(['ints', 'doubles', 'mixed']);
  const value = new Array(length);
  for (let i = 0; i < length; i++) {
    value[i] = kind === 'ints' ? (rng.u32() | 0) >> rng.int(24) : kind === 'doubles' ? rng.float() * 1e6
      : rng.chance(0.9) ? i : treeString(rng);
  }
  return msg(`array(${length}, ${kind})`, 'Clone', value, length * 5);
}

function holes(g) {
  const { rng } = g;
  const form = rng.pick(['[1,,3]', '[,]', 'new Array(n)', 'sparse', 'trailing hole', 'deleted']);
  let value;
  switch (form) {
    case '[1,,3]': value = [1, , 3]; break; // eslint-disable-line no-sparse-arrays
    case '[,]': value = [, ]; break; // eslint-disable-line no-sparse-arrays
    case 'new Array(n)': value = new Array(rng.range(1, 70)); break;
    case 'sparse': value = []; value[rng.range(100, 200_000)] = treeString(rng); break;
    case 'trailing hole': value = [1, 2]; value.length = 3; break;
    default: value = Array.from({ length: rng.range(2, 60) }, (_, i) => i); delete value[rng.int(value.length)];
  }
  return msg(`array with holes (${form})`, 'Clone', rng.chance(0.5) ? value : { list: value }, 20);
}

function extraProps(g) {
  const { rng } = g;
  const value = rng.chance(0.5) ? Object.assign([1, 'two', null], { tag: treeString(rng) }) : 'abcab'.match(/b(c)/);
  return msg('array with extra properties', 'Clone', value, 30);
}

function references(g) {
  const { rng } = g;
  const form = rng.pick(['cycle', 'array cycle', 'mutual', 'shared object', 'shared Buffer', 'deep repeat']);
  let value;
  switch (form) {
    case 'cycle': value = { name: treeString(rng) }; value.self = value; break;
    case 'array cycle': value = [1]; value.push(value); break;
    case 'mutual': { const a = { n: 1 }; const b = { a }; a.b = b; value = [a, b]; break; }
    case 'shared object': { const s = { n: rng.int(9) }; value = { a: s, b: [s], c: s }; break; }
    case 'shared Buffer': { const b = smallBytes(rng, true); value = [b, { again: b }]; break; }
    default: {
      const leaf = { leaf: true };
      value = treeValue(rng, 0, { nodes: 40 });
      value = { tree: value, x: [[[leaf]]], y: leaf };
    }
  }
  return msg(`references (${form})`, 'Clone', value, 40);
}

function keyed(g) {
  const { rng } = g;
  const form = rng.pick(['Map', 'Set', 'nested']);
  const key = () => rng.pick([-0, NaN, 0, '', 'k', treeString(rng), { o: 1 }, [1], 10n, null, undefined, true]);
  const value = form === 'Set' ? new Set(Array.from({ length: rng.int(20) }, key))
    : new Map(Array.from({ length: rng.int(20) }, () => [key(), treeValue(rng, 1, { nodes: 5 })]));
  return msg(form, 'Clone', form === 'nested' ? { m: value, s: new Set([value]) } : value, 100);
}

function special(g) {
  const { rng } = g;
  const form = rng.pick(['Date', 'invalid Date', 'RegExp', 'boxed', 'null prototype', 'class instance', 'Array subclass']);
  let value;
  switch (form) {
    case 'Date': value = new Date(rng.u32() * 1000); break;
    case 'invalid Date': value = new Date(NaN); break;
    case 'RegExp': value = new RegExp(treeString(rng).replace(/[\\^$.*+?()[\]{}|]/g, '') || 'a', 'gimsuy'); value.lastIndex = 3; break;
    case 'boxed': value = [new Number(-0), new String(treeString(rng)), new Boolean(false), Object(7n)]; break;
    case 'null prototype': value = Object.assign(Object.create(null), { a: 1, b: treeString(rng) }); break;
    case 'class instance': value = new (class Point { #p = 1; constructor() { this.x = 1; this.y = [2]; } get z() { return this.#p; } })(); break;
    default: value = Object.assign(new (class List extends Array {})(), [1, 2]);
  }
  return msg(form, 'Clone', rng.chance(0.5) ? value : { v: value, n: 1 }, 40);
}

function errors(g) {
  const { rng } = g;
  const E = rng.pick([Error, TypeError, RangeError, SyntaxError, EvalError, ReferenceError, URIError]);
  const value = new E(rng.chance(0.9) ? treeString(rng) : randomString(rng, 10_000, 'mixed'),
    rng.chance(0.5) ? { cause: treeValue(rng, 0, { nodes: 6 }) } : undefined);
  // The stack as generated differs between the processes that generate the same sequence.
  value.stack = `${E.name}: ${treeString(rng)}\n    at fuzz (${treeString(rng)}:1:1)`;
  if (rng.chance(0.3)) value.code = 'ERR_X';
  return msg(`${E.name}`, 'Clone', rng.chance(0.5) ? value : { error: value }, 200);
}

// The JSON of a "__proto__" key's value: an object or a primitive.
function protoValue(g) {
  return g.rng.chance(0.5) ? g.rng.pick(['1', '"s"', 'null']) : `{"polluted": ${g.rng.int(9)}}`;
}

function protoKey(g) {
  const { rng } = g;
  const value = rng.chance(0.5) ? JSON.parse(`{"a": 1, "__proto__": ${protoValue(g)}, "b": [2]}`)
    : Object.defineProperty({ x: 1 }, '__proto__', { value: JSON.parse(protoValue(g)), enumerable: true, configurable: true,
      writable: true });
  return msg('object with a "__proto__" key', 'Clone', value, 40);
}

// Plain data with one thing in it the tree cannot carry, sometimes behind a large prefix that
// made the encoder grow its slab before it gave up.
function poisoned(g) {
  const { rng } = g;
  const poisons = {
    Date: () => new Date(0), Map: () => new Map([[1, 2]]), bigint: () => 5n, hole: () => [1, , 2], // eslint-disable-line no-sparse-arrays
    'lone surrogate': () => withLoneSurrogate(rng, 'abc'), '__proto__ key': () => JSON.parse(`{"__proto__": ${protoValue(g)}}`),
    '65 elements': () => Array.from({ length: 65 }, (_, i) => i), Int16Array: () => new Int16Array([1, -1]),
    'Uint8Array subclass': () => new Bytes(3), 'class instance': () => new (class K { constructor() { this.k = 1; } })(),
  };
  const kind = rng.pick(Object.keys(poisons));
  const big = rng.chance(0.3) ? rng.pick([100 * KiB, 300 * KiB, MiB + 3]) : 0;
  const value = { before: big ? buffer(g, big).value : treeValue(rng, 1, { nodes: 20 }) };
  let at = value;
  for (let d = rng.int(5); d > 0; d--) at = at[`n${d}`] = rng.chance(0.5) ? {} : [];
  if (Array.isArray(at)) at.push(1, poisons[kind]());
  else at[rng.chance(0.5) ? 'p' : randomKey(rng)] = poisons[kind]();
  return msg(`tree poisoned by ${kind}${big ? ` after ${big} B` : ''}`, 'Clone', value, big + 100);
}

/** What a getter of throwing() throws. */
export const THROWN = 'a getter of the fuzzer threw';

// Values whose sending must throw (a getter that throws, a function, a symbol), some after a
// large part of the tree was written: the encoder must leave its slab in a state the next
// message can use. `throws`: what the error's message matches.
function throwing(g) {
  const { rng } = g;
  const big = rng.chance(0.4) ? rng.pick([100 * KiB, 300 * KiB, MiB + 5]) : 0;
  const value = { before: big ? buffer(g, big).value : treeValue(rng, 1, { nodes: 20 }) };
  let at = value;
  for (let d = rng.int(4); d > 0; d--) at = at[`n${d}`] = {};
  const how = rng.pick(['getter', 'function', 'symbol']);
  if (how === 'getter') Object.defineProperty(at, 'boom', { get() { throw new Error(THROWN); }, enumerable: true });
  else at.bad = how === 'function' ? () => 1 : Symbol('s');
  return { ...msg(`a ${how} in a tree${big ? ` after ${big} B` : ''}, whose sending throws`, 'none', value, 0),
    throws: how === 'getter' ? THROWN : 'cannot be sent' };
}

// Shared objects of the package: they must arrive bound to the same memory (a template
// placeholder stands for each; the same object twice in a message arrives as one object).
function shared(g) {
  const { rng, pool } = g;
  if (pool.length === 0) return number(g);
  const picks = Array.from({ length: rng.range(1, 4) }, () => rng.int(pool.length));
  const slots = new Map();
  const slot = (k) => {
    if (!slots.has(k)) slots.set(k, { [SLOT]: k });
    return slots.get(k);
  };
  const form = rng.int(3);
  const proto = rng.chance(0.2) ? protoValue(g) : null;
  const build = (ref) => {
    if (form === 0) return ref(picks[0]);
    if (form === 1) return picks.map(ref);
    const o = proto ? JSON.parse(`{"__proto__": ${proto}}`) : {};
    return Object.assign(o, { first: ref(picks[0]), all: picks.map((k) => [k, ref(k)]), m: new Map([['x', ref(picks[0])]]) });
  };
  return msg(`shared objects #${picks.join(',')}${proto ? ' beside a "__proto__" key' : ''}`, 'Clone', build((k) => pool[k]),
    300, build(slot));
}

/** Shapes whose size is aimed, each taking the encoding size it should come close to. */
export const SIZED = { string, buffer, uint8, treeBlob, typedArray, bigArray };

/** Shapes of their own size. */
export const FIXED = { number, atom, bigint, tree, runs, wide, deep, containers, piecesTree, ignored, holes,
  extraProps, references, keyed, special, errors, protoKey, poisoned, shared, throwing };

/** How often each shape is picked. */
export const WEIGHTS = {
  string: 8, buffer: 10, uint8: 4, treeBlob: 6, typedArray: 3, bigArray: 1,
  number: 8, atom: 2, bigint: 1, tree: 12, runs: 4, wide: 2, deep: 2, containers: 2, piecesTree: 1,
  ignored: 1, holes: 2, extraProps: 1, references: 2, keyed: 2, special: 2, errors: 1, protoKey: 1, poisoned: 3,
  shared: 2, throwing: 1,
};
