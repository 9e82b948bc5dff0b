#!/usr/bin/env node
// The soak: multiproc under load, with kills and pauses, for as long as asked (see
// soak/README.md). This launcher starts the orchestrator (main.mjs) with a run-unique tag in its
// environment, which every process of the run inherits, and checks from outside, once it ended,
// that no process carrying the tag still runs and no /dev/shm name containing it is left; then
// it prints the report (and removes what was left, after saying so).
//
//   npm run soak -- --minutes 10         or --seconds 15
//   options: --seed N, --kill-every MS (mean interval of SIGKILLs, default 700),
//            --pause-every MS (mean interval of pauses, default 400), --json (a JSON line last),
//            --inject loss,dup,lock,pool,shm,proc (self-check: faults the report must name)
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRunning, shmEntries, taggedProcesses } from './procfs.mjs';
import { formatReport, rssVerdict } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const INJECTABLE = ['loss', 'dup', 'lock', 'pool', 'shm', 'proc'];
const STRAGGLER_MS = 5000; // how long the run's last processes (the shm tracker, orphans) may take to go
const HARD_LIMIT_EXTRA_S = 600;

function usage(message) {
  process.stderr.write(`soak: ${message}\nusage: npm run soak -- [--minutes N | --seconds N] [--seed N] `
    + `[--kill-every MS] [--pause-every MS] [--json] [--inject ${INJECTABLE.join(',')}]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { seconds: 60, seed: randomInt(2 ** 31), killMeanMs: 700, pauseMeanMs: 400, json: false, inject: [] };
  const number = (name, v, min) => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < min) usage(`${name} must be a number >= ${min}, got ${JSON.stringify(v)}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--minutes': o.seconds = 60 * number('--minutes', value(), 0.05); break;
      case '--seconds': o.seconds = number('--seconds', value(), 3); break;
      case '--seed': o.seed = Math.trunc(number('--seed', value(), 0)) >>> 0; break;
      case '--kill-every': o.killMeanMs = number('--kill-every', value(), 20); break;
      case '--pause-every': o.pauseMeanMs = number('--pause-every', value(), 20); break;
      case '--json': o.json = true; break;
      case '--inject':
        o.inject = String(value()).split(',').filter(Boolean);
        for (const x of o.inject) if (!INJECTABLE.includes(x)) usage(`--inject takes ${INJECTABLE.join(', ')}, not ${x}`);
        break;
      default: usage(`unknown argument ${argv[i]}`);
    }
  }
  return o;
}

async function settled(fn, ms) {
  const until = Date.now() + ms;
  let v = fn();
  while (v.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    v = fn();
  }
  return v;
}

const opts = parseArgs(process.argv.slice(2));
const tag = `soak${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
const reportPath = join(tmpdir(), `${tag}.json`);
const cfg = { tag, seed: opts.seed, seconds: opts.seconds, reportPath, inject: opts.inject,
  killMeanMs: opts.killMeanMs, pauseMeanMs: opts.pauseMeanMs };
process.stderr.write(`soak: ${opts.seconds} s, seed ${opts.seed}, tag ${tag}${opts.inject.length ? `, injecting ${opts.inject}` : ''}\n`);

// In a session (and process group) of its own, so that signals meant for the caller's group
// (Ctrl-C) reach the launcher only, which lets the orchestrator end the run and report.
const child = spawn(process.execPath, [join(here, 'main.mjs'), JSON.stringify(cfg)],
  { stdio: 'inherit', detached: true, env: { ...process.env, SOAK_TAG: tag } });
const killTagged = () => { for (const p of taggedProcesses(tag)) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } };
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  // First time: the orchestrator ends the run early and reports; second time: everything dies.
  process.on(sig, () => (interrupts++ === 0 ? child.kill('SIGINT') : killTagged()));
}
let hung = false;
const limit = setTimeout(() => { hung = true; killTagged(); }, (opts.seconds + HARD_LIMIT_EXTRA_S) * 1000);
const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
clearTimeout(limit);

const violations = [];
let report = { rss: {}, pids: [] };
if (existsSync(reportPath)) {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
  unlinkSync(reportPath);
  violations.push(...report.violations);
} else {
  violations.push({ kind: 'orchestrator', count: 1, details: [`ended (${code ?? signal}) without a report`] });
}
if (hung) violations.push({ kind: 'hang', count: 1, details: [`the run took more than ${opts.seconds + HARD_LIMIT_EXTRA_S} s`] });
if (code !== 0) {
  violations.push({ kind: 'orchestrator', count: 1, details: [`exited with ${code ?? signal}`] });
}

const processes = await settled(() => taggedProcesses(tag), STRAGGLER_MS);
const shm = await settled(() => shmEntries(tag), STRAGGLER_MS);
const trackedLeft = report.pids.filter((pid) => isRunning(pid) && processes.some((p) => p.pid === pid));
if (processes.length) violations.push({ kind: 'process leak', count: processes.length, details: processes.map((p) => `${p.pid} ${p.cmd}`).slice(0, 5) });
if (trackedLeft.length) violations.push({ kind: 'tracked pid still running', count: trackedLeft.length, details: trackedLeft.slice(0, 5).map(String) });
if (shm.length) violations.push({ kind: '/dev/shm leak', count: shm.length, details: shm.slice(0, 5) });
const rssVerdicts = Object.fromEntries(Object.entries(report.rss).map(([k, s]) => [k, rssVerdict(s, report.ranMs ?? 0)]));
for (const [k, v] of Object.entries(rssVerdicts)) {
  if (v.leak) violations.push({ kind: 'rss growth', count: 1, details: [`${k}: ${(v.firstKb / 1024).toFixed(1)} -> ${(v.lastKb / 1024).toFixed(1)} MiB`] });
}

const full = { ...report, rss: undefined, leaks: { shm, processes, trackedPids: report.pids.length }, rssVerdicts, violations };
process.stdout.write(`${formatReport(full)}\n`);
if (opts.json) process.stdout.write(`${JSON.stringify({ ...full, pids: undefined, rssSamples: report.rss })}\n`);

// Said; now removed, so that a failed run does not burden the machine.
killTagged();
for (const e of shm) try { unlinkSync(join('/dev/shm', e)); } catch { /* gone */ }
process.exitCode = violations.length === 0 ? 0 : 1;
