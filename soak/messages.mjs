// The soak's messages: every message is a pure function of (run seed, channel, producer id,
// sequence number), so a consumer checks what it took by making it again, and a failure can
// be replayed from the seed. The shapes cover the codec's paths: numbers and short strings
// (one-byte tags), plain objects and arrays (the compact encoding), typed arrays and Buffers
// (pooled ones too, views into a larger ArrayBuffer), what only structured clone reproduces
// (Map, Date, BigInt), and Buffers larger than a quarter of the ring (streamed).
import { isDeepStrictEqual } from 'node:util';
import { mix32 } from './shared.mjs';

/** The channels messages travel on; `big` is the streamed size range (over a quarter ring). */
export const CHANNELS = {
  A: { label: 'queue A (unbounded, 256 KiB ring)', capacity: 256 << 10, maxsize: 0, big: [70_000, 600_000] },
  B: { label: 'queue B (maxsize 64, 64 KiB ring)', capacity: 64 << 10, maxsize: 64, big: [17_000, 150_000] },
  N: { label: 'named queue (128 KiB ring)', capacity: 128 << 10, maxsize: 0, big: [33_000, 300_000] },
  P: { label: 'pipes (64 KiB rings)', capacity: 64 << 10, maxsize: 0, big: [17_000, 200_000] },
};

// A number message is producer * 2^21 + seq: producers never send more than MAX_SEQ messages.
export const MAX_SEQ = 1 << 21;
const NOISE_BYTES = 1 << 20;
const TEXT_CHARS = 1 << 16;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789 -_éßΩ漢字';

let noise = null;
let text = '';
let seed = 0;

/** Builds the noise every message is cut from; call once per process with the run's seed. */
export function initMessages(runSeed) {
  seed = runSeed >>> 0;
  noise = Buffer.allocUnsafe(NOISE_BYTES);
  for (let i = 0; i < NOISE_BYTES; i += 4) noise.writeUInt32LE(mix32(seed ^ i), i);
  const chars = new Array(TEXT_CHARS);
  for (let i = 0; i < TEXT_CHARS; i++) chars[i] = ALPHABET[noise[i] % ALPHABET.length];
  text = chars.join('');
}

const between = (h, lo, hi) => lo + (h % (hi - lo));
const textAt = (h, len) => text.slice(h % (TEXT_CHARS - len), (h % (TEXT_CHARS - len)) + len);

function bytesAt(h, n) {
  const b = Buffer.allocUnsafe(n);
  noise.copy(b, 0, h % (NOISE_BYTES - n), (h % (NOISE_BYTES - n)) + n);
  return b;
}

function binary(p, s, h, n) {
  const b = bytesAt(h, n);
  b.writeUInt32LE(p, 0);
  b.writeUInt32LE(s, 4);
  return b;
}

/** Message `s` of producer `p` on `channel`. */
export function makeMessage(channel, p, s) {
  const h = mix32(mix32(seed ^ p) + s);
  const h2 = mix32(h ^ 0x5bd1e995);
  const r = h % 1000;
  const quarter = CHANNELS[channel].capacity / 4;
  if (r < 8) return binary(p, s, h2, between(h2 >>> 3, ...CHANNELS[channel].big));
  if (r < 60) return binary(p, s, h2, between(h2 >>> 3, 1024, quarter - 64));
  if (r < 160) return binary(p, s, h2, between(h2 >>> 3, 8, 1024));
  if (r < 460) return p * MAX_SEQ + s;
  if (r < 560) return `${p}:${s}:${textAt(h2, h2 % 40)}`;
  if (r < 600) return `${p}:${s}:${textAt(h2, between(h2 >>> 3, 200, 6000))}`;
  if (r < 780) return { p, s, a: [h2 & 0xff, -1.5, true, null], t: textAt(h2, h2 % 30), n: { x: h2 >>> 8 } };
  if (r < 880) return [p, s, textAt(h2, 3), 0.25, [h2 & 7, -(h2 & 15)], false];
  if (r < 930) {
    const a = new Float64Array(between(h2, 2, 64));
    for (let i = 2; i < a.length; i++) a[i] = (h2 + i) / 7;
    a[0] = p;
    a[1] = s;
    return a;
  }
  return { p, s, m: new Map([['k', h2], [h2 & 3, 'v']]), d: new Date(1e12 + h2), b: BigInt(h2) * 3n };
}

function decode(m) {
  if (typeof m === 'number') return [Math.floor(m / MAX_SEQ), m % MAX_SEQ];
  if (typeof m === 'string') {
    const a = m.indexOf(':');
    return [Number(m.slice(0, a)), Number(m.slice(a + 1, m.indexOf(':', a + 1)))];
  }
  if (m instanceof Float64Array) return [m[0], m[1]];
  if (m instanceof Uint8Array) {
    if (m.byteLength < 8) return [NaN, NaN];
    const v = new DataView(m.buffer, m.byteOffset, 8);
    return [v.getUint32(0, true), v.getUint32(4, true)];
  }
  if (Array.isArray(m)) return [m[0], m[1]];
  if (typeof m === 'object' && m !== null) return [m.p, m.s];
  return [NaN, NaN];
}

/** Payload bytes of a message (binary and text exactly, 8 per number, a nominal 48 for the rest). */
function payloadBytes(m) {
  if (typeof m === 'number') return 8;
  if (typeof m === 'string') return m.length;
  if (ArrayBuffer.isView(m)) return m.byteLength;
  return 48;
}

const validId = (x, max) => Number.isInteger(x) && x >= 0 && x < max;

/** What a consumer took: its producer and sequence, whether it is exactly what was sent, its bytes. */
export function verifyMessage(channel, m) {
  const [p, s] = decode(m);
  if (!validId(p, 1 << 24) || !validId(s, MAX_SEQ)) return { p: -1, s: -1, ok: false, bytes: 0 };
  return { p, s, ok: isDeepStrictEqual(m, makeMessage(channel, p, s)), bytes: payloadBytes(m) };
}
