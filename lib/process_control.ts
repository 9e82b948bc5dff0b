import { availableParallelism } from 'node:os';
import { native } from './binding.js';
import { checkInteger, describe, typeError } from './validate.js';

/** Pins process `pid` (0 = this one) to `cpus`. */
export function setAffinity(pid: number, cpus: readonly number[]): void {
  checkInteger(pid, 'pid', 0, 0x7fffffff);
  if (!Array.isArray(cpus)) {
    throw typeError(`The "cpus" argument must be an array of CPU numbers, received ${describe(cpus)}`);
  }
  for (let i = 0; i < cpus.length; i++) checkInteger(cpus[i], `cpus[${i}]`, 0, 1023);
  native.setAffinity(pid, [...cpus]);
}

/** The CPUs process `pid` (0 = this one) may run on. */
export function getAffinity(pid: number): number[] {
  checkInteger(pid, 'pid', 0, 0x7fffffff);
  return native.getAffinity(pid);
}

/** Sets the nice value (-20 highest .. 19 lowest) of `pid` (0 = this one); raising it needs privilege. */
export function setPriority(pid: number, nice: number): void {
  checkInteger(pid, 'pid', 0, 0x7fffffff);
  checkInteger(nice, 'nice', -20, 19);
  native.setPriority(pid, nice);
}

/** The nice value of `pid` (0 = this one). */
export function getPriority(pid: number): number {
  checkInteger(pid, 'pid', 0, 0x7fffffff);
  return native.getPriority(pid);
}

/** CPUs this process may use (Python's cpu_count()). */
export function cpuCount(): number {
  return availableParallelism();
}
