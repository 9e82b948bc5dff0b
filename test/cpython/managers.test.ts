/**
 * CPython's Lib/test/_test_multiprocessing.py, the manager cases: _TestContainers (list,
 * nested proxies, dict, Namespace), TestSyncManagerTypes (each type made in a manager and
 * checked by a real child process, which must exit 0) and _TestManagerRestart (a server
 * started again on the address of one shut down). Python's operators become methods:
 * `a[:]` is `copy()`, `a[2:10]` `slice(2, 10)`, `d[k] = v` `set(k, v)`, `del pets` `close()`.
 *
 * Left out, and why:
 * - list `*=` and `+`: JS has no operator overloading; extend() covers the server side.
 * - `str(namespace)`: a proxy's text is not the object's.
 * - _TestMyManager's iterator and `__getattr__` types: generators and properties are code or
 *   attributes, and only methods are called over a manager here.
 * - _TestRemoteManager / _TestManager_ok: covered across programs in test/manager.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { joinAllOk, start, useReaper } from './helpers.js';
import * as t from './targets/managers.mjs';

useReaper();

const open: mp.BaseManager[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.shutdown();
});

async function manager(): Promise<mp.SyncManager> {
  const m = await mp.Manager();
  open.push(m);
  return m;
}

type L = mp.ListProxy<unknown>;
type D = mp.DictProxy<unknown>;

describe('_TestContainers', () => {
  it('test_list', async () => {
    const m = await manager();
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const a = await m.list(range(10));
    expect(await a.copy()).toEqual(range(10));
    const b = await m.list<number>();
    expect(await b.copy()).toEqual([]);
    await b.extend(range(5));
    expect(await b.copy()).toEqual(range(5));
    expect(await b.get(2)).toBe(2);
    expect(await b.slice(2, 10)).toEqual([2, 3, 4]);
    const e = await m.list([a, b]);
    const elements = await e.copy() as L[];
    expect(await Promise.all(elements.map((x) => x.copy()))).toEqual([range(10), range(5)]);
    const f = await m.list([a]);
    await a.append('hello');
    expect(await (await f.get(0) as L).copy()).toEqual([...range(10), 'hello']);
  });

  it('test_list_proxy_in_list', async () => {
    const m = await manager();
    const a = await m.list(await Promise.all([0, 1, 2].map(() => m.list([0, 1, 2]))));
    const inner = async (i: number) => await a.get(i) as L;
    await (await inner(0)).set(-1, 55);
    expect(await (await inner(0)).copy()).toEqual([0, 1, 55]);
    for (const i of [1, 2]) expect(await (await inner(i)).copy()).toEqual([0, 1, 2]);
    expect(await (await inner(1)).pop()).toBe(2);
    expect(await (await inner(1)).length()).toBe(2);
    for (const i of [0, 2]) expect(await (await inner(i)).length()).toBe(3);
    a.close();
    const b = await m.list();
    await b.append(b);
    b.close();
  });

  it('test_dict', async () => {
    const m = await manager();
    const d = await m.dict<string>();
    const indices = [65, 66, 67, 68, 69];
    for (const i of indices) await d.set(i, String.fromCharCode(i));
    expect(await d.copy()).toEqual(Object.fromEntries(indices.map((i) => [i, String.fromCharCode(i)])));
    expect((await d.keys()).sort()).toEqual(indices);
    expect((await d.values()).sort()).toEqual(indices.map((i) => String.fromCharCode(i)));
    expect((await d.items()).sort()).toEqual(indices.map((i) => [i, String.fromCharCode(i)]));
  });

  it('test_dict_proxy_nested', async () => {
    const m = await manager();
    let pets: D = await m.dict({ ferrets: 2, hamsters: 4 });
    let supplies: D = await m.dict({ water: 10, feed: 3 });
    const d = await m.dict({ pets, supplies });
    const sub = async (k: string) => await d.get(k) as D;
    expect(await supplies.get('water')).toBe(10);
    expect(await (await sub('supplies')).get('water')).toBe(10);
    await (await sub('supplies')).set('blankets', 5);
    expect(await supplies.get('blankets')).toBe(5);
    expect(await (await sub('supplies')).get('blankets')).toBe(5);
    await (await sub('supplies')).set('water', 7);
    expect(await supplies.get('water')).toBe(7);

    pets.close();
    supplies.close();
    expect(await (await sub('pets')).get('ferrets')).toBe(2);
    await (await sub('supplies')).set('blankets', 11);
    expect(await (await sub('supplies')).get('blankets')).toBe(11);

    pets = await sub('pets');
    supplies = await sub('supplies');
    await supplies.set('water', 7);
    expect(await (await sub('supplies')).get('water')).toBe(7);

    await d.clear();
    expect(await d.size()).toBe(0);
    expect(await supplies.get('water')).toBe(7);
    expect(await pets.get('hamsters')).toBe(4);

    const l = await m.list([pets, supplies]);
    await (await l.get(0) as D).set('marmots', 1);
    expect(await pets.get('marmots')).toBe(1);
    expect(await (await l.get(0) as D).get('marmots')).toBe(1);
    pets.close();
    supplies.close();
    expect(await (await l.get(0) as D).get('marmots')).toBe(1);

    const outer = await m.list([[88, 99], l]);
    expect(Array.isArray(await outer.get(0))).toBe(true);
    const last = await outer.get(-1) as L;
    expect(await (await last.get(-1) as D).get('feed')).toBe(3);
  });

  it('test_namespace', async () => {
    const m = await manager();
    const n = await m.Namespace();
    await n.set('name', 'Bob');
    await n.set('job', 'Builder');
    await expect(n.set('_hidden', 'hidden')).rejects.toBeInstanceOf(TypeError);
    expect([await n.get('name'), await n.get('job')]).toEqual(['Bob', 'Builder']);
    await n.delete('job');
    expect(await n.copy()).toEqual({ name: 'Bob' });
    expect(await n.has('name')).toBe(true);
    expect(await n.has('job')).toBe(false);
  });
});

describe('TestSyncManagerTypes: each type checked by a child process', () => {
  async function inChild(target: (obj: never) => Promise<void>, obj: unknown): Promise<void> {
    await joinAllOk([start(target as never, [obj])]);
  }

  it('test_event', async () => {
    const m = await manager();
    const ev = await m.Event();
    await ev.set();
    await inChild(t.checkEvent, ev);
  });
  it('test_lock and test_rlock', async () => {
    const m = await manager();
    await inChild(t.checkLock, await m.Lock());
    await inChild(t.checkRLock, await m.RLock());
  });
  it('test_semaphore and test_bounded_semaphore', async () => {
    const m = await manager();
    await inChild(t.checkSemaphore, await m.Semaphore(2));
    await inChild(t.checkSemaphore, await m.BoundedSemaphore(2));
  });
  it('test_condition', async () => {
    const m = await manager();
    await inChild(t.checkCondition, await m.Condition());
  });
  it('test_barrier', async () => {
    const m = await manager();
    await inChild(t.checkBarrier, await m.Barrier(5));
  });
  it('test_queue and test_joinable_queue', async () => {
    const m = await manager();
    for (const q of [await m.Queue(2), await m.JoinableQueue(2)]) {
      await q.put(5);
      await q.put(6);
      await inChild(t.checkQueue, q);
      expect(await q.empty()).toBe(true);
    }
  });
  it('test_list', async () => {
    const m = await manager();
    const l = await m.list([5]);
    await inChild(t.checkList, l);
    expect(await l.copy()).toEqual([]);
  });
  it('test_dict', async () => {
    const m = await manager();
    const d = await m.dict({ foo: 5 });
    await inChild(t.checkDict, d);
    expect(await d.copy()).toEqual({});
  });
  it('test_namespace', async () => {
    const m = await manager();
    await inChild(t.checkNamespace, await m.Namespace({ x: 0, y: 1 }));
  });
  it('test_value', async () => {
    const m = await manager();
    const v = await m.Value('i', 1);
    await inChild(t.checkValue, v);
    expect(await v.get()).toBe(2);
  });
  it('test_array', async () => {
    const m = await manager();
    await inChild(t.checkArray, await m.Array('i', [0, 1]));
  });
});

describe('_TestManagerRestart', () => {
  it('a server starts again on the address of one that was shut down', async () => {
    const first = new mp.SyncManager({ address: { host: '127.0.0.1', port: 0 }, authkey: 'abc' });
    await first.start();
    const address = first.address;
    const q = await first.Queue();
    await q.put('hello world');
    await first.shutdown();
    const again = new mp.SyncManager({ address, authkey: 'abc' });
    await again.start();
    open.push(again);
    expect(again.address).toEqual(address);
    const q2 = await again.Queue();
    await q2.put('again');
    expect(await q2.get()).toBe('again');
  });
});
