/**
 * Test helpers: spawn plain Node children running .mjs fixtures from test/fixtures/, and keep
 * track of every child and every /dev/shm entry a test creates so that nothing is left behind,
 * even when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import * as mp from 'multiproc';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '..', 'fixtures');
export const SHM_DIR = '/dev/shm';

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Lines printed on stdout so far. */
  readonly lines: string[];
  /** Everything printed on stderr so far. */
  stderr(): string;
  /** Resolves with the first stdout line matching `pred` (waiting for it if needed). */
  waitLine(pred: string | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Resolves once the child exited: its exit code / signal and the JSON of its last stdout line. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a clean exit (code 0) and parses the last stdout line as JSON. */
  result<T = any>(timeoutMs?: number): Promise<T>;
  /** Writes a line on the child's stdin. */
  send(line: string): void;
  kill(signal?: NodeJS.Signals): void;
}

const live = new Set<Child>();

// `what` is called when the time is up, so that it can tell what the child printed by then.
function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what()}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Turns a child's command line (node and its arguments) into the one to spawn instead. */
export type Launcher = (argv: string[]) => [command: string, args: string[]];

/**
 * Spawns `node test/fixtures/<fixture> <base64 of mp.serialize(args)>` (through `launcher` if
 * given). The child is tracked and killed (and awaited) after the current test.
 */
export function spawnChild(fixture: string, args: unknown = null, launcher?: Launcher): Child {
  const encoded = mp.serialize(args).toString('base64');
  const argv = [process.execPath, path.join(FIXTURES, fixture), encoded];
  const [command, commandArgs] = launcher ? launcher(argv) : [argv[0]!, argv.slice(1)];
  const proc = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  const listeners = new Set<() => void>();
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const l of parts) if (l.length > 0) lines.push(l);
    for (const fn of [...listeners]) fn();
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => { err += chunk; });
  proc.stdin!.on('error', () => { /* child gone */ });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => {
      if (partial.length > 0) { lines.push(partial); partial = ''; }
      for (const fn of [...listeners]) fn();
      resolve({ code, signal });
    });
  });
  let done = false;
  void exit.then(() => { done = true; });

  const child: Child = {
    proc,
    pid: proc.pid!,
    lines,
    stderr: () => err,
    waitLine(pred, timeoutMs = 10_000) {
      const match = typeof pred === 'string' ? (l: string) => l === pred : pred;
      const p = new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found !== undefined) { listeners.delete(check); resolve(found); return; }
          if (done) {
            listeners.delete(check);
            reject(new Error(`child ${fixture} exited before printing the expected line; `
              + `stdout=${JSON.stringify(lines)} stderr=${err}`));
          }
        };
        listeners.add(check);
        void exit.then(check);
        check();
      });
      return withTimeout(p, timeoutMs, () => `a line from ${fixture} (stdout so far: ${JSON.stringify(lines)}, stderr: ${err})`);
    },
    exited: () => exit,
    async result(timeoutMs = 30_000) {
      const { code, signal } = await withTimeout(exit, timeoutMs,
        () => `${fixture} to exit (stdout: ${JSON.stringify(lines).slice(0, 2000)}, stderr: ${err})`);
      if (code !== 0) {
        throw new Error(`child ${fixture} failed: code=${code} signal=${signal} stderr=${err} stdout=${JSON.stringify(lines)}`);
      }
      const last = lines[lines.length - 1];
      if (last === undefined) throw new Error(`child ${fixture} printed nothing`);
      return JSON.parse(last);
    },
    send(line) { proc.stdin!.write(line + '\n'); },
    kill(signal = 'SIGKILL') { if (!done) proc.kill(signal); },
  };
  live.add(child);
  void exit.then(() => live.delete(child));
  return child;
}

/** Kills every child still running and waits until each is gone. */
export async function killAllChildren(): Promise<void> {
  const all = [...live];
  for (const c of all) c.kill('SIGKILL');
  await Promise.all(all.map((c) => c.exited()));
}

/** Registers the hooks that kill leftover children after each test and at the end of the file. */
export function useChildren(): void {
  afterEach(killAllChildren);
  afterAll(killAllChildren);
}

// ---------------------------------------------------------------- /dev/shm bookkeeping

/** A tag unique to this test file run; every name a test creates should go through shmName(). */
export const RUN_TAG = `vt${process.pid}${randomBytes(3).toString('hex')}`;
let counter = 0;

/** A fresh name containing RUN_TAG, e.g. for `{ name }` options or SharedMemory. */
export function shmName(label = 'x'): string {
  return `${RUN_TAG}_${label}_${counter++}`;
}

/** /dev/shm entries starting with `mp.` or `psm_` that were created by this test file (contain RUN_TAG). */
export function listTestShm(): string[] {
  let entries: string[];
  try { entries = fs.readdirSync(SHM_DIR); } catch { return []; }
  return entries.filter((e) => (e.startsWith('mp.') || e.startsWith('psm_')) && e.includes(RUN_TAG));
}

/** Unlinks every entry listTestShm() reports; returns what it removed. */
export function cleanupTestShm(): string[] {
  const removed: string[] = [];
  for (const e of listTestShm()) {
    try { fs.unlinkSync(path.join(SHM_DIR, e)); removed.push(e); } catch { /* already gone */ }
  }
  return removed;
}

/** Registers an afterAll hook removing this file's /dev/shm leftovers. */
export function useShmCleanup(): void {
  afterAll(() => { cleanupTestShm(); });
}

export function shmExists(entry: string): boolean {
  return fs.existsSync(path.join(SHM_DIR, entry));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- process liveness

/** Running (not gone, not a zombie waiting to be reaped). */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Waits up to `withinMs` for every pid to stop running; returns those still running. */
export async function stillRunning(pids: number[], withinMs = 3000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline && pids.some(isRunning)) await sleep(50);
  return pids.filter(isRunning);
}
