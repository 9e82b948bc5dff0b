import { afterEach, describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { isRunning, spawnChild, stillRunning, useChildren, useShmCleanup } from './helpers/children.js';
import { appendTo, countUnderLock, countUnderLockSync, fillNested, holdAndHang, poolSquare } from './fixtures/targets/managed.mjs';

useChildren();
useShmCleanup();

const managers: mp.BaseManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown().catch(() => {});
});

async function manager(): Promise<mp.SyncManager> {
  const m = await mp.Manager();
  managers.push(m);
  return m;
}

describe('Manager(): containers', () => {
  it('serves dict, list, Namespace, Value and Array', async () => {
    const m = await manager();
    const d = await m.dict<number>({ a: 1 });
    await d.set('b', 2);
    await d.set(1, 10);
    expect(await d.get('a')).toBe(1);
    expect(await d.get('zz', 5)).toBe(5);
    expect(await d.has('b')).toBe(true);
    expect(await d.get('1')).toBeUndefined();
    expect(await d.size()).toBe(3);
    expect(await d.copy()).toEqual({ a: 1, b: 2, 1: 10 });
    expect(await d.delete('a')).toBe(true);
    expect(await d.pop('b')).toBe(2);
    await expect(d.pop('b')).rejects.toMatchObject({ code: 'ERR_KEY' });
    expect(await d.setdefault('c', 3)).toBe(3);
    expect(await d.keys()).toEqual([1, 'c']);

    const l = await m.list([3, 1, 2]);
    await l.append(4);
    await l.sort();
    expect(await l.copy()).toEqual([1, 2, 3, 4]);
    expect(await l.get(-1)).toBe(4);
    await expect(l.get(9)).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_INDEX' });
    expect(await l.pop()).toBe(4);
    expect(await l.length()).toBe(3);

    const ns = await m.Namespace({ x: 1 });
    await ns.set('y', 'two');
    expect(await ns.copy()).toEqual({ x: 1, y: 'two' });
    await expect(ns.set('_hidden', 1)).rejects.toMatchObject({ name: 'TypeError' });

    const v = await m.Value('i', 5);
    await v.set(7);
    expect(await v.get()).toBe(7);
    await expect(v.set(2 ** 40)).rejects.toMatchObject({ name: 'RangeError' });
    const q = await m.Value('q', 1);
    expect(await q.get()).toBe(1n);
    const a = await m.Array('d', [1.5, 2.5]);
    await a.set(0, 3);
    expect(await a.copy()).toEqual([3, 2.5]);
  });

  it('keeps nested containers as proxies: a list in a dict changes in place', async () => {
    const m = await manager();
    const d = await m.dict();
    const inner = await m.list<string>();
    await d.set('inner', inner);
    inner.close();
    const p = new mp.Process({ target: fillNested, args: [d], name: 'nested-child' }).start();
    await p.join();
    expect(p.exitCode).toBe(0);
    const again = await d.get('inner') as mp.ListProxy<string>;
    expect(await again.copy()).toEqual(['nested-child']);
    await again.append('parent');
    expect(await (await d.get('inner') as mp.ListProxy<string>).length()).toBe(2);
  });
});

describe('Manager(): proxies travel', () => {
  it('to Process children, which change the same objects', async () => {
    const m = await manager();
    const l = await m.list<number>();
    const ps = [0, 1].map((k) => new mp.Process({ target: appendTo, args: [l, [k * 10, k * 10 + 1]] }).start());
    await Promise.all(ps.map((p) => p.join()));
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0]);
    expect((await l.copy()).sort((x, y) => x - y)).toEqual([0, 1, 10, 11]);
  });

  it('stay alive in flight when the sender lets go of its own proxy at once', async () => {
    const m = await manager();
    const l = await m.list<number>();
    const p = new mp.Process({ target: appendTo, args: [l, [7]] }).start();
    const token = await m.dict({ keep: l });
    l.close();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await (await token.get('keep') as mp.ListProxy<number>).copy()).toEqual([7]);
  });

  it('to Pool tasks', async () => {
    const m = await manager();
    const d = await m.dict<number>();
    await using pool = new mp.Pool({ processes: 2 });
    const out = await pool.starmap(poolSquare, [1, 2, 3, 4].map((x) => [d, x]));
    expect(out).toEqual([1, 4, 9, 16]);
    expect(await d.copy()).toEqual({ 1: 1, 2: 4, 3: 9, 4: 16 });
  });
});

describe('Manager(): objects are freed with their last proxy', () => {
  const count = (m: mp.BaseManager) => (m as unknown as { objectCount(): Promise<number> }).objectCount();

  it('close(), containers and proxies in flight count; nothing is left after', async () => {
    const m = await manager();
    expect(await count(m)).toBe(0);
    const d = await m.dict();
    const l = await m.list<number>();
    expect(await count(m)).toBe(2);
    await d.set('l', l);
    l.close();
    expect(await count(m)).toBe(2);
    const again = await d.get('l') as mp.ListProxy<number>;
    const p = new mp.Process({ target: appendTo, args: [again, [1]] }).start();
    await d.delete('l');
    again.close();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await count(m)).toBe(1);
    d.close();
    expect(await count(m)).toBe(0);
  });

  it('a child killed while holding proxies leaves nothing counted', async () => {
    const m = await manager();
    const lock = await m.Lock();
    const ev = await m.Event();
    const p = new mp.Process({ target: holdAndHang, args: [lock, ev] }).start();
    expect(await ev.wait({ timeout: 10_000 })).toBe(true);
    lock.close();
    ev.close();
    expect(await count(m)).toBe(2);
    p.kill();
    await p.join();
    for (let i = 0; i < 100 && await count(m) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await count(m)).toBe(0);
  });
});

describe('Manager(): synchronization', () => {
  it('a managed Lock serializes updates of a managed Value across processes', async () => {
    const m = await manager();
    const lock = await m.Lock();
    const v = await m.Value('i', 0);
    const ps = [0, 1, 2].map(() => new mp.Process({ target: countUnderLock, args: [lock, v, 30] }).start());
    await Promise.all(ps.map((p) => p.join()));
    expect(await v.get()).toBe(90);
  });

  it('a Lock whose holder is killed goes to the next acquirer', async () => {
    const m = await manager();
    const lock = await m.Lock();
    const ev = await m.Event();
    const p = new mp.Process({ target: holdAndHang, args: [lock, ev] }).start();
    expect(await ev.wait({ timeout: 10_000 })).toBe(true);
    expect(await lock.acquire({ blocking: false })).toBe(false);
    p.kill();
    await p.join();
    expect(await lock.acquire({ timeout: 10_000 })).toBe(true);
    await lock.release();
  });

  it('serves Semaphore, Event, Condition, Barrier, Queue and JoinableQueue', async () => {
    const m = await manager();
    const s = await m.BoundedSemaphore(1);
    expect(await s.acquire()).toBe(true);
    expect(await s.acquire({ timeout: 20 })).toBe(false);
    await s.release();
    await expect(s.release()).rejects.toMatchObject({ code: 'ERR_RELEASED_TOO_MANY_TIMES' });
    const e = await m.Event();
    expect(await e.wait({ timeout: 10 })).toBe(false);
    await e.set();
    expect(await e.isSet()).toBe(true);
    const c = await m.Condition();
    await c.acquire();
    expect(await c.wait({ timeout: 10 })).toBe(false);
    await c.release();
    const b = await m.Barrier(2);
    expect((await Promise.all([b.wait(), b.wait()])).sort()).toEqual([0, 1]);
    const q = await m.Queue(1);
    await q.put('a');
    await expect(q.put('b', { timeout: 10 })).rejects.toMatchObject({ code: 'ERR_QUEUE_FULL' });
    expect(await q.get()).toBe('a');
    await expect(q.get({ block: false })).rejects.toBeInstanceOf(mp.Empty);
    const jq = await m.JoinableQueue();
    await jq.put(1);
    const joined = jq.join();
    await jq.get();
    await jq.taskDone();
    await joined;
    await expect(jq.taskDone()).rejects.toMatchObject({ code: 'ERR_TASK_DONE' });
  });
});

describe('Manager(): Sync twins', () => {
  it('every proxy method has one, nested proxies included', async () => {
    const m = await manager();
    const d = await m.dict<unknown>({ a: 1 });
    d.setSync('b', 2);
    expect(d.getSync('a')).toBe(1);
    expect(d.copySync()).toEqual({ a: 1, b: 2 });
    const l = await m.list<number>();
    d.setSync('l', l);
    (d.getSync('l') as mp.ListProxy<number>).appendSync(5);
    expect(l.copySync()).toEqual([5]);
    expect(() => l.getSync(3)).toThrow(expect.objectContaining({ code: 'ERR_INDEX' }) as Error);
    // Sync and Promise calls interleave on one connection.
    const pending = d.get('b');
    expect(d.sizeSync()).toBe(3);
    expect(await pending).toBe(2);
  });

  it('in children: a Sync lock and value stay exact', async () => {
    const m = await manager();
    const lock = await m.Lock();
    const v = await m.Value('i', 0);
    const ps = [0, 1].map(() => new mp.Process({ target: countUnderLockSync, args: [lock, v, 50] }).start());
    await Promise.all(ps.map((p) => p.join()));
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0]);
    expect(v.getSync()).toBe(100);
  });

  it('a Sync call to a killed server throws ERR_MANAGER_GONE', async () => {
    const m = await manager();
    const d = await m.dict();
    mp.activeChildren().find((p) => p.name === 'ManagerServer')!.kill();
    await new Promise((r) => setTimeout(r, 100));
    expect(() => d.getSync('a')).toThrow(expect.objectContaining({ code: 'ERR_MANAGER_GONE' }) as Error);
  });
});

describe('Manager(): failure is coded and bounded', () => {
  it('calls after shutdown() reject with ERR_MANAGER_CLOSED; the process is gone', async () => {
    const m = await mp.Manager();
    const d = await m.dict();
    const pid = mp.activeChildren().find((p) => p.name === 'ManagerServer')!.pid!;
    await m.shutdown();
    await expect(d.get('a')).rejects.toMatchObject({ code: 'ERR_MANAGER_CLOSED' });
    await expect(m.dict()).rejects.toMatchObject({ code: 'ERR_MANAGER_CLOSED' });
    expect(await stillRunning([pid])).toEqual([]);
  });

  it('calls to a killed server reject with ERR_MANAGER_GONE, owed ones included', async () => {
    const m = await manager();
    const q = await m.Queue();
    const owed = q.get();
    const server = mp.activeChildren().find((p) => p.name === 'ManagerServer')!;
    server.kill();
    await expect(owed).rejects.toMatchObject({ code: 'ERR_MANAGER_GONE' });
    await expect(q.qsize()).rejects.toMatchObject({ code: 'ERR_MANAGER_GONE' });
  });

  it('the manager process dies with its program, SIGKILL included', async () => {
    const child = spawnChild('manager_family.mjs', { scenario: 'managerThenKilled' });
    const line = JSON.parse(await child.waitLine((l) => l.includes('ready'))) as { pids: number[] };
    expect(line.pids.length).toBe(1);
    expect(isRunning(line.pids[0]!)).toBe(true);
    child.kill('SIGKILL');
    await child.exited();
    expect(await stillRunning(line.pids, 10_000)).toEqual([]);
  });

  it('a program that never shuts its manager down still exits, leaving no process', async () => {
    const r = await spawnChild('manager_family.mjs', { scenario: 'normalExit' }).result();
    expect(r.list).toEqual([1, 2]);
    expect(await stillRunning(r.pids)).toEqual([]);
  });

  it('bad arguments are TypeErrors at the call', async () => {
    const m = await manager();
    await expect(m.create('nope')).rejects.toMatchObject({ name: 'TypeError' });
    await expect(m.Value('x' as 'i', 1)).rejects.toMatchObject({ name: 'TypeError' });
    const d = await m.dict();
    await expect(d.set({} as unknown as string, 1)).rejects.toMatchObject({ name: 'TypeError' });
    expect(() => new mp.BaseManager({ address: { host: 'h', port: 70000 } })).toThrow(RangeError);
    expect(() => new mp.BaseManager({ authkey: 5 as unknown as string })).toThrow(TypeError);
  });
});

describe('BaseManager: a server program and a client program', () => {
  it('register, serveForever, connect, create, call, shutdown over TCP (port 0)', async () => {
    const server = spawnChild('manager_family.mjs', { scenario: 'serve', address: { host: '127.0.0.1', port: 0 }, authkey: 'secret-key' });
    const { listening } = JSON.parse(await server.waitLine((l) => l.includes('listening'))) as { listening: mp.ManagerAddress };
    expect('port' in listening && listening.port).toBeGreaterThan(0);
    const client = new mp.BaseManager({ address: listening, authkey: 'secret-key' });
    client.register('Math');
    await client.connect();
    const math = await client.create('Math');
    expect(await math.add!(4, 4)).toBe(8);
    expect(await math.slowAdd!(1, 2)).toBe(3);
    await expect(math.fail!()).rejects.toMatchObject({ name: 'RangeError', message: 'math says no' });
    expect((math as Record<string, unknown>)._secret).toBeUndefined();
    expect(() => math.addSync!(1, 1)).toThrow(expect.objectContaining({ code: 'ERR_SYNC_UNSUPPORTED' }) as Error);
    await client.shutdown();
    expect((await server.result()).stopped).toBe(true);
  });

  it('a wrong authkey is an AuthenticationError, and the server goes on', async () => {
    const path = `\0multiproc-test-${process.pid}-${Date.now()}`;
    const server = spawnChild('manager_family.mjs', { scenario: 'serve', address: { path }, authkey: 'right' });
    await server.waitLine((l) => l.includes('listening'));
    const wrong = new mp.BaseManager({ address: { path }, authkey: 'wrong' });
    const err = await wrong.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(mp.AuthenticationError);
    expect((err as mp.AuthenticationError).code).toBe('ERR_AUTHENTICATION');
    const right = new mp.BaseManager({ address: { path }, authkey: 'right' });
    await right.connect();
    expect(await (await right.create('Math')).mul!(6, 7)).toBe(42);
    await right.shutdown();
    await server.result();
  });

  it('start() runs the registered class in a server process of its own', async () => {
    const { MathClass } = await import('./fixtures/targets/managed.mjs');
    const m = new mp.BaseManager({ address: { host: '127.0.0.1', port: 0 } });
    m.register('Math', MathClass);
    await m.start();
    managers.push(m);
    expect('port' in m.address && m.address.port).toBeGreaterThan(0);
    const math = await m.create<InstanceType<typeof MathClass>>('Math');
    expect(await math.add(2, 3)).toBe(5);
    // The process that started the server reaches it through shared memory: Sync works.
    expect(math.mulSync(3, 4)).toBe(12);
  });
});

describe('Manager(): a container handing back what it removes', () => {
  it('pop() and a Queue get() return the object as a working proxy', async () => {
    const m = await manager();
    const d = await m.dict<mp.ListProxy<number>>();
    const q = await m.Queue();
    const inner = await m.list([1]);
    await d.set('x', inner);
    await q.put(inner);
    inner.close();
    const popped = await d.pop('x');
    const got = await q.get() as mp.ListProxy<number>;
    await popped.append(2);
    expect(await got.copy()).toEqual([1, 2]);
  });
});
