/**
 * Runs every examples/*.ts as a real program (`node --import tsx <file>`), as a user would, and
 * checks its exit code and what it prints. Two examples run at a time (the machine has two CPUs);
 * each one must leave no process behind (its children carry the example's path in their command
 * line), and together they must leave nothing in /dev/shm.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = path.join(ROOT, 'examples');
const RUN_TIMEOUT_MS = 30_000;
const CONCURRENCY = 2;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  pid: number;
  stdout: string[];
  stderr: string;
  /** Processes still running the example once it exited (killed by the test afterwards). */
  leftovers: number[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Pids of live processes (zombies excluded) whose command line has `file` as an argument. */
function processesRunning(file: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(file)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
      if (state !== 'Z' && state !== 'X') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** multiproc's named objects and Python's shared_memory segments in /dev/shm. */
function shmEntries(): Set<string> {
  try {
    return new Set(fs.readdirSync('/dev/shm').filter((e) => e.startsWith('mp.') || e.startsWith('psm_')));
  } catch {
    return new Set();
  }
}

async function execute(name: string): Promise<Run> {
  const file = path.join(EXAMPLES, name);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('close', (c, s) => resolve([c, s]));
    child.on('error', (e) => { err += String(e); resolve([null, null]); });
  });
  clearTimeout(timer);
  // Children end with their parent at the latest after the lifeline's grace period (2 s).
  let leftovers = processesRunning(file);
  for (const deadline = Date.now() + 4000; leftovers.length > 0 && Date.now() < deadline; leftovers = processesRunning(file)) {
    await sleep(50);
  }
  for (const pid of leftovers) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  return { code, signal, pid: child.pid ?? -1, stdout: out.split('\n').filter((l) => l !== ''), stderr: err, leftovers };
}

// At most CONCURRENCY examples run at once, whatever vitest's maxConcurrency.
let slots = CONCURRENCY;
const waiting: (() => void)[] = [];
async function run(name: string): Promise<Run> {
  if (slots > 0) slots--;
  else await new Promise<void>((r) => waiting.push(r));
  try {
    return await execute(name);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  }
}

interface Case {
  /** The example whose run runs this one too (a server program its client starts). */
  runBy?: string;
  /** Exit code the example is meant to end with. */
  code?: number;
  /** What stderr must look like; by default it must be empty. */
  stderr?: (stderr: string) => void;
  check: (r: Run) => void;
}

const count = (lines: string[], line: string) => lines.filter((l) => l === line).length;
const sorted = (lines: string[]) => [...lines].sort();

const cases: Record<string, Case> = {
  'manager_list.ts': {
    check: ({ stdout }) => {
      expect(stdout).toHaveLength(1);
      const squares = JSON.parse(stdout[0]!.replace('Squares are: ', '')) as number[];
      expect([...squares].sort((a, b) => a - b)).toEqual([0, 1, 4, 9, 16]);
    },
  },
  'manager_dict.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Squares are: {0: 0, 1: 1, 2: 4, 3: 9, 4: 16}']) },
  'manager_shared_objects.ts': {
    check: ({ stdout }) => {
      expect(stdout).toHaveLength(2);
      const dict = stdout[0]!.replace(/^Shared dict: \{|\}$/g, '').split(', ').sort();
      expect(dict).toEqual(['key_0: 0', 'key_1: 10', 'key_2: 20', 'key_3: 30', 'key_4: 40']);
      const list = JSON.parse(stdout[1]!.replace('Shared list: ', '')) as number[];
      expect([...list].sort()).toEqual([0, 1, 2, 3, 4]);
    },
  },
  'manager_server.ts': { runBy: 'manager_client.ts', check: () => {} },
  'manager_client.ts': {
    check: ({ stdout }) => expect(stdout).toEqual(['Wrong key: the server refused the authkey', '8']),
  },
  'process_basics.ts': {
    check: ({ stdout }) => {
      expect(sorted(stdout.slice(0, 6))).toEqual(sorted([0, 1, 2].flatMap((i) => [`Worker ${i}: Starting`, `Worker ${i}: Finishing`])));
      for (const i of [0, 1, 2]) expect(stdout.indexOf(`Worker ${i}: Starting`)).toBeLessThan(stdout.indexOf(`Worker ${i}: Finishing`));
      expect(stdout[6]).toBe('All workers finished.');
      expect(stdout).toHaveLength(7);
    },
  },
  'create_process.ts': { check: ({ stdout }) => expect(stdout).toEqual(['-----Hello-----']) },
  'lock_global_counter.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Final counter: 0']) },
  'value_get_lock.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Final value: 10']) },
  'cpu_bound.ts': {
    check: ({ stdout }) => {
      expect(stdout).toHaveLength(2);
      expect(stdout[0]).toMatch(/^Sequential: \d+\.\d\ds$/);
      expect(stdout[1]).toMatch(/^Multiprocessing: \d+\.\d\ds$/);
    },
  },
  'shared_memory.ts': {
    check: ({ stdout }) => expect(stdout).toEqual([
      'Final counter value: 100000',
      'Shared array: [0, 1.5, 3, 4.5, 6, 7.5, 9, 10.5, 12, 13.5]',
    ]),
  },
  'event_semaphore.ts': {
    check: ({ stdout }) => {
      const set = stdout.indexOf('Setting event...');
      expect(set).toBeGreaterThanOrEqual(0);
      for (const i of [0, 1, 2]) {
        expect(count(stdout, `Process ${i} waiting...`)).toBe(1);
        // Nobody proceeds before the event is set.
        expect(stdout.indexOf(`Process ${i} proceeding!`)).toBeGreaterThan(set);
      }
      // "acquired" is printed after acquiring and "released" before releasing: never more than 2 inside.
      let inside = 0;
      let most = 0;
      for (const line of stdout) {
        if (/^Process \d acquired resource$/.test(line)) most = Math.max(most, ++inside);
        if (/^Process \d released resource$/.test(line)) inside--;
      }
      expect(most).toBe(2);
      for (const i of [0, 1, 2, 3, 4]) {
        for (const what of ['attempting to acquire...', 'acquired resource', 'released resource']) {
          expect(count(stdout, `Process ${i} ${what}`)).toBe(1);
        }
      }
      expect(stdout).toHaveLength(1 + 3 * 2 + 5 * 3);
    },
  },
  'process_ids.ts': {
    check: ({ stdout, pid }) => {
      expect(stdout).toHaveLength(6);
      expect(stdout[0]).toBe('Main Process:');
      expect(stdout[1]).toBe(`Process ID: ${pid}`);
      expect(stdout[2]).toMatch(/^Parent Process ID: \d+$/);
      expect(stdout[3]).toBe('Child Process:');
      expect(stdout[4]).toMatch(/^Process ID: \d+$/);
      expect(stdout[4]).not.toBe(stdout[1]);
      expect(stdout[5]).toBe(`Parent Process ID: ${pid}`);
    },
  },
  'hello_world.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Hello, world!', 'Hello, world!']) },
  'basic_usage.ts': {
    check: ({ stdout }) => {
      expect(sorted(stdout.slice(0, 2))).toEqual(['Hello from Process 1', 'Hello from Process 2']);
      expect(stdout.slice(2)).toEqual(['Both processes are done']);
    },
  },
  'lock_printer.ts': {
    check: ({ stdout }) => expect(sorted(stdout)).toEqual(['Printing apple', 'Printing banana', 'Printing cherry']),
  },
  'semaphore_limit.ts': {
    check: ({ stdout }) => expect(sorted(stdout)).toEqual(sorted(
      Array.from({ length: 10 }, (_, i) => `${i} is using the limited resource`))),
  },
  'lifecycle.ts': {
    check: ({ stdout }) => expect(stdout).toEqual(
      ['Created', 'Running', 'Terminated'].map((s) => `Process Process-1 is ${s}`)),
  },
  'value_counter.ts': {
    check: ({ stdout }) => {
      expect(stdout).toHaveLength(1);
      // Unlocked increments may lose updates, but never invent any.
      const n = Number(/^Counter = (\d+)$/.exec(stdout[0]!)?.[1]);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(10);
    },
  },
  'array_squares.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Squared numbers are: [0, 1, 4, 9, 16]']) },
  'daemon.ts': {
    // The main process does not wait for its daemon, which is stopped before it can finish.
    check: ({ stdout }) => expect(stdout).toEqual(['Starting Daemon', 'Main Process exiting']),
  },
  'inheritance.ts': {
    check: ({ stdout, pid }) => {
      expect(stdout).toHaveLength(2);
      expect(stdout[0]).toBe(`Main Process ID: ${pid}`);
      expect(stdout[1]).toMatch(/^Child Process ID: \d+$/);
      expect(stdout[1]).not.toBe(`Child Process ID: ${pid}`);
    },
  },
  'start_methods.ts': {
    check: ({ stdout }) => expect(stdout).toEqual(
      ['Using spawn start method', 'Worker Function', 'Using standby start method', 'Worker Function']),
  },
  'exception_exit_code.ts': {
    stderr: (s) => expect(s).toMatch(/^Process Process-1:\nError: Something went wrong!\n\s+at faultyWorker /),
    check: ({ stdout }) => expect(stdout).toEqual(['Exit code: 1', 'Child error: Something went wrong!']),
  },
  'deadlock_timeout.ts': {
    stderr: (s) => expect(s).toMatch(/^Process Process-2:\nTimeoutError: lock not acquired within 200 ms\n\s+at worker2 /),
    check: ({ stdout }) => expect(stdout).toEqual(['Potential deadlock detected, terminating program']),
  },
  'logging_basic.ts': {
    stderr: (s) => {
      for (const i of [1, 2, 3, 4, 5]) expect(s).toContain(`[INFO/Process-${i}] Process-${i} is executing.\n`);
    },
    check: ({ stdout }) => expect(stdout).toEqual([]),
  },
  'terminate.ts': {
    check: ({ stdout }) => {
      const working = count(stdout, 'Working...');
      expect(working).toBeLessThan(10);
      expect(stdout.slice(working)).toEqual(['Process terminated.', 'Exit code: -15']);
    },
  },
  'exit_codes.ts': {
    check: ({ stdout }) => expect(stdout).toEqual(['Worker Function running on Process-1', 'Exit Code: 0']),
  },
  'affinity.ts': {
    check: ({ stdout }) => {
      expect(stdout).toHaveLength(2);
      expect(stdout[0]).toMatch(/^Worker Function running on PID: \d+$/);
      expect(stdout[1]).toBe('Pinned worker running on CPUs [0] with nice 10');
    },
  },
  'catch_in_child.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Caught exception: Something went wrong!']) },
  'logging_stderr.ts': {
    stderr: (s) => expect(s).toContain('[INFO/Process-1] Worker Function\n'),
    check: ({ stdout }) => expect(stdout).toEqual(['Doing some work']),
  },
  'heavy_math.ts': {
    check: ({ stdout }) => {
      expect(sorted(stdout)).toEqual(sorted(['A', 'B'].flatMap((n) => [`Process ${n} starting...`, `Process ${n} finished.`])));
      for (const n of ['A', 'B']) expect(stdout.indexOf(`Process ${n} starting...`)).toBeLessThan(stdout.indexOf(`Process ${n} finished.`));
    },
  },
  'pool_map.ts': { check: ({ stdout }) => expect(stdout).toEqual(['[4, 5, 6, 7, 8]']) },
  'pool_parallel.ts': {
    check: ({ stdout }) => {
      expect(stdout).toHaveLength(2);
      expect(stdout[0]).toMatch(/^Sequential: \d+\.\d\ds$/);
      expect(stdout[1]).toMatch(/^Parallel: \d+\.\d\ds$/);
    },
  },
  'pool_starmap.ts': {
    check: ({ stdout }) => expect(stdout).toEqual(['[499999500000, 249999500000, 166666833333, 124999500000]']),
  },
  'pool_apply_async.ts': {
    check: ({ stdout }) => {
      // Callbacks run as tasks finish (4 workers: any order); then the results in order.
      expect(sorted(stdout.slice(0, 5))).toEqual(sorted(
        ['Success: 0', 'Success: 1', 'Success: 4', 'Error: Invalid input: 3', 'Success: 16']));
      expect(stdout.slice(5)).toEqual(
        ['Task 0: 0', 'Task 1: 1', 'Task 2: 4', 'Task 3 failed: Invalid input: 3', 'Task 4: 16']);
    },
  },
  'pool_shared_array.ts': { check: ({ stdout }) => expect(stdout).toEqual(['[0, 1, 4, 9, 16]']) },
  'pool_square.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Squares: [1, 4, 9, 16, 25]']) },
  'pool_overhead.ts': {
    check: ({ stdout }) => {
      expect(stdout).toHaveLength(2);
      expect(stdout[0]).toMatch(/^Single-threaded time: [\d.e-]+$/);
      expect(stdout[1]).toMatch(/^Multi-threaded time: [\d.e-]+$/);
    },
  },
  'queue_empty.ts': { check: ({ stdout }) => expect(stdout).toEqual(['0', '1', '2', '3', '4']) },
  'queue_producer_consumer.ts': {
    check: ({ stdout }) => {
      const items = ['data_1', 'data_2', 'data_3', 'data_4'];
      expect(stdout.filter((l) => l.startsWith('Producing: '))).toEqual(items.map((i) => `Producing: ${i}`));
      expect(stdout.filter((l) => l.startsWith('Consuming: '))).toEqual(items.map((i) => `Consuming: ${i}`));
      for (const i of items) expect(stdout.indexOf(`Producing: ${i}`)).toBeLessThan(stdout.indexOf(`Consuming: ${i}`));
      expect(stdout).toHaveLength(8);
    },
  },
  'queue_hello.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Main process received message: Hello from the worker process']) },
  'queue_data.ts': { check: ({ stdout }) => expect(stdout).toEqual(['Data from worker']) },
  'pipe_bidirectional.ts': {
    check: ({ stdout }) => expect(stdout).toEqual([
      'Main process received message: Hello from the worker process',
      'Worker received message: Hello from the main process',
    ]),
  },
  'pipe_sender_receiver.ts': {
    check: ({ stdout }) => expect(stdout).toEqual([0, 1, 2, 3, 4].map((i) => `Received: ${i}`)),
  },
  'pool_profile.ts': {
    check: ({ stdout }) => {
      expect(stdout[0]).toMatch(/^\d+ samples in \d+\.\d ms \(main process\)$/);
      expect(stdout.slice(1, 3)).toEqual(['Ordered by: self time', '  self ms  self %  function']);
      const rows = stdout.slice(3);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.length).toBeLessThanOrEqual(10);
      for (const row of rows) expect(row).toMatch(/^ +\d+\.\d +\d+\.\d%  \S/);
      // The profiles went to a temporary directory that the example removed.
      expect(fs.readdirSync(os.tmpdir()).filter((e) => e.startsWith('multiproc-cpu-prof-'))).toEqual([]);
    },
  },
};

const names = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();
const shmBefore = shmEntries();
// Names tagged by test files running meanwhile (test/helpers/children.ts RUN_TAG, soak/soak.mjs).
const OTHER_TESTS_NAME = /vt\d+[0-9a-f]{6}_|soak[0-9a-z]+[0-9a-f]{6}_/;

describe.concurrent('examples', () => {
  it('every example has a case here and a row in examples/README.md', () => {
    const readme = fs.readFileSync(path.join(EXAMPLES, 'README.md'), 'utf8');
    expect(names.filter((n) => !cases[n])).toEqual([]);
    expect(Object.keys(cases).filter((n) => !names.includes(n))).toEqual([]);
    expect(names.filter((n) => !readme.includes(`\`npx tsx examples/${n}\``))).toEqual([]);
  });

  for (const name of names.filter((n) => cases[n] && !cases[n].runBy)) {
    const c = cases[name]!;
    it(name, async () => {
      const r = await run(name);
      const context = `stdout=${JSON.stringify(r.stdout)}\nstderr=${r.stderr}`;
      expect({ code: r.code, signal: r.signal }, context).toEqual({ code: c.code ?? 0, signal: null });
      if (c.stderr) c.stderr(r.stderr);
      else expect(r.stderr, context).toBe('');
      c.check(r);
      expect(r.leftovers, 'processes left running after the example exited').toEqual([]);
    }, RUN_TIMEOUT_MS * 3);
  }
});

// Runs after the concurrent suite above has finished.
describe('after the examples', () => {
  it('nothing was left in /dev/shm', () => {
    // Other test files name their objects with a run tag (helpers/children.ts): not ours.
    const added = [...shmEntries()].filter((e) => !shmBefore.has(e) && !OTHER_TESTS_NAME.test(e));
    expect(added).toEqual([]);
  });
});
