// Seed 003 "Profiling with cProfile". cProfile.run('main()') profiles main() in the main process;
// Node's profiler is `node --cpu-prof`, a flag of the whole program (start-up included), so this
// program re-runs itself under it (its workers inherit the flag), prints the main process's top
// functions by self time as pstats does, and removes the temporary directory the profiles went to.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mp from 'multiproc';

const PROFILED = 'MULTIPROC_EXAMPLE_PROFILED';

export function square(x: number): number {
  return x * x;
}

async function main(): Promise<void> {
  const data = Array.from({ length: 1000 }, (_, i) => i);
  await using pool = new mp.Pool({ processes: 4 });
  await pool.map(square, data);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time in ms by function, from the samples of a .cpuprofile, most first. */
function selfTimes(profile: CpuProfile): [string, number][] {
  const where = new Map<number, string>();
  for (const { id, callFrame: f } of profile.nodes) {
    const file = f.url === '' ? '' : ` ${path.relative(process.cwd(), f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}`;
    where.set(id, `${f.functionName || '(anonymous)'}${file}`);
  }
  const ms = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const fn = where.get(id)!;
    ms.set(fn, (ms.get(fn) ?? 0) + profile.timeDeltas[i]! / 1000);
  });
  return [...ms].sort((a, b) => b[1] - a[1]);
}

if (mp.isMainProcess()) {
  if (process.env[PROFILED]) {
    await main();
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multiproc-cpu-prof-'));
    try {
      const run = spawnSync(process.execPath, [...process.execArgv, `--cpu-prof-dir=${dir}`, '--cpu-prof', fileURLToPath(import.meta.url)], {
        env: { ...process.env, [PROFILED]: '1' },
        stdio: 'inherit',
      });
      if (run.status !== 0) throw new Error(`profiled run failed: ${run.error?.message ?? run.signal ?? run.status}`);
      // Profile files are named CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile.
      const mine = fs.readdirSync(dir).find((f) => f.split('.')[3] === String(run.pid))!;
      const profile = JSON.parse(fs.readFileSync(path.join(dir, mine), 'utf8')) as CpuProfile;
      const times = selfTimes(profile);
      const total = times.reduce((sum, [, t]) => sum + t, 0);
      console.log(`${profile.samples.length} samples in ${total.toFixed(1)} ms (main process)`);
      console.log('Ordered by: self time');
      console.log('  self ms  self %  function');
      for (const [fn, t] of times.slice(0, 10)) {
        console.log(`${t.toFixed(1).padStart(9)}  ${((100 * t) / total).toFixed(1).padStart(5)}%  ${fn}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
