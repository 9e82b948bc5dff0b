// What a message looks like after a trip through a queue: always what structured clone
// (v8.deserialize(v8.serialize(x))) gives, whichever encoding the queue picked for it.
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { useShmCleanup } from './helpers/children.js';

useShmCleanup();

const clone = (value: unknown) => v8.deserialize(v8.serialize(value));

function trip<T>(q: mp.Queue, value: T): T {
  q.putNowait(value);
  return q.getSync() as T;
}

// A deterministic pseudo-random generator, so a failure can be replayed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 9 : 13));
  switch (pick) {
    case 0: return Math.floor(next() * 2 ** 31) * (next() < 0.5 ? -1 : 1);
    case 1: return next() * 1e6 - 5e5;
    case 2: return [-0, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 31, -(2 ** 31)][Math.floor(next() * 7)];
    case 3: return 'k' + 'é✓😀a'.repeat(Math.floor(next() * 5));
    case 4: return next() < 0.5;
    case 5: return null;
    case 6: return undefined;
    case 7: return Buffer.from([1, 2, Math.floor(next() * 255)]);
    case 8: return new Uint8Array([Math.floor(next() * 255), 7]);
    case 9:
    case 10: return Array.from({ length: Math.floor(next() * 12) }, () => randomValue(next, depth + 1));
    case 11: return Array.from({ length: 20 + Math.floor(next() * 80) }, (_, i) => (next() < 0.9 ? i * 3 : i + 0.5));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 6); i > 0; i--) o[next() < 0.2 ? String(i) : `key${i}é`] = randomValue(next, depth + 1);
      return o;
    }
  }
}

describe('message encoding', () => {
  it('2,000 random plain-data values come out as structured clone gives them', () => {
    const q = new mp.Queue(0, { capacity: 1 << 16 });
    const next = rng(12345);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(next, 0);
      const got = trip(q, value);
      expect(got).toStrictEqual(clone(value));
      if (Buffer.isBuffer(value)) expect(Buffer.isBuffer(got)).toBe(true);
    }
  });

  it('keeps what the compact encoding cannot: holes, extra array properties, shared references, cycles, classes', () => {
    const q = new mp.Queue();
    const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const extra = Object.assign([1, 2], { tag: 'x' });
    const match = 'abc'.match(/b/)!;
    const shared = { n: 1 };
    const dag = { a: shared, b: shared, list: [shared] };
    const cycle: Record<string, unknown> = { name: 'c' };
    cycle.self = cycle;
    const buf = Buffer.from('same');
    const values: unknown[] = [holes, extra, match, dag, cycle, { when: new Date(0), m: new Map([[1, [2]]]) },
      { big: 10n, set: new Set(['a']) }, [buf, buf], { s: 'lone \ud800 surrogate' }, 'top \udc00 lone',
      Object.assign(Object.create(null), { x: 1 }), JSON.parse('{"__proto__": {"y": 2}}'),
      new Float64Array([1.5, 2]), { nested: [[[[[[[[[[1]]]]]]]]]] }];
    for (const value of values) expect(trip(q, value)).toStrictEqual(clone(value));
    const d = trip(q, dag);
    expect(d.a).toBe(d.b);
    expect(d.list[0]).toBe(d.a);
    const c = trip(q, cycle);
    expect(c.self).toBe(c);
    const [b1, b2] = trip(q, [buf, buf]);
    expect(b1).toBe(b2);
    expect(1 in trip(q, holes)).toBe(false);
    expect(trip(q, extra).tag).toBe('x');
    expect(trip(q, match).index).toBe(1);
    expect(trip(q, { s: 'lone \ud800' }).s).toBe('lone \ud800');
    expect(Object.getPrototypeOf(trip(q, JSON.parse('{"__proto__": {"y": 2}}')))).toBe(Object.prototype);
  });

  it('long numeric arrays and large plain objects, streamed through a small ring', () => {
    const q = new mp.Queue(0, { capacity: 4096 });
    const ints = Array.from({ length: 5000 }, (_, i) => i * 7 - 1000);
    const mixed = Array.from({ length: 3000 }, (_, i) => (i % 5 === 0 ? i / 3 : i));
    const rows = Array.from({ length: 60 }, (_, i) => ({ id: i, name: `row ${i} ✓`, tags: ['a', 'b'], score: i / 7 }));
    for (const value of [ints, mixed, { rows }, rows, 'é'.repeat(2000), 'x'.repeat(600)]) {
      expect(trip(q, value)).toStrictEqual(clone(value));
    }
  });

  it('a shared object referenced twice in one message arrives as one live object', () => {
    const q = new mp.Queue();
    const counts = new mp.RawArray('i', 2);
    const got = trip(q, [[counts, 1], [counts, 2], { again: counts }]) as [[Int32Array, number], [Int32Array, number], { again: Int32Array }];
    expect(got[0][0]).toBe(got[1][0]);
    expect(got[2].again).toBe(got[0][0]);
    Atomics.add(got[1][0], 1, 5);
    expect(counts[1]).toBe(5);
    const viaSerialize = mp.deserialize(mp.serialize({ a: counts, b: [counts] })) as { a: Int32Array; b: Int32Array[] };
    expect(viaSerialize.b[0]).toBe(viaSerialize.a);
  });

  it('a message that ends within 7 bytes of the end of a grown encoding slab (the crash after some sizes)', () => {
    // [Buffer(L)] encodes to 10 + L bytes and grows the slab to 2 * (10 + L): 6 mod 8 for an odd
    // L. The second message fills that slab to its last byte but one; repeating the pair makes
    // every later round start from the same state, whatever earlier tests left.
    const q = new mp.Queue(0, { capacity: 1 << 22 });
    for (const L of [300_001, 300_003, 400_005]) {
      const size = 2 * (10 + L);
      const filler = size - 1 - ((10 + L + 7) & ~7) - 10;
      for (let round = 0; round < 3; round++) {
        for (const n of [L, filler]) {
          const sent = Buffer.alloc(n, n & 0xff);
          const got = trip(q, [sent]);
          expect(got.length).toBe(1);
          expect(Buffer.isBuffer(got[0]) && got[0].equals(sent)).toBe(true);
        }
      }
    }
    expect(trip(q, { after: [1, 2, 3] })).toEqual({ after: [1, 2, 3] });
  });

  it('a string that starts with U+FEFF keeps it (a decoder strips a leading byte order mark by default)', () => {
    const q = new mp.Queue(0, { capacity: 4096 });
    // Inline (up to 4,096 units), streamed through the small ring, inside a tree, long.
    for (const s of ['\ufeff', '\ufeffabc', '\ufeff\ufeffx', '\ufeff'.repeat(4096), ['\ufeffx'], '\ufeff'.repeat(5000)]) {
      expect(trip(q, s)).toStrictEqual(s);
    }
  });

  it('a getter that throws fails the put, and the queue goes on', () => {
    const q = new mp.Queue();
    const bad = { get boom() { throw new Error('getter'); } };
    expect(() => q.putNowait(bad)).toThrow('getter');
    expect(trip(q, { ok: [1, 'two'] })).toEqual({ ok: [1, 'two'] });
    expect(q.empty()).toBe(true);
  });
});
