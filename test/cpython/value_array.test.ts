/**
 * CPython's Lib/test/_test_multiprocessing.py, the Value and Array cases (_TestValue,
 * _TestArray, and _TestSharedCTypes without ctypes structures), with real child processes.
 * An Array is a typed array: Python's slices are slice() and set(). 64-bit typecodes hold
 * bigints; 'c' holds one-character strings (an Array('c') has .value, a latin1 string).
 *
 * Skipped, and why:
 * - _TestValue.test_getobj_getlock, its get_obj() half: no get_obj(); the value is the object.
 * - _TestArray.test_getobj_getlock_obj, its get_obj() half: no get_obj(); the typed array is the object.
 * - _TestSharedCTypes.test_sharedctypes and test_synchronize, their _Foo structure: no ctypes structures.
 * - _TestSharedCTypes.test_copy: no ctypes structures or sharedctypes.copy().
 * - TestSyncManagerTypes.test_value: no Manager yet.
 * - TestSyncManagerTypes.test_array: no Manager yet.
 */
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { start, thrown, useReaper } from './helpers.js';
import { double, runningSums, setValues } from './targets/value_array.mjs';

useReaper();

type Code = [mp.Typecode, number | bigint | string, number | bigint | string];
const codesValues: Code[] = [
  ['i', 4343, 24234],
  ['d', 3.625, -4.25],
  ['h', -232, 234],
  ['q', 2n ** 33n, 2n ** 34n],
  ['c', 'x', 'y'],
];

// _TestValue.test_value / test_rawvalue
async function valuesTravel(make: typeof mp.Value): Promise<void> {
  const values = codesValues.map(([code, value]) => make(code, value));
  values.forEach((sv, i) => expect(sv.value).toBe(codesValues[i]![1]));
  const proc = start(setValues, [values, codesValues.map((c) => c[2])], { daemon: true });
  await proc.join();
  expect(proc.exitCode).toBe(0);
  values.forEach((sv, i) => expect(sv.value).toBe(codesValues[i]![2]));
}

// _TestArray.test_array / test_rawarray
async function arrayTravels(make: typeof mp.Array): Promise<void> {
  const seq = [680, 626, 934, 821, 150, 233, 548, 982, 714, 831];
  const arr = make('i', seq);
  expect(arr.length).toBe(seq.length);
  expect(arr[3]).toBe(seq[3]);
  expect([...arr.slice(2, 7)]).toEqual(seq.slice(2, 7));

  arr.set([1, 2, 3, 4], 4);
  seq.splice(4, 4, 1, 2, 3, 4);
  expect([...arr]).toEqual(seq);

  runningSums(seq);
  const p = start(runningSums, [arr], { daemon: true });
  await p.join();
  expect(p.exitCode).toBe(0);
  expect([...arr]).toEqual(seq);
}

// _TestValue.test_getobj_getlock / _TestArray.test_getobj_getlock_obj, the lock half.
function getLock(make: (options?: mp.SharedDataOptions) => { getLock(): mp.Lock | mp.RLock },
  makeRaw: () => { getLock(): mp.Lock | mp.RLock }): void {
  expect(make().getLock()).toBeInstanceOf(mp.RLock);
  expect(make({ lock: true }).getLock()).toBeInstanceOf(mp.RLock);
  const lock = new mp.Lock();
  expect(make({ lock }).getLock()).toBe(lock);
  // Python: no get_lock attribute; here getLock() throws.
  expect(thrown(() => make({ lock: false }).getLock())).toBeInstanceOf(TypeError);
  expect(thrown(() => make({ lock: 'navalue' as never }))).toBeInstanceOf(TypeError);
  expect(thrown(() => makeRaw().getLock())).toBeInstanceOf(TypeError);
}

describe('_TestValue', () => {
  it('_TestValue.test_value', async () => {
    await valuesTravel(mp.Value);
  });

  it('_TestValue.test_rawvalue', async () => {
    await valuesTravel(mp.RawValue);
  });

  it('_TestValue.test_getobj_getlock', () => {
    getLock((options) => mp.Value('i', 5, options), () => mp.RawValue('i', 5));
  });

  it('_TestValue.test_invalid_typecode', () => {
    expect(thrown(() => mp.Value('x' as mp.Typecode, 0)).message).toMatch(/typecode/);
    expect(thrown(() => mp.RawValue('x' as mp.Typecode, 0)).message).toMatch(/typecode/);
  });
});

describe('_TestArray', () => {
  it('_TestArray.test_array', async () => {
    await arrayTravels(mp.Array);
  });

  it('_TestArray.test_array_from_size', () => {
    // Zeroed, even when the memory is reused (issue #11675).
    const size = 10;
    for (let round = 0; round < 3; round++) {
      const arr = mp.Array('i', size);
      expect(arr.length).toBe(size);
      expect([...arr]).toEqual(new Array(size).fill(0));
      arr.set(Array.from({ length: 10 }, (_, i) => i));
      expect([...arr]).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
  });

  it('_TestArray.test_rawarray', async () => {
    await arrayTravels(mp.RawArray);
  });

  it('_TestArray.test_getobj_getlock_obj', () => {
    const range10 = Array.from({ length: 10 }, (_, i) => i);
    getLock((options) => mp.Array('i', range10, options), () => mp.RawArray('i', range10));
  });

  it('_TestArray.test_invalid_typecode', () => {
    expect(thrown(() => mp.Array('x' as mp.Typecode, [])).message).toMatch(/typecode/);
    expect(thrown(() => mp.RawArray('x' as mp.Typecode, [])).message).toMatch(/typecode/);
  });
});

describe('_TestSharedCTypes', () => {
  for (const [name, lock] of [['test_sharedctypes', false], ['test_synchronize', true]] as const) {
    it(`_TestSharedCTypes.${name}`, async () => {
      const x = mp.Value('i', 7, { lock });
      const y = mp.Value('d', 1.0 / 3.0, { lock });
      const z = mp.Value('q', 2n ** 33n, { lock });
      const arr = mp.Array('d', Array.from({ length: 10 }, (_, i) => i), { lock });
      const string = mp.Array('c', 20, { lock });
      string.value = 'hello';

      const p = start(double, [x, y, z, arr, string], { daemon: true });
      await p.join();
      expect(p.exitCode).toBe(0);

      expect(x.value).toBe(14);
      expect(y.value).toBeCloseTo(2.0 / 3.0);
      expect(z.value).toBe(2n ** 34n);
      for (let i = 0; i < 10; i++) expect(arr[i]).toBeCloseTo(i * 2);
      expect(string.value).toBe('hellohello');
    });
  }
});
