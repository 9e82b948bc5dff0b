/**
 * How messages are written into a queue's ring. The common small values (numbers, short
 * strings, booleans, null, undefined, byte arrays) get a one-byte tag and their raw bytes,
 * written straight into shared memory; plain data (arrays and objects of those) gets the
 * compact encoding of tree.ts; everything else goes through structured clone (mp.serialize,
 * so shared objects travel as handles). A full v8.serialize costs more than the whole ring
 * operation for a small value, so this is what makes a million messages a second possible.
 */
import { deserialize, serialize } from '../travel.js';
import { decodeTree, encodeTree, unwrapLists } from './tree.js';

export { PlainList } from './tree.js';

const enum Tag { Clone, Int, Double, String, True, False, Null, Undefined, Buffer, Bytes, Tree }

// Received byte arrays are cut from slabs, as Buffer.allocUnsafe() cuts from its pool, but
// from larger ones: Node's 8 KiB pool is refilled every few 1 KiB messages, and that
// allocation dominated receiving them.
const SLAB_BYTES = 256 * 1024;
const SLAB_MAX_PIECE = 8 * 1024;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

function copyOut(from: Uint8Array): Buffer {
  const n = from.byteLength;
  if (n > SLAB_MAX_PIECE) return Buffer.from(from);
  if (slabUsed + n > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = Buffer.from(slab, slabUsed, n);
  out.set(from);
  slabUsed = (slabUsed + n + 7) & ~7;
  return out;
}

const encoder = new TextEncoder();
// ignoreBOM: a string's leading U+FEFF is part of it (by default a decoder strips it as a mark).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
// Strings up to this many UTF-16 units are encoded in place (3 bytes per unit at most).
const INLINE_STRING = 4096;

/** A value ready to be written: its size, and how to write it at an offset. */
export interface Encoded {
  /** Upper bound of the bytes `write` needs (exact except for inline strings). */
  readonly size: number;
  /** Writes the value at `at` in `ring`; returns the bytes written. */
  write(ring: Uint8Array, view: DataView, at: number): number;
  /** The same bytes, exactly, as a list of pieces: for values big enough to be streamed in chunks. */
  parts(): readonly Uint8Array[];
  /** The same value, holding no memory its sender may change later (a copy of its bytes if need be). */
  detach(): Encoded;
}

// An encoding written in place; its exact bytes are made on demand (values under 16 KiB,
// streamed only through very small rings).
abstract class InPlace implements Encoded {
  abstract readonly size: number;
  abstract write(ring: Uint8Array, view: DataView, at: number): number;
  parts(): readonly Uint8Array[] {
    const buf = new Uint8Array(this.size);
    const n = this.write(buf, new DataView(buf.buffer), 0);
    return [buf.subarray(0, n)];
  }
  detach(): Encoded {
    return this;
  }
}

class NumberEncoding extends InPlace {
  readonly size: number;
  constructor(private readonly value: number) {
    super();
    this.size = (value | 0) === value && !Object.is(value, -0) ? 5 : 9;
  }
  write(ring: Uint8Array, view: DataView, at: number): number {
    if (this.size === 5) {
      ring[at] = Tag.Int;
      view.setInt32(at + 1, this.value, true);
    } else {
      ring[at] = Tag.Double;
      view.setFloat64(at + 1, this.value, true);
    }
    return this.size;
  }
}

class TagEncoding extends InPlace {
  readonly size = 1;
  constructor(private readonly tag: Tag) { super(); }
  write(ring: Uint8Array, _view: DataView, at: number): number {
    ring[at] = this.tag;
    return 1;
  }
}

class StringEncoding extends InPlace {
  readonly size: number;
  constructor(private readonly value: string) {
    super();
    this.size = 1 + value.length * 3;
  }
  write(ring: Uint8Array, _view: DataView, at: number): number {
    ring[at] = Tag.String;
    return 1 + encoder.encodeInto(this.value, ring.subarray(at + 1, at + this.size)).written;
  }
}

class BytesEncoding implements Encoded {
  readonly size: number;
  constructor(private readonly tag: Tag, private readonly data: Uint8Array) {
    this.size = 1 + data.byteLength;
  }
  write(ring: Uint8Array, _view: DataView, at: number): number {
    ring[at] = this.tag;
    ring.set(this.data, at + 1);
    return this.size;
  }
  parts(): readonly Uint8Array[] {
    return [Uint8Array.of(this.tag), this.data];
  }
  // Buffers and byte arrays are the sender's own; trees and clones were made by encode().
  detach(): Encoded {
    return this.tag === Tag.Buffer || this.tag === Tag.Bytes ? new BytesEncoding(this.tag, new Uint8Array(this.data)) : this;
  }
}

const TRUE = new TagEncoding(Tag.True);
const FALSE = new TagEncoding(Tag.False);
const NULL = new TagEncoding(Tag.Null);
const UNDEFINED = new TagEncoding(Tag.Undefined);

/** Prepares `value` for writing; throws a TypeError for what cannot travel. */
export function encode(value: unknown): Encoded {
  switch (typeof value) {
    case 'number':
      return new NumberEncoding(value);
    case 'string':
      // Lone surrogates do not survive UTF-8: those strings go through structured clone.
      if (value.length <= INLINE_STRING && value.isWellFormed()) return new StringEncoding(value);
      break;
    case 'boolean':
      return value ? TRUE : FALSE;
    case 'undefined':
      return UNDEFINED;
    case 'object': {
      if (value === null) return NULL;
      if (Buffer.isBuffer(value)) return new BytesEncoding(Tag.Buffer, value);
      if (value instanceof Uint8Array && value.constructor === Uint8Array) return new BytesEncoding(Tag.Bytes, value);
      const tree = encodeTree(value);
      if (tree) return new BytesEncoding(Tag.Tree, tree);
      break;
    }
    default:
      break;
  }
  return new BytesEncoding(Tag.Clone, serialize(unwrapLists(value)));
}

/**
 * Reads the value written by encode() in `length` bytes at `at`. `owned`: `bytes` belong to
 * the caller alone (a reassembled stream), so byte arrays may be handed out as views of them;
 * otherwise they are shared memory that later messages overwrite, and every byte array must be
 * a copy, those inside structured clones included (v8's deserializer returns views of its input).
 */
export function decode(bytes: Buffer, view: DataView, at: number, length: number, owned = false): unknown {
  const body = at + 1;
  switch (bytes[at] as Tag) {
    case Tag.Int: return view.getInt32(body, true);
    case Tag.Double: return view.getFloat64(body, true);
    case Tag.String: return decoder.decode(bytes.subarray(body, at + length));
    case Tag.True: return true;
    case Tag.False: return false;
    case Tag.Null: return null;
    case Tag.Undefined: return undefined;
    case Tag.Buffer: return owned ? Buffer.from(bytes.buffer, bytes.byteOffset + body, length - 1)
      : copyOut(bytes.subarray(body, at + length));
    case Tag.Bytes: {
      const out = owned ? bytes.subarray(body, at + length) : copyOut(bytes.subarray(body, at + length));
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    case Tag.Clone: return deserialize(owned ? bytes.subarray(body, at + length) : copyOut(bytes.subarray(body, at + length)));
    case Tag.Tree: return decodeTree(bytes, view, body, at + length, owned, copyOut);
    default: throw new TypeError(`corrupt queue record (tag ${bytes[at]})`);
  }
}
