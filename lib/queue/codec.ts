/**
 * How messages are written into a queue's ring. The common small values (numbers, short
 * strings, booleans, null, undefined, byte arrays) get a one-byte tag and their raw bytes,
 * written straight into shared memory; everything else goes through structured clone
 * (mp.serialize, so shared objects travel as handles). A full v8.serialize costs more than
 * the whole ring operation for a small value, so this is what makes a million messages a
 * second possible.
 */
import { deserialize, serialize } from '../travel.js';

const enum Tag { Clone, Int, Double, String, True, False, Null, Undefined, Buffer, Bytes }

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
const decoder = new TextDecoder();
// Strings up to this many UTF-16 units are encoded in place (3 bytes per unit at most).
const INLINE_STRING = 4096;

/** A value ready to be written: its size, and how to write it at an offset. */
export interface Encoded {
  /** Upper bound of the bytes `write` needs (exact except for inline strings). */
  readonly size: number;
  /** Writes the value at `at` in `ring`; returns the bytes written. */
  write(ring: Uint8Array, view: DataView, at: number): number;
  /** The same bytes as a list of pieces, for values big enough to be streamed in chunks. */
  readonly parts?: readonly Uint8Array[];
}

function fixed(tag: Tag, size: number, body?: (view: DataView, at: number) => void): Encoded {
  return {
    size: 1 + size,
    write(ring, view, at) {
      ring[at] = tag;
      body?.(view, at + 1);
      return 1 + size;
    },
  };
}

function bytes(tag: Tag, data: Uint8Array): Encoded {
  return {
    size: 1 + data.byteLength,
    parts: [Uint8Array.of(tag), data],
    write(ring, _view, at) {
      ring[at] = tag;
      ring.set(data, at + 1);
      return 1 + data.byteLength;
    },
  };
}

/** Prepares `value` for writing; throws a TypeError for what cannot travel. */
export function encode(value: unknown): Encoded {
  switch (typeof value) {
    case 'number':
      if ((value | 0) === value && !Object.is(value, -0)) {
        return fixed(Tag.Int, 4, (v, at) => v.setInt32(at, value, true));
      }
      return fixed(Tag.Double, 8, (v, at) => v.setFloat64(at, value, true));
    case 'string':
      if (value.length <= INLINE_STRING) {
        return {
          size: 1 + value.length * 3,
          write(ring, _view, at) {
            ring[at] = Tag.String;
            return 1 + encoder.encodeInto(value, ring.subarray(at + 1, at + 1 + value.length * 3)).written;
          },
        };
      }
      break;
    case 'boolean':
      return fixed(value ? Tag.True : Tag.False, 0);
    case 'undefined':
      return fixed(Tag.Undefined, 0);
    case 'object':
      if (value === null) return fixed(Tag.Null, 0);
      if (Buffer.isBuffer(value)) return bytes(Tag.Buffer, value);
      if (value instanceof Uint8Array && value.constructor === Uint8Array) return bytes(Tag.Bytes, value);
      break;
    default:
      break;
  }
  return bytes(Tag.Clone, serialize(value));
}

/**
 * Reads the value written by encode() in `length` bytes at `at`. `owned`: `bytes` belong to
 * the caller alone (a reassembled stream), so byte arrays may be handed out as views of them;
 * otherwise they are shared memory that later messages overwrite, and every byte array must be
 * a copy, those inside structured clones included (v8's deserializer returns views of its input).
 */
export function decode(bytes: Uint8Array, view: DataView, at: number, length: number, owned = false): unknown {
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
    default: throw new TypeError(`corrupt queue record (tag ${bytes[at]})`);
  }
}
