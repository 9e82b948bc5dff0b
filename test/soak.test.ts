/**
 * The soak (soak/soak.mjs, `npm run soak`) kept from rotting: a short run under kills and pauses
 * must pass, and a short run with faults injected into it must name every one of them (so that
 * its checks can fail), and leave nothing behind either way.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stillRunning } from './helpers/children.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUN_TIMEOUT_MS = 240_000;
// putSync() into a full bounded queue while this process's outbox holds the rest of a streamed
// message deadlocks (see soak/README.md); the smoke run keeps to the rest until that is fixed.

interface Violation { kind: string; count: number; details: string[] }
interface SoakRun {
  code: number | null;
  stdout: string;
  report: {
    tag: string;
    channels: Record<string, { messages: number; losses: number; consumerKills: number }>;
    kills: Record<string, number>;
    pauses: number;
    pool: { tasksOk: number; tasksDied: number };
    lock: { counter: number; increments: number };
    leaks: { shm: string[]; processes: { pid: number }[] };
    violations: Violation[];
  };
}

function soak(args: string[]): Promise<SoakRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'soak', 'soak.mjs'), ...args, '--json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => {
      try {
        resolve({ code, stdout, report: JSON.parse(stdout.trim().split('\n').pop()!) });
      } catch {
        reject(new Error(`soak exited with ${code} and no JSON report; stdout=${stdout} stderr=${stderr.slice(-4000)}`));
      }
    });
  });
}

const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const details = (r: SoakRun) => r.report.violations.flatMap((v) => v.details).join('\n');

describe('soak', () => {
  it('runs 15 s of queues, pipes, a pool, a named lock and a stranger under kills and pauses, and passes', async () => {
    const run = await soak(['--seconds', '15']);
    expect(run.report.violations, run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    const { channels, kills, pool, lock, leaks } = run.report;
    for (const ch of ['A', 'B', 'N', 'P']) expect(channels[ch]!.messages, ch).toBeGreaterThan(0);
    expect(total(kills)).toBeGreaterThan(0);
    expect(run.report.pauses).toBeGreaterThan(0);
    expect(pool.tasksOk).toBeGreaterThan(0);
    expect(lock.counter).toBe(lock.increments);
    expect(lock.counter).toBeGreaterThan(0);
    expect(leaks).toMatchObject({ shm: [], processes: [] });
  }, RUN_TIMEOUT_MS);

  it('names every fault injected into a run, and removes what was left after saying so', async () => {
    const run = await soak(['--seconds', '10', '--inject', 'loss,dup,lock,pool,shm,proc']);
    expect(run.code).toBe(1);
    const kinds = run.report.violations.map((v) => v.kind);
    expect(kinds).toEqual(expect.arrayContaining(['loss', 'duplicate', 'lock', 'process leak', '/dev/shm leak']));
    // Item 7 of every batch is answered wrongly; a batch whose item 7 met a killed worker fails it.
    expect(details(run)).toMatch(/pool: batch \d+: wrong result 0 for item 7/);
    expect(details(run)).toMatch(/lock: counter \d+ != sum of completed increments/);
    const { tag, leaks } = run.report;
    expect(leaks.shm).toEqual([`mp.lock.${tag}_leak`]);
    expect(leaks.processes).toHaveLength(1);
    expect(fs.readdirSync('/dev/shm').filter((e) => e.includes(tag))).toEqual([]);
    expect(await stillRunning([leaks.processes[0]!.pid])).toEqual([]);
  }, RUN_TIMEOUT_MS);
});
