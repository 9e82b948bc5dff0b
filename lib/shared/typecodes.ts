import { rangeError, typeError } from '../validate.js';

type TypedArrayConstructor =
  | Int8ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor
  | Int32ArrayConstructor | Uint32ArrayConstructor | Float32ArrayConstructor
  | Float64ArrayConstructor | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

/** Python `array` typecodes (LP64 sizes, as on Linux). */
export type Typecode = 'c' | 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | '?';

/** The 64-bit typecodes: they read and write bigint. */
export type BigintTypecode = 'l' | 'L' | 'q' | 'Q';

/** What a Value of typecode `C` reads and writes (one element of an Array of it). */
export type ValueOf<C extends Typecode> = C extends BigintTypecode ? bigint
  : C extends '?' ? boolean : C extends 'c' ? string : number;

/** What a Value of typecode `C` accepts as its initial value: 64-bit codes also take safe integers. */
export type InitialValueOf<C extends Typecode> = C extends BigintTypecode ? bigint | number
  : C extends 'c' ? string | number : ValueOf<C>;

/** The typed array class each typecode stores its elements in. */
export interface TypedArrayByCode {
  c: Uint8Array; b: Int8Array; B: Uint8Array; h: Int16Array; H: Uint16Array; i: Int32Array;
  I: Uint32Array; l: BigInt64Array; L: BigUint64Array; q: BigInt64Array; Q: BigUint64Array;
  f: Float32Array; d: Float64Array; '?': Uint8Array;
}

/** What an Array of typecode `C` is initialized from (besides a length). */
export type ElementInitOf<C extends Typecode> = C extends BigintTypecode ? bigint | number
  : C extends '?' ? boolean | number : C extends 'c' ? string | number : number;

/** How a typecode is stored and checked. */
export interface TypeInfo {
  code: Typecode;
  size: number;
  Array: TypedArrayConstructor;
  bigint: boolean;
  integer: boolean;
  min: number | bigint;
  max: number | bigint;
}

function info(code: Typecode, Array: TypedArrayConstructor, min: number | bigint,
  max: number | bigint, integer = true): TypeInfo {
  return { code, size: Array.BYTES_PER_ELEMENT, Array, bigint: typeof min === 'bigint', integer, min, max };
}

const TYPES: Record<Typecode, TypeInfo> = {
  c: info('c', Uint8Array, 0, 255),
  b: info('b', Int8Array, -128, 127),
  B: info('B', Uint8Array, 0, 255),
  h: info('h', Int16Array, -32768, 32767),
  H: info('H', Uint16Array, 0, 65535),
  i: info('i', Int32Array, -2147483648, 2147483647),
  I: info('I', Uint32Array, 0, 4294967295),
  l: info('l', BigInt64Array, -(2n ** 63n), 2n ** 63n - 1n),
  L: info('L', BigUint64Array, 0n, 2n ** 64n - 1n),
  q: info('q', BigInt64Array, -(2n ** 63n), 2n ** 63n - 1n),
  Q: info('Q', BigUint64Array, 0n, 2n ** 64n - 1n),
  f: info('f', Float32Array, -Infinity, Infinity, false),
  d: info('d', Float64Array, -Infinity, Infinity, false),
  '?': info('?', Uint8Array, 0, 1),
};

export function typeInfo(code: unknown): TypeInfo {
  if (typeof code !== 'string' || !Object.hasOwn(TYPES, code)) {
    throw typeError(`The "typecode" argument must be one of ${Object.keys(TYPES).join(' ')}, received ${String(code)}`);
  }
  return TYPES[code as Typecode];
}

/** Converts a JavaScript value to what the typed array stores, rejecting what would corrupt. */
export function toStored(t: TypeInfo, value: unknown, name: string): number | bigint {
  if (t.code === '?') {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === 0 || value === 1) return value;
    throw typeError(`The "${name}" value must be a boolean for typecode '?', received ${String(value)}`);
  }
  if (t.code === 'c' && typeof value === 'string') {
    if (value.length !== 1 || value.charCodeAt(0) > 255) {
      throw rangeError(`The "${name}" value must be one character (code 0-255) for typecode 'c'`);
    }
    return value.charCodeAt(0);
  }
  if (t.bigint) {
    let v: bigint;
    if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
    else throw typeError(`The "${name}" value must be a bigint for typecode '${t.code}', received ${String(value)}`);
    if (v < (t.min as bigint) || v > (t.max as bigint)) {
      throw rangeError(`The "${name}" value ${v} is out of range for typecode '${t.code}'`);
    }
    return v;
  }
  if (typeof value !== 'number') {
    throw typeError(`The "${name}" value must be a number for typecode '${t.code}', received ${typeof value}`);
  }
  if (t.integer && (!Number.isInteger(value) || value < (t.min as number) || value > (t.max as number))) {
    throw rangeError(`The "${name}" value ${value} is not an integer in range for typecode '${t.code}'`);
  }
  return value;
}

/** Typecode as stored in the shared header (its character code). */
export function codeNumber(t: TypeInfo): number {
  return t.code.charCodeAt(0);
}
