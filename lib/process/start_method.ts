/**
 * How children start. 'spawn' (the default) starts a fresh Node runtime per child, like
 * Python's spawn. 'standby' keeps runtimes started ahead of time, with this package and the
 * program's entry module already loaded, waiting for a job (Python's forkserver idea): a
 * child then starts in the time it takes to hand over its job. A standby used is replaced in
 * the background. Standby runtimes never keep the parent alive and die with it.
 */
import { checkInteger, rangeError } from '../validate.js';
import { Runtime } from './runtime.js';

/** How `Process.start()` obtains a runtime. */
export type StartMethod = 'spawn' | 'standby';

/** Options of setStartMethod(). */
export interface StartMethodOptions {
  /** How many standby runtimes to keep ready (default 1). */
  standby?: number;
  /** Module URLs a standby loads ahead (targets' modules are added as they are used). */
  preload?: readonly (string | URL)[];
}

let method: StartMethod = 'spawn';
let wanted = 0;
let broken = false;
const pool = new Set<Runtime>();
// Modules worth loading in a standby: those given to setStartMethod, and those of targets run so far.
const preload = new Set<string>();

function checkMethod(value: unknown): StartMethod {
  if (value !== 'spawn' && value !== 'standby') {
    throw rangeError(`The "method" argument must be 'spawn' or 'standby', received ${String(value)}`);
  }
  return value;
}

function refill(): void {
  while (!broken && pool.size < wanted) {
    const rt = new Runtime('standby', undefined, [...preload]);
    rt.setRef(false);
    pool.add(rt);
    void rt.exited.then(() => {
      pool.delete(rt);
      // A standby that dies while loading would die again: stop making them, spawn instead.
      if (!rt.isReady) broken = true;
    });
  }
}

/** Chooses how children start from now on (Python's set_start_method). */
export function setStartMethod(value: StartMethod, options: StartMethodOptions = {}): void {
  method = checkMethod(value);
  wanted = method === 'standby' ? checkInteger(options.standby ?? 1, 'standby', 1, 64) : 0;
  for (const url of options.preload ?? []) preload.add(String(url));
  for (const rt of [...pool].slice(wanted)) {
    pool.delete(rt);
    rt.signal('SIGTERM');
  }
  broken = false;
  refill();
}

/** In a child: the parent's start method becomes this process's default, starting nothing yet. */
export function inheritStartMethod(value: StartMethod): void {
  method = checkMethod(value);
}

/** The start method in use. */
export function getStartMethod(): StartMethod {
  return method;
}

/** Resolves once a standby runtime is loaded and waiting (starting one if needed). */
export async function prepareStandby(): Promise<void> {
  wanted = Math.max(wanted, 1);
  broken = false;
  refill();
  const waiting = [...pool];
  // Someone waits for them: they may keep the loop alive until then.
  for (const rt of waiting) rt.setRef(true);
  try {
    await Promise.any(waiting.map((rt) => rt.ready));
  } finally {
    for (const rt of waiting) if (pool.has(rt)) rt.setRef(false);
  }
}

/** A runtime for a new child: a ready standby when asked for and available, else a fresh one. */
export function obtainRuntime(requested: StartMethod | undefined, env: NodeJS.ProcessEnv | undefined,
  targetModule: string): Runtime {
  const standby = (requested ?? method) === 'standby' && env === undefined;
  if (standby) wanted = Math.max(wanted, 1);
  let chosen: Runtime | undefined;
  if (standby) {
    for (const rt of pool) {
      if (!rt.isReady || rt.exit !== undefined) continue;
      pool.delete(rt);
      chosen = rt;
      break;
    }
  }
  preload.add(targetModule);
  // The replacement starts after the caller handed its job over, not before.
  if (standby) setImmediate(refill);
  return chosen ?? new Runtime('spawn', env, []);
}

/** Every standby runtime still waiting (they are stopped when the parent exits). */
export function standbyRuntimes(): Iterable<Runtime> {
  return pool;
}

export { checkMethod as checkStartMethod };
