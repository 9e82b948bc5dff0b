/**
 * The program every child runs: `node [parent's execArgv] child_main.js <mode> <preload> <argv…>`.
 * It reads its job from the parent channel (descriptor 3), ties its life to the parent's, loads
 * the target's module, runs the target and reports a failure back before exiting, as Python's
 * spawn bootstrap does. A standby loads ahead and says "ready" before waiting for its job.
 */
import { inspect } from 'node:util';
import v8 from 'node:v8';
// Every shared object type must be rebuildable, whatever the target's module imports.
import '../index.js';
import { native } from '../binding.js';
import { setAffinity, setPriority } from '../process_control.js';
import { packError } from '../remote_error.js';
import { deserialize } from '../travel.js';
import { CHANNEL_FD, type ChildMessage, type Job } from './frames.js';
import { setChildIdentity, type ChildIdentity } from './identity.js';
import { getLogger, logToStderr } from './logger.js';
import { finishPendingWork } from './before_exit.js';
import { joinNonDaemonChildren } from './process.js';
import { importForTarget, loadTarget } from './target.js';
import { inheritStartMethod } from './start_method.js';

// After the parent is gone: SIGTERM, then SIGKILL if the child still runs this much later.
const LIFELINE_GRACE_MS = 2000;

// Writes to a piped stdout or stderr complete before write() returns, as Python's do: Node
// queues them otherwise, and exiting (process.exit() here or in the target, an uncaught
// exception) drops what is queued. A reader that does not read then holds the writer up, as a
// full pipe holds a Python child up.
for (const stream of [process.stdout, process.stderr]) {
  (stream as { _handle?: { setBlocking?: (on: boolean) => unknown } })._handle?.setBlocking?.(true);
}

const [, , mode, preloadJson, ...userArgv] = process.argv;
process.argv = [process.argv[0]!, ...userArgv];

const identity: ChildIdentity = {
  name: mode === 'standby' ? 'Standby' : 'Process', daemon: false, identity: [],
  parentPid: process.ppid, parentName: 'MainProcess',
};
setChildIdentity(identity);

function tell(message: ChildMessage): void {
  try {
    native.writeParentFrame(CHANNEL_FD, v8.serialize(message));
  } catch {
    // The parent is gone; the lifeline ends this process.
  }
}

let failed = false;
function fail(err: unknown): void {
  if (failed) return;
  failed = true;
  process.stderr.write(`Process ${identity.name}:\n${inspect(err)}\n`);
  tell({ kind: 'error', error: packError(err) });
}

async function main(): Promise<number> {
  if (mode === 'standby') {
    for (const url of JSON.parse(preloadJson ?? '[]') as string[]) {
      try {
        await importForTarget(url);
      } catch {
        // It will fail again, visibly, if a target needs it.
      }
    }
    tell({ kind: 'ready' });
  }
  // Blocks until the parent hands over the job (at once, unless this is a standby).
  const frame = native.readParentFrame(CHANNEL_FD);
  if (frame === null) return 0;
  native.startLifeline(CHANNEL_FD, LIFELINE_GRACE_MS);
  const job = v8.deserialize(frame) as Job;
  Object.assign(identity, {
    name: job.procName, daemon: job.daemon, identity: job.identity, parentPid: job.parentPid,
    parentName: job.parentName,
  });
  getLogger().setLevel(job.logLevel);
  if (job.logToStderr) logToStderr();
  inheritStartMethod(job.startMethod);
  process.on('uncaughtException', (err) => {
    fail(err);
    process.exit(1);
  });
  try {
    if (job.affinity) setAffinity(0, job.affinity);
    if (job.priority !== null) setPriority(0, job.priority);
    const target = await loadTarget(job);
    const args = deserialize<unknown[]>(job.args);
    getLogger().info('child process calling target()');
    await target(...args);
  } catch (err) {
    fail(err);
    return 1;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

const code = await main();
await finishPendingWork();
await joinNonDaemonChildren();
getLogger().info(`process exiting with exitcode ${code}`);
process.exit(code);
