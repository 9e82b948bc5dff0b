// Compiled by `tsc -p test/types` (test/types.test.ts): what the typecode decides.
import { expectTypeOf } from 'vitest';
import * as mp from 'multiproc';

const counter = mp.Value('i', 0);
expectTypeOf(counter).toEqualTypeOf<mp.SharedValue<number, 'i'>>();
expectTypeOf(counter).toMatchTypeOf<mp.SharedValue<number>>();
counter.value = 5;
counter.value += 1;
counter.add(1);
expectTypeOf(counter.add(1)).toBeNumber();
// @ts-expect-error a number Value holds numbers
counter.value = 5n;

const ratio = mp.RawValue('d', 0.5);
ratio.value = 2.25;
expectTypeOf(ratio.value).toBeNumber();

const big = mp.Value('q', 0n);
expectTypeOf(big.value).toBeBigInt();
big.value = 1n << 40n;
big.add(1n);
// @ts-expect-error a 64-bit Value holds bigint
big.value = 1;
expectTypeOf(mp.Value('Q', 0).value).toBeBigInt();
expectTypeOf(mp.Value('l').value).toBeBigInt();
expectTypeOf(mp.Value('?', true).value).toBeBoolean();
expectTypeOf(mp.Value('c', 'a').value).toBeString();
// @ts-expect-error the initial value must suit the typecode
mp.Value('i', 'x');
// @ts-expect-error not a typecode
mp.Value('z', 0);

export function worker(v: mp.SharedValue<number>): void { v.value += 1; }
worker(counter);
// @ts-expect-error a bigint Value is not a number one
worker(big);

const a = mp.Array('i', [1, 2, 3]);
expectTypeOf(a).toMatchTypeOf<Int32Array>();
expectTypeOf(a.reduce((x, y) => x + y, 0)).toBeNumber();
expectTypeOf(a.typecode).toEqualTypeOf<'i'>();
a[0] = 4;
const d = mp.Array('d', 10);
expectTypeOf(d).toMatchTypeOf<Float64Array>();
expectTypeOf(d).toEqualTypeOf<mp.SharedArray<'d'>>();
const q = mp.RawArray('q', [1n, 2]);
expectTypeOf(q).toMatchTypeOf<BigInt64Array>();
expectTypeOf(q.reduce((x, y) => x + y, 0n)).toBeBigInt();
// @ts-expect-error a 64-bit array holds bigint
q[0] = 1;
expectTypeOf(mp.Array('B', 4)).toEqualTypeOf<Uint8Array & mp.SharedArrayMethods<'B'>>();
expectTypeOf(mp.RawArray('f', 4)).toEqualTypeOf<Float32Array & mp.SharedArrayMethods<'f'>>();
expectTypeOf(mp.Array('Q', 4)).toEqualTypeOf<BigUint64Array & mp.SharedArrayMethods<'Q'>>();
expectTypeOf(mp.Array('?', [true, 0])).toEqualTypeOf<Uint8Array & mp.SharedArrayMethods<'?'>>();
expectTypeOf(mp.Array('c', 'hello').value).toBeString();
// @ts-expect-error only typecode 'c' takes a string
mp.Array('i', 'hello');

// Without a typecode: any array of numbers, or of bigints.
export function fill(arr: mp.SharedArray, n: number): void { arr.fill(n); }
fill(a, 0);
fill(d, 1.5);
// @ts-expect-error a bigint array is not a number one
fill(q, 0);
export function sum(arr: mp.SharedArray<bigint>): bigint { return arr[0]! + arr[1]!; }
sum(q);

const travelled = mp.deserialize<{ n: number }>(mp.serialize({ n: 1 }));
expectTypeOf(travelled).toEqualTypeOf<{ n: number }>();
expectTypeOf(mp.deserialize(mp.serialize(1))).toBeUnknown();

// The typecode helpers are public, so a user can name what a typecode holds.
expectTypeOf<mp.ValueOf<'q'>>().toEqualTypeOf<bigint>();
expectTypeOf<mp.TypedArrayByCode['d']>().toEqualTypeOf<Float64Array>();
expectTypeOf<mp.NumberTypecode>().toEqualTypeOf<Exclude<mp.Typecode, mp.BigintTypecode>>();

// Objects the library hands out cannot be constructed by users.
// @ts-expect-error made by the Pool
new mp.AsyncResult();
// @ts-expect-error made by the Pool
new mp.ResultStream();
// @ts-expect-error use mp.Pipe()
new mp.Connection();

// Atomic operations exist for integer typecodes only.
// @ts-expect-error a float Value has no atomics
ratio.add(1);
// @ts-expect-error a boolean Value has no atomics
mp.Value('?', false).exchange(true);
expectTypeOf(mp.Value('I', 1).compareExchange(1, 2)).toBeNumber();
// Typed without its typecode, a Value keeps them (checked at the call).
export function bump(v: mp.SharedValue<number>): number { return v.add(1); }
bump(counter);
bump(ratio);
