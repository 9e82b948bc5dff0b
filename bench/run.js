#!/usr/bin/env node
// Native-core benchmarks: multiproc vs Python's multiprocessing vs a plain
// Node alternative, side by side in one run.  See bench/README.md.
//
//   node bench/run.js                       all rows, table on stdout
//   node bench/run.js lock                  one section (lock | pingpong |
//                                           pingpong-01 | pingpong-00 | value |
//                                           process | process-spawn | process-standby |
//                                           queue | queue-small | queue-small-2x2 |
//                                           queue-1k | pipe-rtt |
//                                           pool | pool-map-1 | pool-map | pool-apply |
//                                           pool-speedup | manager | manager-dict-set |
//                                           manager-dict-get | manager-list-append |
//                                           manager-dict-set-pipelined | manager-remote)
//   node bench/run.js --json                JSON summary on stdout (progress on stderr)
//   options: --runs N (timed runs per measurement), --timeout S (per job, default 60),
//            --stat median|best (headline statistic, default median),
//            --no-python, --no-alt, --verbose (stream every job's stderr)
//
// Every measurement is done by a separate driver process (bench/node/*.js,
// bench/python/*.py) that pins its own processes/threads and prints one JSON
// line.  Drivers run one at a time (never concurrently), each in its own
// process group so that a hung driver and any children it forked can be
// killed as a whole.  The headline figure is the MEDIAN of the timed runs
// (or the best with --stat best), for every implementation alike.  CPU time
// used by other programs during each job is measured and flagged.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PY = process.env.PYTHON || 'python3';

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, def) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return def;
  return argv[i].includes('=') ? argv[i].split('=').slice(1).join('=') : argv[i + 1];
};
const JSON_OUT = flag('json');
const VERBOSE = flag('verbose');
const RUNS = opt('runs', undefined);
const TIMEOUT_S = Number(opt('timeout', 60));
const STAT = opt('stat', 'median');
if (!['median', 'best'].includes(STAT)) {
  console.error('--stat must be median or best');
  process.exit(2);
}
const optValues = new Set(['runs', 'timeout', 'stat'].map((n) => opt(n, null)).filter((x) => x !== null));
const positional = argv.filter((a, i) => !a.startsWith('--') && !(optValues.has(a) && argv[i - 1]?.startsWith('--')));

// ---------------------------------------------------------------- the rows
const node = (script, ...args) => [process.execPath, [join(here, 'node', script), ...args]];
const py = (script, ...args) => [PY, [join(here, 'python', script), ...args]];
const runsArg = (def) => [`--runs=${RUNS ?? def}`];

const ALT_LOCK = 'JS Atomics CAS on a SharedArrayBuffer (floor)';
const ALT_PING = '2 worker_threads, Atomics.wait/notify';
const ALT_FORK = 'child_process.fork() of an empty script';
const ALT_IPC = 'child_process.fork + process.send (json)';
const ALT_PISCINA = 'piscina (2 worker_threads)';
const ALT_TINYPOOL = 'tinypool (2 child processes)';
const CPUS = availableParallelism();

// One awaited call to a Manager() proxy, ours and Python's, per operation timed.
function managerRow(what, label, pythonReference) {
  return {
    id: `manager-${what}`,
    what: `Manager() ${label}, one awaited call`,
    unit: 'us', better: 'lower', target: null, pythonReference, tail: true,
    jobs: {
      multiproc: node('manager.js', `--what=${what}`, ...runsArg(5)),
      python: py('manager.py', `--what=${what}`, ...runsArg(5)),
      alt: null,
    },
  };
}

const ROWS = [
  {
    id: 'lock',
    what: 'uncontended acquireSync()+release(), CPU 0',
    unit: 'ns/pair', better: 'lower', target: 20, pythonReference: 37.6,
    jobs: {
      multiproc: node('lock.js', '--impl=multiproc', '--cpu=0', ...runsArg(5)),
      python: py('lock.py', '--cpu=0', ...runsArg(5)),
      alt: { name: ALT_LOCK, cmd: node('lock.js', '--impl=atomics', '--cpu=0', ...runsArg(5)) },
    },
  },
  {
    id: 'pingpong-01',
    what: 'Semaphore ping-pong round trip, CPUs 0/1',
    unit: 'us/roundtrip', better: 'lower', target: 5, pythonReference: 48.5,
    jobs: {
      multiproc: node('pingpong.js', '--cpus=0,1', ...runsArg(5)),
      python: py('pingpong.py', '--cpus=0,1', ...runsArg(5)),
      alt: { name: ALT_PING, cmd: node('pingpong-threads.js', '--cpus=0,1', ...runsArg(5)) },
    },
  },
  {
    id: 'pingpong-00',
    what: 'Semaphore ping-pong round trip, CPUs 0/0',
    unit: 'us/roundtrip', better: 'lower', target: 6, pythonReference: 5.2,
    jobs: {
      multiproc: node('pingpong.js', '--cpus=0,0', ...runsArg(5)),
      python: py('pingpong.py', '--cpus=0,0', ...runsArg(5)),
      alt: { name: ALT_PING, cmd: node('pingpong-threads.js', '--cpus=0,0', ...runsArg(5)) },
    },
  },
  {
    id: 'value',
    what: 'Value += 1 under its lock, 2 procs on CPUs 0/1',
    unit: 'ops/s', better: 'higher', target: 10e6, pythonReference: 1.0e6,
    jobs: {
      multiproc: node('value.js', '--cpus=0,1', ...runsArg(3)),
      python: py('value.py', '--cpus=0,1', ...runsArg(3)),
      alt: null,
    },
  },
  {
    id: 'process-spawn',
    what: 'Process start() to join(), trivial target',
    unit: 'ms', better: 'lower', targetVsAlt: 1.1, pythonReference: 49,
    jobs: {
      multiproc: node('process_start.js', '--impl=spawn', ...runsArg(10)),
      python: py('process_start.py', '--method=spawn', ...runsArg(10)),
      alt: { name: ALT_FORK, cmd: node('process_start.js', '--impl=fork', ...runsArg(10)) },
    },
  },
  {
    id: 'process-standby',
    what: 'Process start() to target running, warm start',
    unit: 'ms', better: 'lower', target: 5, pythonReference: 10.6, metric: 'started',
    jobs: {
      multiproc: node('process_start.js', '--impl=standby', ...runsArg(10)),
      python: py('process_start.py', '--method=forkserver', ...runsArg(10)),
      alt: null,
    },
  },
  {
    id: 'queue-small',
    what: 'Queue 1->1 small ints, CPUs 0/1',
    unit: 'ops/s', better: 'higher', target: 3e6, pythonReference: 290e3,
    jobs: {
      multiproc: node('queue.js', '--what=small', ...runsArg(3)),
      python: py('mp_queue.py', '--what=small', ...runsArg(3)),
      alt: { name: ALT_IPC, cmd: node('queue.js', '--impl=ipc', '--what=small', '--n=300000', ...runsArg(3)) },
    },
  },
  {
    id: 'queue-small-2x2',
    what: 'Queue 2->2 small ints, CPUs 0/1',
    unit: 'ops/s', better: 'higher', target: null, pythonReference: null,
    jobs: {
      multiproc: node('queue.js', '--what=small2', ...runsArg(3)),
      python: py('mp_queue.py', '--what=small2', ...runsArg(3)),
      alt: null,
    },
  },
  {
    id: 'queue-1k',
    what: 'Queue 1->1 1 KiB messages, CPUs 0/1',
    unit: 'ops/s', better: 'higher', target: 1e6, pythonReference: 266e3,
    jobs: {
      multiproc: node('queue.js', '--what=kib', ...runsArg(3)),
      python: py('mp_queue.py', '--what=kib', ...runsArg(3)),
      alt: { name: ALT_IPC, cmd: node('queue.js', '--impl=ipc', '--what=kib', '--n=200000', ...runsArg(3)) },
    },
  },
  {
    id: 'pipe-rtt',
    what: 'Pipe round trip, CPUs 0/1',
    unit: 'us/roundtrip', better: 'lower', target: 5, pythonReference: 51,
    jobs: {
      multiproc: node('queue.js', '--what=rtt', ...runsArg(3)),
      python: py('mp_queue.py', '--what=rtt', ...runsArg(3)),
      alt: { name: ALT_IPC, cmd: node('queue.js', '--impl=ipc', '--what=rtt', ...runsArg(3)) },
    },
  },
  {
    id: 'pool-map-1',
    what: 'Pool(2) map, 20k trivial tasks, chunksize 1',
    unit: 'us/task', better: 'lower', target: 3, pythonReference: 17.4,
    jobs: {
      multiproc: node('pool.js', '--what=map1', ...runsArg(5)),
      python: py('pool.py', '--what=map1', ...runsArg(5)),
      alt: { name: ALT_PISCINA, cmd: node('pool.js', '--impl=piscina', '--what=map1', ...runsArg(5)) },
      alt2: { name: ALT_TINYPOOL, cmd: node('pool.js', '--impl=tinypool', '--what=map1', ...runsArg(5)) },
    },
  },
  {
    id: 'pool-map',
    what: 'Pool(2) map, 1M trivial tasks, default chunksize',
    unit: 'us/task', better: 'lower', target: 0.1, pythonReference: 0.11,
    jobs: {
      multiproc: node('pool.js', '--what=map', ...runsArg(5)),
      python: py('pool.py', '--what=map', ...runsArg(5)),
      alt: { name: ALT_PISCINA, cmd: node('pool.js', '--impl=piscina', '--what=map', ...runsArg(5)) },
      alt2: { name: ALT_TINYPOOL, cmd: node('pool.js', '--impl=tinypool', '--what=map', ...runsArg(5)) },
    },
  },
  {
    id: 'pool-apply',
    what: 'Pool(2) apply round trip (median of 2000)',
    unit: 'us', better: 'lower', target: 15, pythonReference: 265, tail: true,
    jobs: {
      multiproc: node('pool.js', '--what=apply', ...runsArg(5)),
      python: py('pool.py', '--what=apply', ...runsArg(5)),
      alt: { name: ALT_PISCINA, cmd: node('pool.js', '--impl=piscina', '--what=apply', ...runsArg(5)) },
      alt2: { name: ALT_TINYPOOL, cmd: node('pool.js', '--impl=tinypool', '--what=apply', ...runsArg(5)) },
    },
  },
  {
    id: 'pool-speedup',
    what: `Pool(${CPUS}) speed-up, ${8 * CPUS} CPU-bound tasks of ~25 ms`,
    unit: 'x', better: 'higher', target: 0.9 * CPUS, pythonReference: null,
    jobs: {
      multiproc: node('pool.js', '--what=speedup', ...runsArg(5)),
      python: py('pool.py', '--what=speedup', ...runsArg(5)),
      alt: { name: `piscina (${CPUS} worker_threads)`, cmd: node('pool.js', '--impl=piscina', '--what=speedup', ...runsArg(5)) },
      alt2: { name: `tinypool (${CPUS} child processes)`, cmd: node('pool.js', '--impl=tinypool', '--what=speedup', ...runsArg(5)) },
    },
  },
  managerRow('dict-set', 'dict set', 30.7),
  managerRow('dict-get', 'dict get', 15.7),
  managerRow('list-append', 'list append', 17.4),
  {
    // Python's proxies block, so its column is the sequential set: what pipelining buys over it.
    id: 'manager-dict-set-pipelined',
    what: 'Manager() dict set, 100 in flight (py: sequential)',
    unit: 'us/call', better: 'lower', target: null, pythonReference: null,
    jobs: {
      multiproc: node('manager.js', '--what=dict-set-pipelined', ...runsArg(5)),
      python: py('manager.py', '--what=dict-set', ...runsArg(5)),
      alt: null,
    },
  },
  {
    id: 'manager-remote',
    what: 'BaseManager over TCP loopback, one method call',
    unit: 'us', better: 'lower', target: null, pythonReference: null, tail: true,
    jobs: {
      multiproc: node('manager.js', '--what=remote', ...runsArg(5)),
      python: py('manager.py', '--what=remote', ...runsArg(5)),
      alt: null,
    },
  },
];
const ALIASES = {
  all: ROWS.map((r) => r.id),
  pingpong: ['pingpong-01', 'pingpong-00'],
  process: ['process-spawn', 'process-standby'],
  queue: ['queue-small', 'queue-small-2x2', 'queue-1k', 'pipe-rtt'],
  pool: ['pool-map-1', 'pool-map', 'pool-apply', 'pool-speedup'],
  manager: ['manager-dict-set', 'manager-dict-get', 'manager-list-append', 'manager-dict-set-pipelined', 'manager-remote'],
};

let selected = ROWS;
if (positional.length) {
  const ids = new Set();
  for (const p of positional) {
    const hit = ALIASES[p] ?? (ROWS.some((r) => r.id === p) ? [p] : null);
    if (!hit) {
      console.error(`unknown section "${p}"; use one of: ${[...ROWS.map((r) => r.id), ...Object.keys(ALIASES)].join(', ')}`);
      process.exit(2);
    }
    hit.forEach((id) => ids.add(id));
  }
  selected = ROWS.filter((r) => ids.has(r.id));
}

// ---------------------------------------------------------------- jobs
const live = new Set(); // process-group leaders still running

function killGroup(pid) {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* group already gone */ }
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    for (const pid of live) killGroup(pid);
    process.exit(130);
  });
}
process.on('exit', () => { for (const pid of live) killGroup(pid); });

const log = (s) => process.stderr.write(s);

/** CPU ticks (USER_HZ) spent in user+nice+system by the whole machine, and its total ticks. */
function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: f[0] + f[1] + f[2], total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/** CPU ticks of this process plus its reaped children (drivers, and through them their children). */
function ourTicks() {
  const st = readFileSync('/proc/self/stat', 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ').map(Number);
  return f[11] + f[12] + f[13] + f[14]; // utime stime cutime cstime
}

/**
 * Measures how much CPU *other* programs used while `fn` ran: machine busy ticks minus ours
 * (a driver's ticks count once it is reaped).  Other load skews every figure, so a job during
 * which others used more than OTHERS of one CPU on average is flagged.
 */
async function withLoadCheck(fn) {
  const m0 = machineTicks();
  const o0 = ourTicks();
  const res = await fn();
  const m1 = machineTicks();
  const o1 = ourTicks();
  const ncpu = Math.max(1, readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d/.test(l)).length);
  const wallTicks = (m1.total - m0.total) / ncpu;
  const others = Math.max(0, (m1.busy - m0.busy) - (o1 - o0));
  return { res, othersCpu: wallTicks > 0 ? Math.round((others / wallTicks) * 100) / 100 : 0 };
}
const OTHERS = 0.1; // fraction of one CPU

/** Run one driver; resolve with its JSON result (or {error}). */
function runJob(label, [cmd, args]) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let child;
    try {
      child = spawn(cmd, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ error: `cannot start ${cmd}: ${e.message}` });
      return;
    }
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; if (VERBOSE) log(String(d)); });
    if (child.pid) live.add(child.pid);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; killGroup(child.pid); }, TIMEOUT_S * 1000);
    const finish = (code, sig, spawnError) => {
      clearTimeout(timer);
      if (child.pid) {
        killGroup(child.pid); // anything the driver left behind in its group
        live.delete(child.pid);
      }
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      let res = null;
      const last = out.trim().split('\n').pop();
      try { res = last ? JSON.parse(last) : null; } catch { /* not JSON */ }
      if (spawnError) res = { error: `cannot start ${cmd}: ${spawnError.message}` };
      else if (timedOut) res = { error: `timed out after ${TIMEOUT_S} s (process group killed)` };
      else if (!res) res = { error: `exit ${code ?? sig}, no JSON result` };
      else if (code !== 0 && !res.error) res.error = `exit ${code ?? sig}`;
      if (res.error && err && !VERBOSE) log(err.replace(/^/gm, `    [${label}] `) + '\n');
      res.wallSeconds = Math.round(secs * 100) / 100;
      resolve(res);
    };
    let spawnError = null;
    child.on('error', (e) => { spawnError = e; });
    child.on('close', (code, sig) => finish(code, sig, spawnError));
  });
}

// ---------------------------------------------------------------- formatting
function fmt(row, x) {
  if (x == null || Number.isNaN(x)) return 'n/a';
  if (row.unit === 'ops/s') return `${(x / 1e6).toFixed(2)} M ops/s`;
  if (row.unit === 'ns/pair') return `${x.toFixed(1)} ns`;
  if (row.unit === 'ms') return `${x.toFixed(1)} ms`;
  if (row.unit === 'us/call') return `${x.toFixed(2)} us/call`;
  if (row.unit === 'us/task') return `${x < 1 ? x.toFixed(3) : x.toFixed(2)} us/task`;
  if (row.unit === 'x') return `${x.toFixed(2)}x`;
  return `${x.toFixed(2)} us`;
}
const fmtTarget = (row) => (row.target == null && !row.targetVsAlt ? '-' : `${row.better === 'lower' ? '<=' : '>='} ${row.targetVsAlt ? `${row.targetVsAlt}x alt` : fmt(row, row.target)}`);
/** The headline figure of a job: its STAT, of the row's metric if it names one. */
const figure = (row, res) => (!res || res.error ? null : (row.metric ? res[row.metric]?.[STAT] : res[STAT]) ?? null);
/** > 1 means multiproc is faster. */
function speedup(row, mp, alt) {
  if (!(mp > 0) || !(alt > 0)) return null;
  return row.better === 'lower' ? alt / mp : mp / alt;
}
const fmtRatio = (r) => (r == null ? '-' : `${r.toFixed(2)}x`);
const cell = (row, res) => (!res ? '-' : res.error ? 'ERROR' : fmt(row, figure(row, res)));
/** p99 / max of a latency row's job (over every timed sample of every run), for its tail line. */
const tailCell = (res) => (!res ? '' : res.error || res.p99 == null ? 'n/a' : `${res.p99.toFixed(1)} / ${res.max.toFixed(1)} us`);
const fmtTail = (res) => (res?.p99 == null ? '' : `, p99 ${res.p99.toFixed(1)} us, max ${res.max.toFixed(1)} us`);

function table(rows) {
  const head = ['what', 'multiproc', 'python mp', 'py/mp', 'node alt', 'alt/mp', 'target', 'result'];
  const body = rows.flatMap((r) => {
    const main = [
      r.what,
      cell(r, r.multiproc),
      cell(r, r.python),
      fmtRatio(r.ratios.python),
      cell(r, r.alt),
      fmtRatio(r.ratios.alt),
      fmtTarget(r),
      r.result,
    ];
    // A second Node alternative gets a line of its own under the row, in the alternative's columns;
    // a latency row's tail (p99 / max) a line under each, in the same columns as its figures.
    const second = [`  alt 2: ${r.alt2Name}`, '', '', '', cell(r, r.alt2), fmtRatio(r.ratios.alt2), '', ''];
    const tail = ['  p99 / max', tailCell(r.multiproc), tailCell(r.python), '', tailCell(r.alt), '', '', ''];
    const tail2 = ['  alt 2 p99 / max', '', '', '', tailCell(r.alt2), '', '', ''];
    return [main, ...(r.tail ? [tail] : []), ...(r.alt2Name ? [second] : []), ...(r.tail && r.alt2Name ? [tail2] : [])];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('-+-'), ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------- main
const shmList = () => { try { return readdirSync('/dev/shm'); } catch { return []; } };
const shmBefore = new Set(shmList());
const tStart = process.hrtime.bigint();
const distBuilt = existsSync(join(root, 'dist', 'index.js'));
if (!distBuilt) log('note: dist/index.js not found (library not built): multiproc columns are skipped\n');

const results = [];
const busyJobs = [];
for (const row of selected) {
  const r = {
    id: row.id, what: row.what, unit: row.unit, better: row.better, metric: row.metric, tail: row.tail ?? false,
    target: row.target, pythonReference: row.pythonReference,
    multiproc: null, python: null, alt: null, altName: row.jobs.alt?.name ?? null,
    alt2: null, alt2Name: row.jobs.alt2?.name ?? null,
  };
  const jobs = [
    ['multiproc', distBuilt ? row.jobs.multiproc : null],
    ['python', flag('no-python') ? null : row.jobs.python],
    ['alt', flag('no-alt') ? null : row.jobs.alt?.cmd],
    ['alt2', flag('no-alt') ? null : row.jobs.alt2?.cmd],
  ];
  for (const [key, cmd] of jobs) {
    if (!cmd) continue;
    log(`${row.id}: ${key} ... `);
    const { res, othersCpu } = await withLoadCheck(() => runJob(`${row.id} ${key}`, cmd));
    r[key] = res;
    r[key].othersCpu = othersCpu;
    const warn = othersCpu > OTHERS ? ` [other programs used ${Math.round(othersCpu * 100)}% of a CPU meanwhile]` : '';
    if (warn) busyJobs.push(`${row.id} ${key}`);
    log(r[key].error ? `ERROR: ${r[key].error}${warn}\n`
      : `${fmt(row, figure(row, r[key]))} ${STAT}${row.tail ? fmtTail(r[key]) : ''} (${r[key].wallSeconds} s)${warn}\n`);
  }
  const m = figure(row, r.multiproc);
  const alt = figure(row, r.alt);
  r.ratios = {
    python: speedup(row, m, figure(row, r.python)),
    alt: speedup(row, m, alt),
    alt2: speedup(row, m, figure(row, r.alt2)),
  };
  const target = row.targetVsAlt ? (alt === null ? null : alt * row.targetVsAlt) : row.target;
  r.target = target;
  if (!r.multiproc) r.result = 'SKIP';
  else if (r.multiproc.error) r.result = 'ERROR';
  else if (target === null) r.result = 'n/a';
  else r.result = (row.better === 'lower' ? m <= target : m >= target) ? 'PASS' : 'MISS';
  results.push(r);
}

const leftovers = shmList().filter((f) => !shmBefore.has(f));
const elapsed = Number(process.hrtime.bigint() - tStart) / 1e9;
const anyError = results.some((r) => [r.multiproc, r.python, r.alt, r.alt2].some((x) => x?.error));

if (JSON_OUT) {
  process.stdout.write(JSON.stringify({
    node: process.version,
    python: results.find((r) => r.python?.python)?.python.python ?? null,
    stat: STAT,
    distBuilt,
    rows: results,
    shmLeftovers: leftovers,
    busyJobs,
    elapsedSeconds: Math.round(elapsed * 10) / 10,
  }, null, 2) + '\n');
} else {
  const runsOf = (r) => r.multiproc?.runs ?? r.python?.runs ?? r.alt?.runs;
  console.log('');
  console.log(table(results));
  console.log('');
  console.log(`figures: ${STAT} of the timed runs (${results.map((r) => `${r.id}: ${runsOf(r) ?? '?'}`).join(', ')}), after warm-up`);
  const tails = results.filter((r) => r.tail);
  if (tails.length) console.log(`p99 / max: over every timed sample of every run (${tails.map((r) => `${r.id}: ${r.multiproc?.tailSamples ?? r.python?.tailSamples ?? r.alt?.tailSamples ?? '?'}`).join(', ')}), not a median of runs`);
  console.log('ratios:  alternative time / multiproc time (for ops/s and speed-ups: multiproc / alternative); > 1 means multiproc is faster');
  const alts = [...new Set(results.map((r) => r.altName).filter(Boolean))];
  if (alts.length) console.log(`node alt: ${results.filter((r) => r.altName).map((r) => `${r.id} = ${r.altName}`).join('; ')}`);
  const refs = results.filter((r) => r.pythonReference != null);
  if (refs.length) console.log(`python reference (measured before): ${refs.map((r) => `${r.id} ${fmt(r, r.pythonReference)}`).join(', ')}`);
  if (!distBuilt) console.log('multiproc: skipped, dist/index.js not built');
  const v = results.find((r) => r.id === 'value');
  if (v) {
    const ex = (x) => (!x ? null : x.error ? 'error' : `${x.finalValues ?? x.final_values} (exact)`);
    console.log(`value check: multiproc final values ${ex(v.multiproc) ?? 'n/a'}; python ${ex(v.python) ?? 'n/a'}`);
  }
  if (busyJobs.length) console.log(`WARNING: other programs loaded the CPUs during: ${busyJobs.join(', ')} (figures suspect)`);
  console.log(`/dev/shm: ${leftovers.length ? `LEFT OVER: ${leftovers.join(' ')}` : 'nothing left over'}; total ${elapsed.toFixed(1)} s`);
}
if (leftovers.length) log(`warning: new entries left in /dev/shm: ${leftovers.join(' ')}\n`);
process.exitCode = anyError || leftovers.length ? 1 : 0;
