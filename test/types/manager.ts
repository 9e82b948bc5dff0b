// Compiled by `tsc -p test/types` (test/types.test.ts): proxies' Promise methods and Sync twins.
import { expectTypeOf } from 'vitest';
import * as mp from 'multiproc';

declare const m: mp.SyncManager;
const d = await m.dict<number>({ a: 1 });
expectTypeOf(d.get('a')).toEqualTypeOf<Promise<number | undefined>>();
expectTypeOf(d.getSync('a')).toEqualTypeOf<number | undefined>();
d.setSync('b', 2);
// @ts-expect-error a dict of numbers stores numbers
void d.set('b', 'two');
const l = await m.list<string>();
expectTypeOf(l.appendSync('x')).toBeVoid();
expectTypeOf(await l.copy()).toEqualTypeOf<string[]>();
const v = await m.Value('q', 1);
expectTypeOf(v.getSync()).toEqualTypeOf<bigint>();
const lock = await m.Lock();
expectTypeOf(lock.acquireSync({ timeout: 5 })).toBeBoolean();
expectTypeOf(lock.release()).toEqualTypeOf<Promise<void>>();
// @ts-expect-error the server's context is not a client's argument
void lock.acquire({ caller: 'x' }, {});
const q = await m.Queue();
expectTypeOf(q.qsizeSync()).toBeNumber();

class MathClass { add(x: number, y: number): number { return x + y; } }
declare const b: mp.BaseManager;
const math = await b.create<MathClass>('Math');
expectTypeOf(math.add(1, 2)).toEqualTypeOf<Promise<number>>();
expectTypeOf(math.addSync(1, 2)).toBeNumber();
// @ts-expect-error add takes numbers
void math.add('1', 2);
