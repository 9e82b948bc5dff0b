/**
 * The message fuzzer's source of randomness: a small seeded generator (sfc32), so that a seed
 * replays the same messages in any process, and fillers for bytes and strings.
 */

/** A seeded pseudo-random generator (sfc32, seeded through splitmix32). */
export class Rng {
  /** @param {number} seed any 32-bit integer */
  constructor(seed) {
    let s = seed >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
  }

  /** @returns {number} a uniform 32-bit unsigned integer */
  u32() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) + t | 0;
    return t >>> 0;
  }

  /** @returns {number} uniform in [0, 1) */
  float() { return this.u32() / 2 ** 32; }

  /** @param {number} n @returns {number} an integer in [0, n) */
  int(n) { return Math.floor(this.float() * n); }

  /** @param {number} lo @param {number} hi @returns {number} an integer in [lo, hi] */
  range(lo, hi) { return lo + this.int(hi - lo + 1); }

  /** @param {number} p @returns {boolean} true with probability p */
  chance(p) { return this.float() < p; }

  /** @template T @param {readonly T[]} list @returns {T} */
  pick(list) { return list[this.int(list.length)]; }

  /**
   * One of `table`'s keys, each as likely as its weight.
   * @template {string} K @param {Record<K, number>} table @returns {K}
   */
  weighted(table) {
    let total = 0;
    for (const w of Object.values(table)) total += w;
    let r = this.float() * total;
    for (const [key, w] of Object.entries(table)) {
      r -= w;
      if (r < 0) return /** @type {K} */ (key);
    }
    return /** @type {K} */ (Object.keys(table)[0]);
  }
}

/**
 * `n` random bytes (xorshift32 words: a JavaScript loop fills a few MiB in milliseconds). The
 * view starts at offset 0 of a buffer up to 3 bytes longer, as many real views do.
 * @param {Rng} rng @param {number} n @returns {Uint8Array}
 */
export function randomBytes(rng, n) {
  const words = new Uint32Array((n + 3) >>> 2);
  let x = rng.u32() | 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, n);
}

// Characters by their UTF-8 width: 1 byte, 2 bytes (one-byte strings in V8 all the same),
// 3 bytes (two-byte strings in V8), and 4 bytes (surrogate pairs: two UTF-16 units).
const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:/{}"\\\n\t\u0000';
const LATIN1 = '\u00e9\u00e0\u00fc\u00df\u00ff\u00a0\u00a9\u0080';
const BMP = '\u2713\u20ac\u4e2d\u0800\uffff\u2028\u30a2\ufeff\u0100';
const ASTRAL = ['\u{1f600}', '\u{1d11e}', '\u{10ffff}', '\u{10000}'];

/** How a random string's characters are drawn. */
export const FLAVOURS = /** @type {const} */ (['ascii', 'latin1', 'bmp', 'astral', 'mixed']);

function randomChar(rng, flavour, room) {
  const kind = flavour === 'mixed' ? rng.pick(['ascii', 'ascii', 'latin1', 'bmp', 'astral']) : flavour;
  if (kind === 'astral' && room >= 2) return rng.pick(ASTRAL);
  if (kind === 'latin1') return rng.pick(LATIN1);
  if (kind === 'bmp') return rng.pick(BMP);
  return ASCII[rng.int(ASCII.length)];
}

// A random well-formed string of exactly `length` UTF-16 units, character by character.
function randomShortString(rng, length, flavour) {
  let s = '';
  while (s.length < length) {
    // Mostly the flavour's own characters, with some ASCII so that runs of each width meet.
    const c = rng.chance(0.8) ? randomChar(rng, flavour, length - s.length) : randomChar(rng, 'ascii', 1);
    s += c;
  }
  return s;
}

/**
 * A random well-formed string of exactly `length` UTF-16 units. Long ones repeat a random block
 * of 4,099 units (a period no chunk size divides) around a random head and tail.
 * @param {Rng} rng @param {number} length @param {typeof FLAVOURS[number]} flavour @returns {string}
 */
export function randomString(rng, length, flavour) {
  const BLOCK = 4099;
  if (length <= 4 * BLOCK) return randomShortString(rng, length, flavour);
  const head = randomShortString(rng, BLOCK, flavour);
  const block = randomShortString(rng, BLOCK, flavour);
  const tailLength = (length - BLOCK) % BLOCK;
  return head + block.repeat(Math.floor((length - BLOCK) / BLOCK)) + randomShortString(rng, tailLength, flavour);
}

/**
 * `s` with a lone surrogate put in at the start, the end or inside.
 * @param {Rng} rng @param {string} s @returns {string}
 */
export function withLoneSurrogate(rng, s) {
  const lone = rng.pick(['\ud800', '\udbff', '\udc00', '\udfff']);
  if (s.length === 0) return lone;
  const at = rng.pick([0, s.length - 1, rng.int(s.length)]);
  const out = s.slice(0, at) + lone + s.slice(at + 1);
  // It may have paired with a neighbour: fenced by ASCII it cannot.
  return out.isWellFormed() ? `${s.slice(0, at)}x${lone}x${s.slice(at + 1)}` : out;
}
