/**
 * mp.Process: a target function run in a real child process, with Python's ergonomics.
 * Arguments travel by structured clone, shared objects of this package as handles. Every child
 * is tied to its parent by a channel whose end-of-file it watches from a native thread, so no
 * child outlives its parent, however the parent ends.
 */
import { constants } from 'node:os';
import { ProcessError } from '../errors.js';
import { native } from '../binding.js';
import { unpackError } from '../remote_error.js';
import { settledWithin } from '../settled_within.js';
import { serialize } from '../travel.js';
import { checkBoolean, checkInteger, checkObject, checkTimeout, describe, typeError } from '../validate.js';
import type { Job } from './frames.js';
import { childIdentity } from './identity.js';
import { getLogger, inheritedLogging, processName } from './logger.js';
import type { Runtime } from './runtime.js';
import { checkStartMethod, getStartMethod, obtainRuntime, standbyRuntimes, type StartMethod } from './start_method.js';
import { locateTarget, refuseWhileImporting, type Target, type TargetRef } from './target.js';
import { handOff, recordInFlight } from '../queue/pipe.js';

/** Options of `new mp.Process()`; `args` is checked against the target's parameters. */
export interface ProcessOptions<A extends readonly unknown[] = readonly unknown[]> {
  /** The function to run: exported by its module, or `{ module, name }`. */
  target: ((...args: A) => unknown) | TargetRef;
  /** Arguments for the target; they travel by structured clone (shared objects as handles). */
  args?: A;
  /** Defaults to `Process-N`, like Python. */
  name?: string;
  /** A daemon child does not keep the parent alive and is stopped when the parent exits. */
  daemon?: boolean;
  /** CPUs the child is pinned to before the target runs. */
  affinity?: readonly number[];
  /** Nice value (-20..19) the child takes before the target runs. */
  priority?: number;
  /** The child's environment (default: the parent's). */
  env?: NodeJS.ProcessEnv;
  /** 'spawn' or 'standby'; default: the current start method. */
  startMethod?: StartMethod;
}

const children = new Set<Process>();
let childCounter = 0;
let exitHookInstalled = false;

function checkCpus(value: unknown): number[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0) {
    throw typeError('The "affinity" option must be a non-empty array of CPU numbers');
  }
  return value.map((c, i) => checkInteger(c, `affinity[${i}]`, 0, 1023));
}

function checkEnv(value: unknown): NodeJS.ProcessEnv | undefined {
  if (value === undefined) return undefined;
  const env = checkObject(value, 'env');
  for (const [k, v] of Object.entries(env)) {
    if (typeof v !== 'string' && v !== undefined) {
      throw typeError(`The "env.${k}" option must be a string, received ${describe(v)}`);
    }
  }
  return env as NodeJS.ProcessEnv;
}

// Serialized once (a Connection registers each copy it sends); on failure each argument is
// tried alone to name the one that cannot travel.
function serializeArgs(args: readonly unknown[]): Buffer {
  try {
    return serialize(args);
  } catch (err) {
    args.forEach((arg, i) => {
      try {
        serialize(arg);
      } catch (argErr) {
        throw typeError(`The "args[${i}]" argument cannot be sent to a child process: `
          + `${(argErr as Error).message}`);
      }
    });
    throw err;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Children still running now are daemons, or the parent is leaving early (process.exit, an
  // uncaught exception): stop them now rather than wait for their lifeline to notice.
  process.on('exit', () => {
    for (const p of children) p.terminateOnExit();
    for (const rt of standbyRuntimes()) rt.signal('SIGTERM');
  });
}

/** A Process after start(): its pid is known. */
export type StartedProcess<P extends Process> = P & { readonly pid: number };

/** A child process running `target(...args)` (Python's multiprocessing.Process). */
export class Process<A extends readonly unknown[] = readonly unknown[]> {
  private readonly target: Target;
  private readonly args: readonly unknown[];
  private readonly affinity: number[] | null;
  private readonly priority: number | null;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly startMethod: StartMethod | undefined;
  private readonly identity: number[];
  private procName: string;
  private isDaemon: boolean;
  private runtime: Runtime | undefined;
  private closed = false;
  private remoteError: Error | undefined;

  constructor(options: ProcessOptions<A>) {
    const opts = checkObject(options, 'options');
    if (opts.target === undefined) throw typeError('The "target" option is required');
    if (typeof opts.target !== 'function' && (typeof opts.target !== 'object' || opts.target === null)) {
      throw typeError(`The "target" option must be a function or { module, name }, received ${describe(opts.target)}`);
    }
    this.target = opts.target as Target;
    if (opts.args !== undefined && !Array.isArray(opts.args)) {
      throw typeError(`The "args" option must be an array, received ${describe(opts.args)}`);
    }
    this.args = (opts.args as unknown[] | undefined) ?? [];
    this.identity = [...(childIdentity()?.identity ?? []), ++childCounter];
    if (opts.name !== undefined && typeof opts.name !== 'string') {
      throw typeError(`The "name" option must be a string, received ${describe(opts.name)}`);
    }
    this.procName = (opts.name as string | undefined) ?? `Process-${this.identity.join(':')}`;
    this.isDaemon = checkBoolean(opts.daemon, 'daemon', childIdentity()?.daemon ?? false);
    this.affinity = checkCpus(opts.affinity);
    this.priority = opts.priority === undefined ? null : checkInteger(opts.priority, 'priority', -20, 19);
    this.env = checkEnv(opts.env);
    this.startMethod = opts.startMethod === undefined ? undefined : checkStartMethod(opts.startMethod);
  }

  /** The process's name (settable). */
  get name(): string { return this.procName; }
  set name(value: string) {
    if (typeof value !== 'string') throw typeError(`The "name" must be a string, received ${describe(value)}`);
    this.procName = value;
  }

  /** Whether the child is a daemon; settable before start(). */
  get daemon(): boolean { return this.isDaemon; }
  set daemon(value: boolean) {
    if (this.runtime) throw new ProcessError('daemon cannot be changed once the process has started', 'ERR_PROCESS_STARTED');
    this.isDaemon = checkBoolean(value, 'daemon', false);
  }

  /** The child's pid once started, else null. */
  get pid(): number | null { return this.runtime?.pid ?? null; }

  /** null while running (or not started); the exit code, or -N if signal N killed it. */
  get exitCode(): number | null {
    const exit = this.runtime?.exit;
    if (!exit) return null;
    if (exit.signal) return -(constants.signals[exit.signal] ?? 0);
    return exit.code;
  }

  /** The error the target threw in the child (name, message, code and the child's stack). */
  get error(): Error | undefined {
    const packed = this.runtime?.reported;
    if (packed && !this.remoteError) this.remoteError = unpackError(packed);
    return this.remoteError;
  }

  /** Starts the child. Throws at once if the target cannot be found or an argument cannot travel. */
  start(): StartedProcess<this> {
    refuseWhileImporting('Process.start()');
    this.checkOpen();
    if (this.runtime) throw new ProcessError('a process can only be started once', 'ERR_PROCESS_STARTED');
    const where = locateTarget(this.target, 'target', 'target');
    const [args, inFlight] = recordInFlight(() => serializeArgs(this.args));
    const job: Job = {
      module: where.module, name: where.name, args,
      procName: this.procName, daemon: this.isDaemon, identity: this.identity,
      parentPid: process.pid, parentName: processName(), affinity: this.affinity,
      priority: this.priority, ...inheritedLogging(), startMethod: getStartMethod(),
    };
    const rt = obtainRuntime(this.startMethod, this.env, where.module);
    handOff(inFlight, rt.exited);
    rt.send(job);
    rt.setRef(!this.isDaemon);
    this.runtime = rt;
    children.add(this);
    installExitHook();
    void rt.exited.then(() => children.delete(this));
    getLogger().debug(`started ${this.procName} (pid ${rt.pid}, ${rt.mode})`);
    return this as StartedProcess<this>;
  }

  /** Waits for the child to end, or for `timeout` ms; check exitCode afterwards. */
  async join(timeout?: number): Promise<void> {
    this.checkOpen();
    const ms = checkTimeout(timeout);
    const rt = this.runtime;
    if (!rt) throw new ProcessError('can only join a started process', 'ERR_PROCESS_NOT_STARTED');
    if (rt.exit) return this.finished(rt);
    // Someone waits: keep the loop alive for a daemon too, as long as the wait lasts.
    rt.setRef(true);
    try {
      await settledWithin(this.finished(rt), ms);
    } finally {
      if (!rt.exit) rt.setRef(!this.isDaemon);
    }
  }

  // Exited, and its report (if any) read: the channel closes with the process.
  private async finished(rt: Runtime): Promise<void> {
    await rt.exited;
    await settledWithin(rt.channelClosed, 1000);
  }

  /** Whether the child has started and not yet ended. */
  isAlive(): boolean {
    this.checkOpen();
    const rt = this.runtime;
    if (!rt || rt.exit) return false;
    // The exit event may still be queued: ask the system.
    return native.processAlive(rt.pid);
  }

  /** Sends SIGTERM (Python's terminate()). */
  terminate(): void {
    this.checkOpen();
    this.runtime?.signal('SIGTERM');
  }

  /** Sends SIGKILL (Python's kill()). */
  kill(): void {
    this.checkOpen();
    this.runtime?.signal('SIGKILL');
  }

  /** Releases the Process object; only once the child has ended. */
  close(): void {
    if (this.runtime && !this.runtime.exit) {
      throw new ProcessError('cannot close a process while it is still running; join() or '
        + 'terminate() it first', 'ERR_PROCESS_RUNNING');
    }
    this.closed = true;
  }

  /** @internal Resolves once the started child has exited; unlike join(), keeps no event loop alive. */
  whenExited(): Promise<void> {
    const rt = this.runtime;
    if (!rt) throw new ProcessError('the process has not started', 'ERR_PROCESS_NOT_STARTED');
    return rt.exited.then(() => undefined);
  }

  /** @internal The parent is exiting: stop this child if it still runs. */
  terminateOnExit(): void {
    this.runtime?.signal('SIGTERM');
  }

  toString(): string {
    const state = !this.runtime ? 'initial' : this.runtime.exit ? `stopped exitcode=${this.exitCode}` : 'started';
    return `<Process name='${this.procName}' ${this.runtime ? `pid=${this.runtime.pid} ` : ''}${state}${this.isDaemon ? ' daemon' : ''}>`;
  }

  private checkOpen(): void {
    if (this.closed) throw new ProcessError('the process object is closed', 'ERR_PROCESS_CLOSED');
  }
}

/** Children started here that are still running (Python's active_children()). */
export function activeChildren(): Process[] {
  return [...children].filter((p) => p.isAlive());
}

/** @internal Waits for every non-daemon child (a child's bootstrap does, before it exits). */
export async function joinNonDaemonChildren(): Promise<void> {
  await Promise.all([...children].filter((p) => !p.daemon).map((p) => p.join()));
}

