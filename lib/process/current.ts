/** currentProcess() and parentProcess(): what a process knows about itself and its parent. */
import { native } from '../binding.js';
import { typeError } from '../validate.js';
import { childIdentity } from './identity.js';

/** This process, as Python's current_process() describes it. */
export class CurrentProcess {
  /** `MainProcess`, or the name the parent gave this child (settable). */
  get name(): string { return childIdentity()?.name ?? mainName; }
  set name(value: string) {
    if (typeof value !== 'string') throw typeError('The "name" must be a string');
    const id = childIdentity();
    if (id) id.name = value;
    else mainName = value;
  }

  get pid(): number { return process.pid; }
  get daemon(): boolean { return childIdentity()?.daemon ?? false; }
  /** Position in the family tree (empty in the main process). */
  get identity(): readonly number[] { return childIdentity()?.identity ?? []; }
  /** Always true: it is running this code. */
  isAlive(): boolean { return true; }
}

/** A child's view of the process that started it. */
export class ParentProcess {
  readonly name: string;
  readonly pid: number;
  constructor(name: string, pid: number) {
    this.name = name;
    this.pid = pid;
  }

  isAlive(): boolean {
    return native.processAlive(this.pid);
  }
}

let mainName = 'MainProcess';
const current = new CurrentProcess();

/** The process running this code (Python's current_process()). */
export function currentProcess(): CurrentProcess {
  return current;
}

/** The process that started this one, or null in the main process (Python's parent_process()). */
export function parentProcess(): ParentProcess | null {
  const id = childIdentity();
  return id ? new ParentProcess(id.parentName, id.parentPid) : null;
}
