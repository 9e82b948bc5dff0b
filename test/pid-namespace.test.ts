// Programs in separate containers that share /dev/shm (docker --ipc, a Kubernetes pod's memory
// volume) run in separate PID namespaces, where a pid names another process or none. A lock's
// holder is known by the lease its mapping holds in the kernel (native/core/lease.h), not by its
// pid: a live holder in another namespace is never taken for dead, a dead one is recovered from
// anywhere, and a reused pid means nothing. These tests make namespaces with
// `unshare --pid --fork --mount-proc` (root) and skip, saying so, where that is not allowed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { shmName, sleep, spawnChild, useChildren, useShmCleanup, type Child, type Launcher } from './helpers/children.js';

useChildren();
useShmCleanup();

const canUnshare = (() => {
  try {
    execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!canUnshare) {
  console.warn('SKIPPED: the PID namespace tests need `unshare --pid --fork --mount-proc` (root)');
}

/** A pid no process has outside: pid liveness would take a holder there for dead. */
function pidFreeOutside(): number {
  const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  for (let pid = Math.floor(max / 2); pid < max - 1; pid++) if (!fs.existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

/** Runs the child as pid `pid` of a PID namespace of its own, which dies with it. */
const inNamespace = (pid?: number): Launcher => (argv) => ['unshare', [
  '--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c',
  `${pid === undefined ? '' : `echo ${pid - 1} > /proc/sys/kernel/ns_last_pid && `}"$@"`, 'sh', ...argv]];

async function ask(child: Child, command: string, answer: string): Promise<string> {
  const before = child.lines.length;
  child.send(command);
  return child.waitLine((l) => l.startsWith(answer) && child.lines.indexOf(l) >= before, 15_000);
}

type Kind = 'Lock' | 'RLock';
const open = (kind: Kind, name: string) => (kind === 'RLock' ? new mp.RLock({ name }) : new mp.Lock({ name }));

/** A process in another PID namespace, as a pid that does not exist here, holding the named lock. */
async function holderElsewhere(kind: Kind, name: string): Promise<Child> {
  const pid = pidFreeOutside();
  const holder = spawnChild('ns_lock.mjs', { kind, name }, inNamespace(pid));
  expect(await holder.waitLine((l) => l.startsWith('ready '), 15_000)).toBe(`ready ${pid}`);
  expect(await ask(holder, 'acquire 5000', 'acquired')).toBe('acquired true false');
  expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  return holder;
}

describe.skipIf(!canUnshare).each(['Lock', 'RLock'] as const)('%s across PID namespaces', (kind) => {
  it('a live holder in another namespace is never taken for dead; its release works', async () => {
    const name = shmName('ns');
    const holder = await holderElsewhere(kind, name);
    const lock = open(kind, name);
    // Well past the 50 ms after which a waiter looks at the holder's liveness.
    expect(lock.acquireSync({ timeout: 400 })).toBe(false);
    await expect(lock.acquire({ timeout: 400 })).resolves.toBe(false);
    expect(await ask(holder, 'release', 'release')).toBe('released');
    expect(lock.acquireSync({ timeout: 5000 })).toBe(true);
    expect(lock.ownerDied).toBe(false);
    lock.release();
  }, 30_000);

  it('a holder SIGKILLed in another namespace is recovered here', async () => {
    const name = shmName('ns');
    const holder = await holderElsewhere(kind, name);
    const lock = open(kind, name);
    expect(lock.acquireSync({ timeout: 200 })).toBe(false);
    holder.send('die');
    expect((await holder.exited()).code).not.toBe(0);
    await expect(lock.acquire({ timeout: 5000 })).resolves.toBe(true);
    expect(lock.ownerDied).toBe(true);
    lock.release();
  }, 30_000);

  it('a holder here is never taken for dead from inside another namespace', async () => {
    const name = shmName('ns');
    const lock = open(kind, name);
    expect(lock.acquireSync()).toBe(true);
    const waiter = spawnChild('ns_lock.mjs', { kind, name }, inNamespace());
    await waiter.waitLine((l) => l.startsWith('ready '), 15_000);
    expect(await ask(waiter, 'acquire 400', 'acquired')).toBe('acquired false false');
    lock.release();
    expect(await ask(waiter, 'acquire 5000', 'acquired')).toBe('acquired true false');
    expect(await ask(waiter, 'release', 'release')).toBe('released');
  }, 30_000);

  it('a dead holder whose pid was given to another process is recovered', async () => {
    const name = shmName('ns');
    const scenario = spawnChild('ns_pid_reuse.mjs', { kind, name }, inNamespace());
    const r = await scenario.result(30_000);
    expect(r.took).toBe('acquired true false');
    // The namespace is this scenario's alone, so the next pid is the one asked for.
    expect(r.impostorPid).toBe(r.deadPid);
    expect(r).toMatchObject({ acquired: true, ownerDied: true });
  }, 40_000);
});

/** The pid, as this namespace numbers it, of the program a namespace launcher runs. */
function programPid(launched: Child): number {
  const children = (pid: number) => fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim().split(/\s+/).filter(Boolean).map(Number);
  // unshare -> sh (pid 1 there) -> the program
  const [sh] = children(launched.pid);
  const [program] = children(sh!);
  return program!;
}

describe.skipIf(!canUnshare)('a named Queue across PID namespaces', () => {
  it('a stream whose live producer is paused in another namespace is not abandoned', async () => {
    const name = shmName('nsq');
    const capacity = 64 * 1024;
    const producer = spawnChild('ns_queue.mjs', { name, capacity }, inNamespace(pidFreeOutside()));
    await producer.waitLine('ready', 15_000);
    const q = new mp.Queue<Buffer>(0, { name, capacity });
    const size = 1 << 20;
    producer.send(`put ${size}`);
    await producer.waitLine('putting', 15_000);
    await sleep(200);
    // Stopped mid-stream: alive, but writing nothing, for longer than a reader waits before it
    // looks at whether the stream's writer lives (100 ms).
    const pid = programPid(producer);
    process.kill(pid, 'SIGSTOP');
    const got = q.get({ timeout: 30_000 });
    await sleep(800);
    process.kill(pid, 'SIGCONT');
    const message = await got;
    expect(message.length).toBe(size);
    let wrong = -1;
    for (let i = 0; i < size && wrong < 0; i++) if (message[i] !== i % 251) wrong = i;
    expect(wrong).toBe(-1);
    await producer.waitLine('put', 15_000);
    q.close();
  }, 40_000);
});

